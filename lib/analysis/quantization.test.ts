import { describe, expect, it } from "vitest";
import { findPreset } from "@/lib/models/presets";
import {
  allocationStep,
  averageBits,
  paretoFrontier,
  suggestByBlock,
  suggestByOutliers,
  suggestByUsage,
  type BitAllocation,
} from "./quantization";

const small = { attention: { q: 10, o: 10 }, expert: { up: 5, down: 5 }, shared: { s: 30 } };

describe("averageBits", () => {
  it("weights each module's bits by its parameter count", () => {
    // params 2 · (20 + 2 · 10 + 30) = 140; bits 2 · (8 · 20 + 6 · 30) + (4 + 2 + 2 + 2) · 10 = 780
    const r = averageBits(small, 2, 2, {
      attention: 8,
      experts: [
        [4, 2],
        [2, 2],
      ],
      shared: 6,
    });
    expect(r.quantizedParams).toBe(140);
    expect(r.bits).toBe(780);
    expect(r.bytes).toBe(97.5);
    expect(r.avgBits).toBeCloseTo(780 / 140, 12);
  });
  it("gives shared experts the attention bits when not set", () => {
    // 2 · (8 · 20 + 8 · 30) + 10 · 10 = 900
    expect(
      averageBits(small, 2, 2, {
        attention: 8,
        experts: [
          [4, 2],
          [2, 2],
        ],
      }).bits,
    ).toBe(900);
  });
  it("rejects an allocation of the wrong shape or invalid bits", () => {
    expect(() => averageBits(small, 2, 2, { attention: 8, experts: [[4, 2]] })).toThrow(RangeError);
    expect(() => averageBits(small, 2, 2, { attention: 8, experts: [[4, 2], [2]] })).toThrow(RangeError);
    expect(() => averageBits(small, 1, 2, { attention: NaN, experts: [[4, 2]] })).toThrow(RangeError);
  });
});

describe("Mixtral-8x7B reference allocations (QuantMoE-Bench, shared/data/papers/quantmoe-bench.json)", () => {
  const mixtral = findPreset("mixtral-8x7b")!;
  const params = mixtral.params!;
  const perLayer = (f: (l: number, e: number) => number): number[][] =>
    Array.from({ length: 32 }, (_, l) => Array.from({ length: 8 }, (_, e) => f(l, e)));
  const avg = (alloc: BitAllocation) => averageBits(params, 32, 8, alloc).avgBits;
  it("matches the paper's average bits", () => {
    expect(Math.abs(avg({ attention: 4, experts: perLayer((_, e) => (e < 2 ? 4 : 2)) }) - 2.54)).toBeLessThan(0.005);
    expect(Math.abs(avg({ attention: 4, experts: perLayer((_, e) => (e < 4 ? 4 : 2)) }) - 3.03)).toBeLessThan(0.005);
    expect(Math.abs(avg({ attention: 4, experts: perLayer(() => 2) }) - 2.06)).toBeLessThan(0.005);
    expect(Math.abs(avg({ attention: 8, experts: perLayer(() => 2) }) - 2.17)).toBeLessThan(0.005);
    expect(Math.abs(avg({ attention: 4, experts: perLayer((l) => (l < 4 ? 4 : 2)) }) - 2.3)).toBeLessThan(0.005);
    expect(Math.abs(avg({ attention: 4, experts: perLayer((l) => (l < 8 ? 4 : 2)) }) - 2.54)).toBeLessThan(0.005);
  });
  it("attention is 2.89% of the quantized parameters", () => {
    const att = averageBits(params, 32, 8, { attention: 1, experts: perLayer(() => 0) });
    expect(att.avgBits).toBeCloseTo(0.0289, 4);
  });
});

// attention 20, one expert 10, no shared; 2 layers x 3 experts: 100 params.
// All experts at 2 bits, attention at 4: 2 · 4 · 20 + 6 · 2 · 10 = 280 bits = 2.8; each expert at 4 adds 20 bits (+0.2).
const tiny = { attention: { a: 20 }, expert: { x: 10 }, shared: {} };
const base = { high: 4, low: 2, attention: 4 };

