import { describe, expect, it } from "vitest";
import type { EventBatch } from "./event-batch";
import { ingestTrace } from "./ingest-trace";
import { WARMUP_MIN_RUN } from "./warmup";

const model = { layers: 4, experts: 8, topK: 2, renormalize: true };

/** A token-major engine log: every token logs layers 0..3 in turn. */
function line(layer: number, pos: number, experts: number[], weights: number[], seq = 0) {
  return JSON.stringify({ problem_id: seq, layer, token_pos: pos, experts, gating_probs: weights });
}

/** Warm-up: `n` tokens of identical routing in every layer; then `real` tokens whose routing varies. */
function engineLog(n: number, real: number) {
  const lines: string[] = [];
  for (let t = 0; t < n; t++) for (let l = 0; l < 4; l++) lines.push(line(l, t, [3, 5], [0.625, 0.375]));
  for (let t = 0; t < real; t++) {
    for (let l = 0; l < 4; l++) {
      const a = (t * 3 + l) % 8;
      const b = (a + 1 + (t % 7)) % 8;
      const w = 0.5 + ((t * 7 + l) % 40) / 100;
      lines.push(line(l, t, [a, b], [w, 1 - w]));
    }
  }
  return lines.join("\n") + "\n";
}

async function run(text: string, excludeWarmup: boolean, batchSize = 7) {
  const bytes = new TextEncoder().encode(text);
  const kept: { layer: number; pos: number; experts: string; repeat: number }[] = [];
  const result = await ingestTrace(
    (async function* () {
      for (let i = 0; i < bytes.length; i += 1000) yield bytes.subarray(i, i + 1000);
    })(),
    { model, maxBytes: 1 << 30, batchSize, excludeWarmup },
    async (b: EventBatch) => {
      for (let i = 0; i < b.count; i++)
        kept.push({
          layer: b.layer[i],
          pos: b.pos[i],
          experts: `${b.experts[2 * i]},${b.experts[2 * i + 1]}`,
          repeat: b.repeat ? b.repeat[i] : 0,
        });
    },
  );
  return { result, kept };
}

describe("warm-up passes", () => {
  it("finds a run of identical routing in every layer and reports its extent, counting it unless asked", async () => {
    const { result, kept } = await run(engineLog(300, 50), false);
    expect(result.events).toBe(350 * 4);
    expect(kept.length).toBe(350 * 4);
    expect(result.warmup).toMatchObject({ runCount: 4, events: 1200, excluded: false });
    expect(
      result.warmup!.runs.map((r) => [r.layer, r.firstEvent, r.events, r.posFrom, r.posTo, r.experts.join()]),
    ).toEqual([0, 1, 2, 3].map((l) => [l, 1, 300, 0, 299, "3,5"]));
    const w = result.warnings.find((x) => x.code === "warmup_routing")!;
    expect(w.message).toContain("4 layers (0–3): events 1–300 of the layer, positions 0–299, experts [3, 5]");
    expect(w.message).toContain("1200 events (85.7% of 1400)");
    expect(w.message).toContain("exclude_warmup=1");
  });

  it("leaves the warm-up out exactly, keeping the real events in upload order", async () => {
    const text = engineLog(300, 50);
    const all = await run(text, false, 1 << 16);
    const { result, kept } = await run(text, true);
    expect(result.events).toBe(200);
    expect(kept).toEqual(all.kept.slice(1200).map((e) => ({ ...e, repeat: 0 })));
    // The kept events' loads are those of the real part alone, counted by plain loops.
    const load = Array.from({ length: 4 }, () => new Array(8).fill(0));
    for (const e of kept) for (const x of e.experts.split(",")) load[e.layer][Number(x)]++;
    expect(result.layers.map((l) => Array.from(l.load))).toEqual(load);
    expect(result.warmup).toMatchObject({ runCount: 4, events: 1200, excluded: true });
    expect(result.warnings.find((x) => x.code === "warmup_routing")!.message).toContain("were excluded");
    // Positions 0..49 of the real tokens repeated the warm-up's; once it is gone they are not repeats.
    expect(all.result.warnings.find((x) => x.code === "repeated_positions")?.count).toBe(200);
    expect(result.warnings.find((x) => x.code === "repeated_positions")).toBeUndefined();
  });

  it("takes a run one event short of the minimum for real routing", async () => {
    const { result, kept } = await run(engineLog(WARMUP_MIN_RUN - 1, 10), true);
    expect(result.warmup).toMatchObject({ runCount: 0, events: 0 });
    expect(kept.length).toBe((WARMUP_MIN_RUN - 1 + 10) * 4);
    expect(result.warnings.map((w) => w.code)).not.toContain("warmup_routing");
  });

  it("does not take identical experts with differing weights for warm-up", async () => {
    const lines = [];
    for (let t = 0; t < 400; t++) lines.push(line(0, t, [1, 2], [0.5 + t / 1000, 0.5 - t / 1000]));
    const { result } = await run(lines.join("\n"), true);
    expect(result.events).toBe(400);
    expect(result.warmup!.runCount).toBe(0);
  });

  it("says so when everything was warm-up", async () => {
    const err = await run(engineLog(300, 0), true).catch((e) => e);
    expect(err).toMatchObject({ code: "empty_trace" });
    expect(err.message).toContain("excluded as warm-up");
  });
});
