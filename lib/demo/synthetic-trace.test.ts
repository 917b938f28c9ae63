import { describe, expect, it } from "vitest";
import { MODEL_PRESETS } from "@/lib/models/presets";
import { Dictionary, type ParseContext } from "@/lib/trace/parse-context";
import { FIELD_ALIASES } from "@/lib/trace/field-map";
import { parseJsonl } from "@/lib/trace/parse-jsonl";
import { WarningCollector } from "@/lib/trace/warnings";
import { Prng } from "./prng";
import {
  planStructure,
  syntheticEvents,
  syntheticJsonl,
  type SyntheticEvent,
  type SyntheticOptions,
} from "./synthetic-trace";

/** A preset's routing shape, cut to a few layers to keep the suite fast. */
function shape(id: string, layers: number): SyntheticOptions["model"] {
  const p = MODEL_PRESETS.find((m) => m.id === id);
  if (!p) throw new Error(`no preset ${id}`);
  return { layers, experts: p.experts, topK: p.topK, renormalize: p.renormalize };
}

const MIXTRAL = shape("mixtral-8x7b", 8); // 8 experts, top-2, renormalized
const QWEN = shape("qwen1.5-moe-a2.7b", 4); // 60 experts, top-4, raw softmax weights
const CASES = [1, 2, 3].flatMap((seed) => [MIXTRAL, QWEN].map((model) => ({ model, tokens: 3000, seed })));

async function bytesOf(opts: SyntheticOptions): Promise<{ text: string; chunks: number[] }> {
  const parts: Uint8Array[] = [];
  for await (const chunk of syntheticJsonl(opts)) parts.push(chunk);
  return { text: Buffer.concat(parts).toString("utf8"), chunks: parts.map((p) => p.length) };
}

/** Per layer: selection counts overall and per label, and pairwise co-selection counts. */
function countRouting(opts: SyntheticOptions, events: Iterable<SyntheticEvent>) {
  const { layers, experts: E } = opts.model;
  const load = Array.from({ length: layers }, () => new Float64Array(E));
  const pairs = Array.from({ length: layers }, () => new Float64Array(E * E));
  const byLabel = new Map<string, { tokens: number; load: Float64Array[] }>();
  for (const ev of events) {
    let lab = byLabel.get(ev.label ?? "");
    if (!lab)
      byLabel.set(
        ev.label ?? "",
        (lab = { tokens: 0, load: Array.from({ length: layers }, () => new Float64Array(E)) }),
      );
    if (ev.layer === 0) lab.tokens++;
    for (const a of ev.experts) {
      load[ev.layer][a]++;
      lab.load[ev.layer][a]++;
      for (const b of ev.experts) if (a !== b) pairs[ev.layer][a * E + b]++;
    }
  }
  return { load, pairs, byLabel };
}

