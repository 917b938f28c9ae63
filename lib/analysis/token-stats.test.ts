import { describe, expect, it } from "vitest";
import type { EventBatch } from "@/lib/trace/event-batch";
import {
  ALL_TOKENS,
  mergeCounts,
  mergeSamples,
  tokenSpecialization,
  TokenStatsCollector,
  topTokens,
  windowOf,
  type TokenCell,
} from "./token-stats";

/** One event per (seq, pos, layer): experts and weights given, token id = seq * 10 + pos % 7. */
function batch(rows: { seq: number; pos: number; layer: number; experts: number[]; label?: number }[]): EventBatch {
  const n = rows.length;
  const k = 2;
  const b: EventBatch = {
    count: n,
    k,
    layer: Uint16Array.from(rows.map((r) => r.layer)),
    experts: new Int16Array(n * k).fill(-1),
    weights: new Float32Array(n * k),
    logits: null,
    seq: Int32Array.from(rows.map((r) => r.seq)),
    pos: Int32Array.from(rows.map((r) => r.pos)),
    tokenId: Int32Array.from(rows.map((r) => (r.seq * 10 + (r.pos % 7)) % 13)),
    label: Int16Array.from(rows.map((r) => r.label ?? -1)),
    repeat: null,
  };
  rows.forEach((r, i) =>
    r.experts.forEach((e, j) => ((b.experts[i * k + j] = e), (b.weights![i * k + j] = 0.5 + j * 0.1))),
  );
  return b;
}

const rows = Array.from({ length: 600 }, (_, i) => {
  const seq = Math.floor(i / 120);
  const pos = Math.floor((i % 120) / 2);
  const layer = i % 2;
  const e = (seq * 3 + pos * 7 + layer) % 4;
  return { seq, pos, layer, experts: [e, (e + 1 + (pos % 3)) % 4], label: seq % 2 };
});

const key = (c: TokenCell) => `${c.layer}|${c.expert}|${c.label}`;
function summed(parts: TokenCell[][]) {
  const by = new Map<string, TokenCell[]>();
  for (const c of parts.flat()) by.set(key(c), [...(by.get(key(c)) ?? []), c]);
  return new Map(
    [...by]
      .map(([k, cs]) => [k, mergeCounts(cs)] as const)
      .filter(([, m]) => m.tokenIds.length > 0)
      .map(([k, m]) => [k, { tokenIds: Array.from(m.tokenIds), counts: Array.from(m.counts) }]),
  );
}

describe("token statistics", () => {
  it("merges exactly: halves, or counts handed over in parts, give the whole's counts and sample", () => {
    const whole = new TokenStatsCollector(2, 4, 5);
    whole.add(batch(rows));
    const w = whole.result(["a", "b"]);

    const parts = new TokenStatsCollector(2, 4, 5);
    parts.add(batch(rows.slice(0, 200)));
    const first = parts.takeCounts(["a", "b"]);
    expect(parts.entries).toBe(0);
    parts.add(batch(rows.slice(200)));
    const rest = parts.result(["a", "b"]);
    expect(summed([first, rest.cells])).toEqual(summed([w.cells]));

    const h1 = new TokenStatsCollector(2, 4, 5);
    h1.add(batch(rows.slice(0, 333)));
    const h2 = new TokenStatsCollector(2, 4, 5);
    h2.add(batch(rows.slice(333)));
    const a = h1.result(["a", "b"]);
    const b = h2.result(["a", "b"]);
    expect(summed([a.cells, b.cells])).toEqual(summed([w.cells]));
    for (const c of w.cells.filter((x) => x.sample)) {
      const from = [...a.cells, ...b.cells].filter((x) => key(x) === key(c) && x.sample);
      expect(
        mergeSamples(
          from.map((x) => ({ label: x.label, sample: x.sample! })),
          5,
        ),
      ).toEqual(mergeSamples([{ label: c.label, sample: c.sample! }], 5));
      expect(c.sample!.seq.length).toBe(5);
    }
    // The sequences' token ids, rebuilt from both halves' segments.
    const seg = [...a.segments, ...b.segments].filter((s) => s.seq === 2);
    expect(Array.from(windowOf(seg, 0, 60))).toEqual(Array.from({ length: 60 }, (_, p) => (20 + (p % 7)) % 13));
  });

  it("counts the base rate once per token and layer (expert -1), each routed slot once per expert", () => {
    const c = new TokenStatsCollector(2, 4);
    c.add(batch(rows));
    const cells = c.result(["a", "b"]).cells;
    const base = mergeCounts(cells.filter((x) => x.layer === 0 && x.expert === ALL_TOKENS));
    expect(base.counts.reduce((s, x) => s + x, 0)).toBe(300);
    const routed = cells
      .filter((x) => x.layer === 0 && x.expert >= 0)
      .reduce((s, x) => s + x.counts.reduce((t, y) => t + y, 0), 0);
    expect(routed).toBe(600);
  });

  it("ranks by count and by lift = count(v,e)·N/(count(v)·load_e) with a minimum support", () => {
    const base = { tokenIds: Int32Array.of(1, 2, 3), counts: Float64Array.of(100, 10, 90) };
    const e = { tokenIds: Int32Array.of(1, 2, 3), counts: Float64Array.of(20, 8, 2) };
    expect(topTokens(e, base, "count", 2).map((t) => t.tokenId)).toEqual([1, 2]);
    const byLift = topTokens(e, base, "lift", 3, 5);
    expect(byLift.map((t) => t.tokenId)).toEqual([2, 1]);
    expect(byLift[0].lift).toBeCloseTo((8 * 200) / (10 * 30), 12);
  });

  it("measures token specialization as OLMoE does, for tokens and experts", () => {
    // Token 1: 10 occurrences, expert 0 takes 8, expert 1 takes 6; token 2: 4, expert 1 takes 4.
    const base = { tokenIds: Int32Array.of(1, 2), counts: Float64Array.of(10, 4) };
    const per = [
      { tokenIds: Int32Array.of(1), counts: Float64Array.of(8) },
      { tokenIds: Int32Array.of(1, 2), counts: Float64Array.of(6, 4) },
    ];
    const s = tokenSpecialization(per, base);
    expect(Array.from(s.tokens.topExpert)).toEqual([0, 1]);
    expect(Array.from(s.tokens.specialization)).toEqual([0.8, 1]);
    expect(s.expert).toEqual([1, 0.4]);
    expect(s.coverage).toEqual([1, 2]);
    expect(s.meanToken).toBeCloseTo(12 / 14, 12);
  });
});
