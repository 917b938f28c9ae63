import { describe, expect, it } from "vitest";
import { accumulateTopK, emptyLayerAggregate, mergeLayerAggregate } from "./layer-aggregate";
import { Prng } from "@/lib/demo/prng";
import { liftBaseline, normalizeCoactivation, offDiagonalExtent } from "./coactivation";

// Three tokens, top-2 of 4 experts: {0,1}, {0,2}, {1,0}.
function handCase() {
  const agg = emptyLayerAggregate(4);
  const skipped = accumulateTopK([agg], 3, 2, [0, 0, 0], [0, 1, 0, 2, 1, 0], [0.6, 0.4, 0.7, 0.3, 0.5, 0.5]);
  return { agg, skipped };
}

describe("accumulateTopK", () => {
  it("counts load, weight sums and symmetric co-activation", () => {
    const { agg, skipped } = handCase();
    expect(skipped).toBe(0);
    expect(agg.tokens).toBe(3);
    expect(Array.from(agg.load)).toEqual([3, 2, 1, 0]);
    expect(agg.weightSum[0]).toBeCloseTo(1.8, 12);
    expect(agg.weightSum[1]).toBeCloseTo(0.9, 12);
    expect(agg.coactivation[0 * 4 + 1]).toBe(2);
    expect(agg.coactivation[1 * 4 + 0]).toBe(2);
    expect(agg.coactivation[0 * 4 + 2]).toBe(1);
    expect(agg.coactivation[1 * 4 + 2]).toBe(0);
    for (let i = 0; i < 4; i++) expect(agg.coactivation[i * 5]).toBe(0);
  });

  it("skips -1 slots but still counts the token", () => {
    const agg = emptyLayerAggregate(4);
    const skipped = accumulateTopK([agg], 2, 2, [0, 0], [3, -1, -1, -1], null);
    expect(skipped).toBe(3);
    expect(agg.tokens).toBe(2);
    expect(Array.from(agg.load)).toEqual([0, 0, 0, 1]);
    expect(agg.coactivation.every((c) => c === 0)).toBe(true);
  });

  it("merges by addition", () => {
    const a = handCase().agg;
    mergeLayerAggregate(a, handCase().agg);
    expect(a.tokens).toBe(6);
    expect(Array.from(a.load)).toEqual([6, 4, 2, 0]);
    expect(a.coactivation[1]).toBe(4);
  });
});

describe("normalizeCoactivation", () => {
  const { agg } = handCase();
  const at = (m: Float64Array, i: number, j: number) => m[i * 4 + j];

  it("conditional is C_ij / load_i (row-conditioned, not symmetric)", () => {
    const m = normalizeCoactivation(agg.coactivation, agg.load, agg.tokens, "conditional");
    expect(at(m, 0, 1)).toBeCloseTo(2 / 3, 12);
    expect(at(m, 1, 0)).toBe(1);
    expect(at(m, 3, 0)).toBe(0); // dead expert row: no evidence
  });

  it("jaccard is C_ij / (load_i + load_j - C_ij)", () => {
    const m = normalizeCoactivation(agg.coactivation, agg.load, agg.tokens, "jaccard");
    expect(at(m, 0, 1)).toBeCloseTo(2 / 3, 12);
    expect(at(m, 0, 2)).toBeCloseTo(1 / 3, 12);
    expect(at(m, 2, 0)).toBeCloseTo(1 / 3, 12);
  });

  it("lift is C_ij N / (load_i load_j)", () => {
    const m = normalizeCoactivation(agg.coactivation, agg.load, agg.tokens, "lift");
    expect(at(m, 0, 1)).toBe(1);
    expect(at(m, 0, 2)).toBe(1);
    expect(at(m, 1, 2)).toBe(0);
  });

  it("raw is a copy, and the extent ignores the diagonal", () => {
    const m = normalizeCoactivation(agg.coactivation, agg.load, agg.tokens, "raw");
    expect(m).not.toBe(agg.coactivation);
    expect(offDiagonalExtent(m, 4)).toEqual([0, 2]);
  });
});

describe("liftBaseline (lift under input-independent top-k routing)", () => {
  it("is (k−1)E / (k(E−1)): 4/7 for top-2 of 8, 1 for k = E, null for top-1", () => {
    expect(liftBaseline(2, 8)).toBeCloseTo(4 / 7, 15);
    expect(liftBaseline(8, 64)).toBeCloseTo((7 * 64) / (8 * 63), 15);
    expect(liftBaseline(8, 8)).toBe(1);
    expect(liftBaseline(1, 8)).toBeNull();
    expect(() => liftBaseline(3, 2)).toThrow(/not a routing/);
  });

  // Uniform random top-k (k distinct experts per token, no input): raw lift sits at the baseline,
  // lift / baseline at 1 for every pair.
  for (const [k, E, N] of [
    [2, 8, 200_000],
    [4, 16, 200_000],
    [8, 64, 100_000],
  ] as const) {
    it(`gives normalized lift ≈ 1 on a uniform-random top-${k} of ${E} simulation`, () => {
      const agg = emptyLayerAggregate(E);
      const rng = new Prng(k * 1000 + E);
      const ids: number[] = [];
      const pool = Array.from({ length: E }, (_, i) => i);
      for (let t = 0; t < N; t++) {
        // partial Fisher-Yates: the first k of a random permutation
        for (let s = 0; s < k; s++) {
          const r = s + rng.int(E - s);
          [pool[s], pool[r]] = [pool[r], pool[s]];
          ids.push(pool[s]);
        }
      }
      accumulateTopK([agg], N, k, new Array(N).fill(0), ids, null);
      const lift = normalizeCoactivation(agg.coactivation, agg.load, agg.tokens, "lift");
      const b = liftBaseline(k, E)!;
      let worst = 0;
      let mean = 0;
      for (let i = 0; i < E; i++)
        for (let j = 0; j < E; j++)
          if (i !== j) {
            worst = Math.max(worst, Math.abs(lift[i * E + j] / b - 1));
            mean += lift[i * E + j] / b / (E * (E - 1));
          }
      expect(mean).toBeCloseTo(1, 2);
      // sampling noise: each pair sees N k(k−1)/(E(E−1)) co-activations (≥ 1,389 here: ±0.03 one sd)
      expect(worst).toBeLessThan(0.15);
      // raw lift is the baseline, not 1 (for top-2 of 8: 0.571)
      expect(mean * b).toBeLessThan(1);
    });
  }
});
