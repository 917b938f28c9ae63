import { describe, expect, it } from "vitest";
import { accumulateTopK, emptyLayerAggregate, mergeLayerAggregate } from "./layer-aggregate";
import { normalizeCoactivation, offDiagonalExtent } from "./coactivation";

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