describe("prng", () => {
  it("is deterministic, in range, and roughly standard normal", () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const xs = Array.from({ length: 2000 }, () => a.next());
    expect(xs).toEqual(Array.from({ length: 2000 }, () => b.next()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Prng(43).next()).not.toBe(xs[0]);
    expect(new Prng(42, 1).next()).not.toBe(xs[0]);
    const ints = new Set(Array.from({ length: 500 }, () => a.int(7)));
    expect([...ints].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const zs = Array.from({ length: 20000 }, () => a.normal());
    const mean = zs.reduce((s, z) => s + z, 0) / zs.length;
    const variance = zs.reduce((s, z) => s + (z - mean) ** 2, 0) / zs.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });
});

describe("planStructure", () => {
  it.each(CASES)("plants a consistent structure ($model.experts experts, seed $seed)", (opts) => {
    const { layers, experts, topK } = opts.model;
    const plan = planStructure(opts);
    expect(planStructure(opts)).toEqual(plan);
    expect(plan.dead.some((d) => d.length === 1)).toBe(true);
    const lo = Math.max(topK, 2);
    for (let l = 0; l < layers; l++) {
      const dead = new Set(plan.dead[l]);
      expect(dead.size).toBeLessThanOrEqual(1);
      expect(plan.hot[l].length).toBeGreaterThanOrEqual(1);
      expect(plan.hot[l].length).toBeLessThanOrEqual(2);
      const members = plan.groups[l].flat().sort((a, b) => a - b);
      const live = Array.from({ length: experts }, (_, e) => e).filter((e) => !dead.has(e));
      expect(members).toEqual(live); // a partition of the live experts
      for (const g of plan.groups[l]) expect(g.length).toBeGreaterThanOrEqual(lo);
      for (const g of plan.groups[l]) expect(g.length).toBeLessThanOrEqual(Math.max(2 * topK, 2 * lo - 1));
      for (const ids of Object.values(plan.labelExperts).map((x) => x[l])) {
        expect(ids.length).toBeGreaterThanOrEqual(1);
        expect(ids.length).toBeLessThanOrEqual(2);
        expect(ids.some((e) => dead.has(e) || plan.hot[l].includes(e))).toBe(false);
      }
    }
  });

  it("plants no dead experts below 8 experts", () => {
    const plan = planStructure({ model: { layers: 6, experts: 4, topK: 1, renormalize: true }, tokens: 10, seed: 5 });
    expect(plan.dead.flat()).toEqual([]);
  });

  it("rejects impossible shapes", () => {
    expect(() =>
      planStructure({ model: { layers: 2, experts: 4, topK: 5, renormalize: true }, tokens: 1, seed: 1 }),
    ).toThrow(RangeError);
    expect(() => planStructure({ model: { ...MIXTRAL, layers: 0 }, tokens: 1, seed: 1 })).toThrow(RangeError);
  });
});

describe("syntheticEvents", () => {
  it.each(CASES)("routes validly and recovers the planted structure ($model.experts experts, seed $seed)", (opts) => {
    const { layers, experts: E, topK, renormalize } = opts.model;
    const plan = planStructure(opts);
    const events = [...syntheticEvents(opts, plan)];
    expect(events).toHaveLength(opts.tokens * layers);
    // One expect per event would dominate the run time, so collect the offenders instead.
    const bad = events.filter((ev) => {
      const w = ev.weights!;
      const sum = w.reduce((s, x) => s + x, 0);
      return (
        new Set(ev.experts).size !== topK ||
        ev.experts.some((e) => plan.dead[ev.layer].includes(e)) ||
        !w.every((x, i) => Number.isFinite(x) && x > 0 && (i === 0 || x <= w[i - 1])) ||
        (renormalize ? Math.abs(sum - 1) > 1e-3 : sum >= 1)
      );
    });
    expect(bad).toEqual([]);

    const { load, pairs, byLabel } = countRouting(opts, events);
    for (let l = 0; l < layers; l++) {
      const mean = (opts.tokens * topK) / E;
      for (const h of plan.hot[l]) expect(load[l][h]).toBeGreaterThanOrEqual(1.5 * mean);

      // Mean co-selection count of expert pairs inside one planted group vs across groups.
      const groupOf = new Map(plan.groups[l].flatMap((g, i) => g.map((e) => [e, i] as const)));
      const within: number[] = [];
      const across: number[] = [];
      for (const [a, ga] of groupOf)
        for (const [b, gb] of groupOf) if (a < b) (ga === gb ? within : across).push(pairs[l][a * E + b]);
      const avg = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
      expect(avg(within)).toBeGreaterThan(3 * avg(across));

      // Each specialized expert's selection rate on its label vs labels that do not share it.
      for (const [label, perLayer] of Object.entries(plan.labelExperts)) {
        for (const e of perLayer[l]) {
          const others = [...byLabel].filter(([name]) => name !== label && !plan.labelExperts[name][l].includes(e));
          if (others.length === 0) continue;
          const own = byLabel.get(label)!;
          const otherRate =
            others.reduce((s, [, x]) => s + x.load[l][e], 0) / others.reduce((s, [, x]) => s + x.tokens, 0);
          expect(own.load[l][e] / own.tokens).toBeGreaterThan(1.5 * otherRate);
        }
      }
    }
  });

  it("gives each sequence one label, round-robin, and positions 0..len-1", () => {
    const opts = { model: MIXTRAL, tokens: 100, sequences: 4, seed: 9, labels: ["a", "b"] };
    const layer0 = [...syntheticEvents(opts)].filter((ev) => ev.layer === 0);
    expect(layer0.map((ev) => ev.label)).toEqual(layer0.map((ev) => (ev.seq % 2 === 0 ? "a" : "b")));
    for (let s = 0; s < 4; s++) {
      expect(layer0.filter((ev) => ev.seq === s).map((ev) => ev.token)).toEqual(
        Array.from({ length: 25 }, (_, i) => i),
      );
    }
    const unlabeled = [...syntheticEvents({ ...opts, labels: [], withWeights: false })];
    expect(unlabeled.every((ev) => !("label" in ev) && !("weights" in ev) && !("logits" in ev))).toBe(true);
  });
});

describe("syntheticJsonl", () => {
  const opts: SyntheticOptions = { model: QWEN, tokens: 400, seed: 7, withLogits: true };

  it("is byte-identical for one seed and differs across seeds", async () => {
    const a = await bytesOf(opts);
    expect((await bytesOf(opts)).text).toBe(a.text);
    expect((await bytesOf({ ...opts, seed: 8 })).text).not.toBe(a.text);
    expect(a.chunks.length).toBeGreaterThan(2);
    for (const n of a.chunks.slice(0, -1)) expect(n).toBeGreaterThanOrEqual(64 * 1024);
  });

  it("writes token-major lines with finite numbers in the documented field order", async () => {
    const lines = (await bytesOf(opts)).text.trimEnd().split("\n");
    expect(lines).toHaveLength(opts.tokens * QWEN.layers);
    const keys = ["seq", "token", "layer", "label", "experts", "weights", "logits"].join();
    const bad = lines.filter((line, i) => {
      const ev = JSON.parse(line);
      const numbers: unknown[] = [...ev.weights, ...ev.logits];
      return (
        Object.keys(ev).join() !== keys ||
        ev.layer !== i % QWEN.layers ||
        ev.logits.length !== QWEN.experts ||
        !numbers.every(Number.isFinite)
      );
    });
    expect(bad).toEqual([]);
  });

  it("parses with the ingest parser without warnings", async () => {
    const model = MIXTRAL;
    const ctx: ParseContext = {
      model,
      fields: FIELD_ALIASES,
      labels: new Dictionary(100, "labels"),
      defaultLabel: -1,
      warnings: new WarningCollector(),
      batchSize: 4096,
    };
    let count = 0;
    for await (const batch of parseJsonl(syntheticJsonl({ model, tokens: 300, seed: 3, withLogits: true }), ctx))
      count += batch.count;
    expect(count).toBe(300 * model.layers);
    expect(ctx.warnings.list()).toEqual([]);
  });
});