describe("suggestByUsage", () => {
  const load = [
    [5, 1, 3],
    [0, 2, 2],
  ];
  it("gives the topPerLayer most used experts of each layer high bits, ties by lower id", () => {
    expect(suggestByUsage(load, { ...base, topPerLayer: 1 }).experts).toEqual([
      [4, 2, 2],
      [2, 4, 2],
    ]);
    expect(suggestByUsage(load, { ...base, topPerLayer: 2 })).toEqual({
      attention: 4,
      experts: [
        [4, 2, 4],
        [2, 4, 4],
      ],
    });
  });
  it("with a budget, picks the largest uniform topPerLayer that fits, then fills the rest one expert at a time", () => {
    // top 1: 3.2, top 2: 3.6, top 3: 4.0. At 3.5, after top 1 the next experts are layer 0's
    // expert 2 (3/9 of its load) and layer 1's expert 2 (2/4): layer 1's goes first (3.4), a
    // second would make 3.6.
    expect(suggestByUsage(load, { ...base, budget: 3.5, params: tiny }).experts).toEqual([
      [4, 2, 2],
      [2, 4, 4],
    ]);
    expect(suggestByUsage(load, { ...base, budget: 3.3, params: tiny }).experts).toEqual([
      [4, 2, 2],
      [2, 4, 2],
    ]);
    expect(suggestByUsage(load, { ...base, budget: 3.6, params: tiny }).experts).toEqual([
      [4, 2, 4],
      [2, 4, 4],
    ]);
    expect(suggestByUsage(load, { ...base, budget: 10, params: tiny }).experts).toEqual([
      [4, 4, 4],
      [4, 4, 4],
    ]);
    expect(suggestByUsage(load, { ...base, budget: 2.5, params: tiny }).experts).toEqual([
      [2, 2, 2],
      [2, 2, 2],
    ]);
  });
  it("needs topPerLayer or a budget with params", () => {
    expect(() => suggestByUsage(load, base)).toThrow();
    expect(() => suggestByUsage(load, { ...base, budget: 3 })).toThrow();
  });
  it("uses the whole 2.54-bit default budget on Mixtral, up to one expert's step, never over it", () => {
    // The uniform top-2 of PRODUCT.md's reference is 2.543 bits, just over 2.54: the uniform count
    // alone falls back to top-1 (2.30), leaving a quarter bit unused.
    const mixtral = findPreset("mixtral-8x7b")!;
    const params = mixtral.params!;
    const load8 = Array.from({ length: 32 }, (_, l) =>
      Array.from({ length: 8 }, (_, e) => ((e * 7 + l) % 8) + 1 + l / 64),
    );
    const alloc = suggestByUsage(load8, { ...base, budget: 2.54, params });
    const avg = averageBits(params, 32, 8, alloc).avgBits;
    const step = allocationStep(params, 32, 8, base, "usage");
    expect(step).toBeCloseTo(0.00759, 5);
    expect(avg).toBeLessThanOrEqual(2.54);
    expect(avg).toBeGreaterThan(2.54 - step);
    // 63 experts at 4 bits: top-1 everywhere, and the second most used of 31 layers.
    expect(alloc.experts.flat().filter((b) => b === 4)).toHaveLength(63);
    expect(alloc.experts.every((row) => row.filter((b) => b === 4).length >= 1)).toBe(true);
    // The layer left without its second expert is the one whose second expert has the smallest load share.
    const second = (l: number) => [...load8[l]].sort((a, b) => b - a)[1] / load8[l].reduce((a, b) => a + b, 0);
    const short = alloc.experts.findIndex((row) => row.filter((b) => b === 4).length === 1);
    for (let l = 0; l < 32; l++) expect(second(short)).toBeLessThanOrEqual(second(l));
  });
  it("block allocations move in steps of one layer", () => {
    const params = findPreset("mixtral-8x7b")!.params!;
    expect(allocationStep(params, 32, 8, base, "block")).toBeCloseTo(
      8 * allocationStep(params, 32, 8, base, "outliers"),
      12,
    );
  });
  it("reproduces the Mixtral top-2 reference under a 2.55-bit budget", () => {
    const mixtral = findPreset("mixtral-8x7b")!;
    const load8 = Array.from({ length: 32 }, (_, l) => Array.from({ length: 8 }, (_, e) => (e * 7 + l) % 8));
    const alloc = suggestByUsage(load8, { ...base, budget: 2.55, params: mixtral.params });
    expect(alloc.experts.every((row) => row.filter((b) => b === 4).length === 2)).toBe(true);
    expect(averageBits(mixtral.params!, 32, 8, alloc).avgBits).toBeCloseTo(2.543, 3);
  });
});

