import { describe, expect, it } from "vitest";
import { balanceMetrics, balancePercentiles, loadShareGrid, percentile } from "./balance";

describe("balanceMetrics", () => {
  it("matches hand-computed values for loads [4, 2, 2, 0]", () => {
    const m = balanceMetrics([4, 2, 2, 0]);
    expect(m.loadShare).toEqual([0.5, 0.25, 0.25, 0]);
    expect(m.maxOverMean).toBe(2);
    expect(m.imbalance).toBe(1);
    expect(m.balancedness).toBe(0.5);
    expect(m.cv).toBeCloseTo(Math.SQRT2 / 2, 12);
    expect(m.gini).toBeCloseTo(0.375, 12);
    // H = 0.5 ln 2 + 2 · 0.25 ln 4 = 1.5 ln 2; / ln 4 = 0.75
    expect(m.normalizedEntropy).toBeCloseTo(0.75, 12);
    expect(m.jain).toBeCloseTo(64 / 96, 12);
    expect(m.dead).toEqual([3]);
    expect(m.hot).toEqual([0]);
  });

  it("gives the ideal values for a uniform load", () => {
    const m = balanceMetrics([5, 5, 5, 5, 5, 5, 5, 5]);
    expect(m.maxOverMean).toBe(1);
    expect(m.imbalance).toBe(0);
    expect(m.cv).toBe(0);
    expect(m.gini).toBe(0);
    expect(m.normalizedEntropy).toBeCloseTo(1, 12);
    expect(m.jain).toBe(1);
    expect(m.dead).toEqual([]);
    expect(m.hot).toEqual([]);
  });

  it("gives the extreme values when one expert takes everything", () => {
    const m = balanceMetrics([0, 0, 12, 0]);
    expect(m.gini).toBeCloseTo(0.75, 12); // (E - 1) / E
    expect(m.jain).toBeCloseTo(0.25, 12); // 1 / E
    expect(m.normalizedEntropy).toBe(0);
    expect(m.dead).toEqual([0, 1, 3]);
  });

  it("returns null metrics for a layer with no tokens", () => {
    const m = balanceMetrics([0, 0, 0]);
    expect(m.maxOverMean).toBeNull();
    expect(m.gini).toBeNull();
    expect(m.dead).toEqual([0, 1, 2]);
  });
});

describe("percentile", () => {
  it("interpolates linearly like numpy", () => {
    // numpy.percentile([1, 2, 3, 4], 90) == 3.7
    expect(percentile([4, 1, 3, 2], 90)).toBeCloseTo(3.7, 12);
    expect(percentile([4, 1, 3, 2], 50)).toBe(2.5);
    expect(percentile([], 50)).toBeNull();
  });

  it("summarizes balance metrics across layers", () => {
    const p = balancePercentiles([balanceMetrics([1, 1]), balanceMetrics([3, 1]), balanceMetrics([0, 0])]);
    // maxOverMean per layer: 1 and 1.5 (the empty layer is left out)
    expect(p.maxOverMean.p50).toBe(1.25);
    expect(p.maxOverMean.p95).toBeCloseTo(1.475, 12);
  });
});

describe("loadShareGrid", () => {
  it("puts each layer's load shares in its row, a layer without load as zeros, and the largest share", () => {
    const { shares, max } = loadShareGrid(
      [
        [4, 2, 2, 0],
        [0, 0, 0, 0],
        [1, 1, 1, 5],
      ],
      4,
    );
    expect(Array.from(shares)).toEqual([0.5, 0.25, 0.25, 0, 0, 0, 0, 0, 0.125, 0.125, 0.125, 0.625]);
    expect(max).toBe(0.625);
  });

  it("refuses a layer whose loads do not match the expert count", () => {
    expect(() => loadShareGrid([[1, 2, 3]], 4)).toThrow("layer 0: 3 loads for 4 experts");
  });
});
