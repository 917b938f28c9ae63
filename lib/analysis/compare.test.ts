import { describe, expect, it } from "vitest";
import { coactivationDifference, compareRuns, jensenShannonDistance, topKFlips } from "./compare";

describe("Jensen-Shannon distance (A11)", () => {
  it("is 1 for disjoint loads, 0 for equal shares, whatever the totals", () => {
    expect(jensenShannonDistance([1, 0], [0, 1])).toBe(1);
    expect(jensenShannonDistance([3, 1, 0], [3, 1, 0])).toBe(0);
    expect(jensenShannonDistance([3, 1, 0], [300, 100, 0])).toBe(0);
  });

  it("matches a hand computation", () => {
    // P = (1/2, 1/2, 0), Q = (0, 1/2, 1/2), M = (1/4, 1/2, 1/4):
    // KL(P‖M) = ½ log2 2 + ½ log2 1 = ½ = KL(Q‖M), JSD = ½, distance √½.
    expect(jensenShannonDistance([5, 5, 0], [0, 2, 2])).toBeCloseTo(Math.SQRT1_2, 15);
    // P = (1, 0), Q = (1/2, 1/2), M = (3/4, 1/4): KL(P‖M) = log2 4/3,
    // KL(Q‖M) = ½ log2 2/3 + ½ log2 2, JSD = ½ (log2 4/3 + ½ log2 2/3 + ½).
    const jsd = 0.5 * (Math.log2(4 / 3) + 0.5 * Math.log2(2 / 3) + 0.5);
    expect(jensenShannonDistance([1, 0], [1, 1])).toBeCloseTo(Math.sqrt(jsd), 15);
  });

  it("is null without load and rejects bad input", () => {
    expect(jensenShannonDistance([0, 0], [1, 2])).toBeNull();
    expect(jensenShannonDistance([1, 2], [0, 0])).toBeNull();
    expect(() => jensenShannonDistance([1, 2], [1])).toThrow(/2 loads with 1/);
    expect(() => jensenShannonDistance([1, NaN], [1, 1])).toThrow(/finite and ≥ 0/);
  });
});

describe("co-activation difference (A11)", () => {
  it("compares co-activation per token and the relative Frobenius difference", () => {
    // A: C_01 = 2 over 4 tokens (0.5 per token); B: C_01 = 1 over 4 tokens (0.25).
    // ‖Ĉa‖ = √(2 · 0.25) = s, ‖Ĉb‖ = ‖D‖ = √(2 · 0.0625) = s/2: relative = (s/2) / (3s/4) = 2/3.
    const a = { tokens: 4, load: [2, 2], coactivation: [0, 2, 2, 0] };
    const b = { tokens: 4, load: [1, 1], coactivation: [0, 1, 1, 0] };
    const r = coactivationDifference(a, b, 2);
    expect(Array.from(r.diff)).toEqual([0, 0.25, 0.25, 0]);
    expect(r.relative).toBeCloseTo(2 / 3, 15);
  });

  it("ignores run size, reads disjoint pairs as √2 and one empty run as 2", () => {
    const a = { tokens: 10, load: [4, 4, 2], coactivation: [0, 4, 0, 4, 0, 0, 0, 0, 0] };
    const a10 = { tokens: 100, load: [40, 40, 20], coactivation: [0, 40, 0, 40, 0, 0, 0, 0, 0] };
    const other = { tokens: 10, load: [0, 4, 4], coactivation: [0, 0, 0, 0, 0, 4, 0, 4, 0] };
    const none = { tokens: 10, load: [10, 0, 0], coactivation: new Float64Array(9) };
    expect(coactivationDifference(a, a10, 3).relative).toBe(0);
    expect(coactivationDifference(a, other, 3).relative).toBeCloseTo(Math.SQRT2, 15);
    expect(coactivationDifference(a, none, 3).relative).toBe(2);
    expect(coactivationDifference(none, none, 3).relative).toBeNull();
    expect(coactivationDifference({ ...a, tokens: 0 }, a, 3).relative).toBeNull();
  });
});

describe("top-k flips (A11, A6)", () => {
  it("counts tokens whose top-k set changed, ignoring order and empty slots", () => {
    // k = 2: {0,1} = {1,0}; {2,3} ≠ {2,5}; {4} = {4} with -1 in different slots; {6} ≠ {6,7}.
    const A = [0, 1, 2, 3, 4, -1, 6, -1];
    const B = [1, 0, 2, 5, -1, 4, 6, 7];
    expect(topKFlips(2, A, B, 4)).toBe(2);
    expect(topKFlips(2, B, A, 4)).toBe(2);
    // Batches sum: the first two tokens, then the last two.
    expect(topKFlips(2, A.slice(0, 4), B.slice(0, 4), 2) + topKFlips(2, A.slice(4), B.slice(4), 2)).toBe(2);
    // k = 3, a permutation is no flip.
    expect(topKFlips(3, Int16Array.from([5, 1, 9]), Int16Array.from([9, 5, 1]), 1)).toBe(0);
    expect(() => topKFlips(2, A, B, 5)).toThrow(/expected 10 ids/);
  });
});

describe("compareRuns (A11)", () => {
  it("gives per-layer values and means over the layers where they are defined", () => {
    const l = (tokens: number, load: number[], c01: number) => ({ tokens, load, coactivation: [0, c01, c01, 0] });
    const r = compareRuns([l(4, [2, 2], 2), l(0, [0, 0], 0)], [l(4, [1, 1], 1), l(4, [4, 0], 0)], 2);
    expect(r.perLayer).toEqual([
      { layer: 0, jsd: 0, coactivationRelative: expect.closeTo(2 / 3, 15) },
      { layer: 1, jsd: null, coactivationRelative: null },
    ]);
    expect(r.meanJsd).toBe(0);
    expect(r.meanCoactivationRelative).toBeCloseTo(2 / 3, 15);
    expect(() => compareRuns([l(1, [1, 1], 1)], [], 2)).toThrow(/1 and 0 layers/);
  });
});