describe("suggestByOutliers", () => {
  const scores = [
    [1, 9, 3],
    [7, 2, NaN],
  ];
  it("ranks globally and promotes greedily while the budget holds", () => {
    // order 9 (0,1), 7 (1,0), 3 (0,2), 2 (1,1), ...: three promotions give 3.4, a fourth 3.6 > 3.5
    expect(suggestByOutliers(scores, { ...base, budget: 3.5, params: tiny }).experts).toEqual([
      [2, 4, 4],
      [4, 2, 2],
    ]);
    expect(suggestByOutliers(scores, { ...base, budget: 2.7, params: tiny }).experts).toEqual([
      [2, 2, 2],
      [2, 2, 2],
    ]);
    // NaN ranks last
    expect(suggestByOutliers(scores, { ...base, budget: 4, params: tiny }).experts).toEqual([
      [4, 4, 4],
      [4, 4, 4],
    ]);
    expect(suggestByOutliers(scores, { ...base, budget: 3.9, params: tiny }).experts).toEqual([
      [4, 4, 4],
      [4, 4, 2],
    ]);
  });
  it("with topPerLayer, takes the top experts of each layer", () => {
    expect(suggestByOutliers(scores, { ...base, topPerLayer: 1, shared: 8 })).toEqual({
      attention: 4,
      shared: 8,
      experts: [
        [2, 4, 2],
        [4, 2, 2],
      ],
    });
  });
});

describe("suggestByBlock", () => {
  it("gives the first N MoE blocks' experts high bits", () => {
    expect(suggestByBlock(4, 2, { ...base, firstBlocks: 1 }).experts).toEqual([
      [4, 4],
      [2, 2],
      [2, 2],
      [2, 2],
    ]);
  });
  it("with a budget, picks the largest N that fits", () => {
    // 4 layers x 2 experts: 160 params; all low 480 bits = 3.0; each block +40 bits = +0.25
    expect(suggestByBlock(4, 2, { ...base, budget: 3.5, params: tiny }).experts).toEqual([
      [4, 4],
      [4, 4],
      [2, 2],
      [2, 2],
    ]);
    expect(
      suggestByBlock(4, 2, { ...base, budget: 3.49, params: tiny }).experts.filter((r) => r[0] === 4),
    ).toHaveLength(1);
  });
  it("reproduces the Mixtral first-4/first-8 references", () => {
    const p = findPreset("mixtral-8x7b")!.params!;
    expect(averageBits(p, 32, 8, suggestByBlock(32, 8, { ...base, firstBlocks: 4 })).avgBits).toBeCloseTo(2.3, 2);
    expect(averageBits(p, 32, 8, suggestByBlock(32, 8, { ...base, firstBlocks: 8 })).avgBits).toBeCloseTo(2.54, 2);
    expect(suggestByBlock(32, 8, { ...base, budget: 2.54, params: p }).experts.filter((r) => r[0] === 4)).toHaveLength(
      7,
    );
  });
});

describe("paretoFrontier", () => {
  it("keeps the non-dominated points sorted by bits", () => {
    const pts = [
      { bits: 2, accuracy: 50 }, // 0 kept
      { bits: 3, accuracy: 60 }, // 1 kept
      { bits: 3, accuracy: 55 }, // 2 dominated by 1
      { bits: 4, accuracy: 58 }, // 3 dominated by 1
      { bits: 2.5, accuracy: 50 }, // 4 dominated by 0 (more bits, same accuracy)
      { bits: 4, accuracy: 70 }, // 5 kept
      { bits: 4, accuracy: 70 }, // 6 equal to 5: kept
      { bits: NaN, accuracy: 99 }, // 7 left out
      { bits: 1, accuracy: 10 }, // 8 kept
    ];
    expect(paretoFrontier(pts)).toEqual([8, 0, 1, 5, 6]);
    expect(paretoFrontier([])).toEqual([]);
  });
});
