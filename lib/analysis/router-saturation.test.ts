import { describe, expect, it } from "vitest";
import { PairedJoin, type PairableEvents } from "./paired-join";
import { routerSaturation } from "./router-saturation";

const never = (seq: number, pos: number): never => {
  throw new Error(`unpairable ${seq} ${pos}`);
};

/** Rows of [seq, pos, layer, e1, e2] (top-2). */
function events(rows: [number, number, number, number, number][]): PairableEvents {
  return {
    count: rows.length,
    k: 2,
    seq: rows.map((r) => r[0]),
    pos: rows.map((r) => r[1]),
    layer: rows.map((r) => r[2]),
    experts: rows.flatMap((r) => [r[3], r[4]]),
  };
}

function saturation(final: PairableEvents, step: PairableEvents, layers = 2) {
  const j = new PairedJoin(layers, 2, final.count);
  j.addA(final, never);
  j.addB(step, never);
  return routerSaturation(j.result(), 2);
}

describe("A12 router saturation", () => {
  const final = events([
    [0, 0, 0, 1, 2],
    [0, 1, 0, 3, 4],
    [0, 2, 0, 5, 6],
    [0, 0, 1, 0, 7],
    [0, 1, 1, 2, 3],
  ]);

  it("is 1 at the final checkpoint itself", () => {
    const s = saturation(final, final);
    expect(s.perLayer).toEqual([1, 1]);
    expect(s.mean).toBe(1);
  });

  it("matches a hand computation: mean over paired tokens of |K_t ∩ K_F| / k, per layer", () => {
    const step = events([
      [0, 0, 0, 2, 1], // {1,2} vs {1,2}: 2 shared
      [0, 1, 0, 3, 7], // {3,4} vs {3,7}: 1 shared
      [0, 2, 0, 0, 1], // {5,6} vs {0,1}: 0 shared
      [0, 0, 1, 7, 5], // {0,7} vs {7,5}: 1 shared
      [0, 1, 1, 0, 1], // {2,3} vs {0,1}: 0 shared
      [9, 9, 1, 0, 1], // not routed at F: left out
    ]);
    const s = saturation(final, step);
    // Layer 0: (2 + 1 + 0) / (3 tokens · k=2) = 0.5; layer 1: (1 + 0) / (2 · 2) = 0.25.
    expect(s.perLayer[0]).toBeCloseTo(0.5, 12);
    expect(s.perLayer[1]).toBeCloseTo(0.25, 12);
    expect(s.mean).toBeCloseTo(0.375, 12);
  });

  it("has no value for a layer with no token routed at both checkpoints", () => {
    const step = events([[0, 0, 0, 1, 3]]);
    const s = saturation(final, step);
    expect(s.perLayer).toEqual([0.5, null]);
    expect(s.mean).toBe(0.5);
  });
});
