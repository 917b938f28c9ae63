import { describe, expect, it } from "vitest";
import {
  CRITERION_DEFINITIONS,
  CRITERION_SOURCE,
  MC_SUITE_CRITERIA,
  PRUNING_SCHEDULES,
  TokenSets,
  dropLowest,
  dropStepOf,
  droppedSetJaccard,
  eccDrop,
  importanceScores,
  jaccard,
  keepMask,
  tokenSetImportance,
} from "./pruning";

describe("criteria", () => {
  it("lists the 16 MC-Suite criteria with a definition each; four are computable from traces", () => {
    expect(MC_SUITE_CRITERIA).toHaveLength(16);
    expect(new Set(MC_SUITE_CRITERIA).size).toBe(16);
    for (const c of MC_SUITE_CRITERIA) expect(CRITERION_DEFINITIONS[c].length).toBeGreaterThan(10);
    expect(MC_SUITE_CRITERIA.filter((c) => CRITERION_SOURCE[c] === "trace")).toEqual(["EUF", "ECC", "EVTC", "ETS"]);
    expect(PRUNING_SCHEDULES).toEqual(["one-shot", "iterative", "lottery"]);
  });
});

describe("importanceScores", () => {
  const layer = { load: [4, 0, 2], weightSum: [2, 0, 1.5] };
  it("EUF = load, gate = weightSum / load (0 when unused), soft-load = weightSum", () => {
    expect(Array.from(importanceScores("EUF", layer, 3))).toEqual([4, 0, 2]);
    expect(Array.from(importanceScores("gate", layer, 3))).toEqual([0.5, 0, 0.75]);
    expect(Array.from(importanceScores("soft-load", layer, 3))).toEqual([2, 0, 1.5]);
  });
});

describe("dropLowest", () => {
  it("drops the r lowest, ties by the lower id, sorted ascending", () => {
    expect(dropLowest([3, 1, 1, 5], 1)).toEqual([1]);
    expect(dropLowest([3, 1, 1, 5], 2)).toEqual([1, 2]);
    expect(dropLowest([3, 1, 1, 5], 3)).toEqual([0, 1, 2]);
    expect(dropLowest([3, 1, 1, 5], 0)).toEqual([]);
  });
  it("only considers alive experts and drops at most all of them", () => {
    // alive 0 (3), 2 (1), 3 (5): the two lowest are 2 then 0
    expect(dropLowest([3, 1, 1, 5], 2, [1, 0, 1, 1])).toEqual([0, 2]);
    expect(dropLowest([3, 1, 1, 5], 9, [true, false, true, false])).toEqual([0, 2]);
  });
  it("drops NaN scores first", () => {
    expect(dropLowest([0, NaN, -1], 1)).toEqual([1]);
  });
});

describe("eccDrop", () => {
  // C01 = 5, C02 = 1, C03 = 3, C12 = 4, C13 = 2, C23 = 6
  const C = [0, 5, 1, 3, 5, 0, 4, 2, 1, 4, 0, 6, 3, 2, 6, 0];
  const load = [10, 8, 12, 9];
  it("min: smallest pair, drop its lower-EUF member, repeat on the survivors", () => {
    // (0,2) C=1: load 10 < 12 -> drop 0; then among 1,2,3 (1,3) C=2: 8 < 9 -> drop 1
    expect(eccDrop(C, load, 4, 1, "min")).toEqual([0]);
    expect(eccDrop(C, load, 4, 2, "min")).toEqual([0, 1]);
  });
  it("max: largest pair", () => {
    // (2,3) C=6: drop 3; then among 0,1,2 (0,1) C=5: drop 1; then (0,2): drop 0
    expect(eccDrop(C, load, 4, 1, "max")).toEqual([3]);
    expect(eccDrop(C, load, 4, 2, "max")).toEqual([1, 3]);
    expect(eccDrop(C, load, 4, 3, "max")).toEqual([0, 1, 3]);
  });
  it("stops with one survivor", () => {
    expect(eccDrop(C, load, 4, 10, "max")).toEqual([0, 1, 3]);
  });
  it("respects alive", () => {
    // without 2: (1,3) C=2 is the min -> drop 1
    expect(eccDrop(C, load, 4, 1, "min", [1, 1, 0, 1])).toEqual([1]);
  });
  it("breaks ties by the first pair and, on equal loads, drops the lower id", () => {
    expect(eccDrop(new Array(9).fill(0), [1, 1, 1], 3, 1, "min")).toEqual([0]);
    expect(eccDrop(new Array(9).fill(0), [2, 1, 1], 3, 1, "max")).toEqual([1]);
  });
});

describe("TokenSets (EVTC, ETS)", () => {
  function build() {
    const s = new TokenSets(2, 3, 10);
    // t0 layer0 tok 1 -> {0,1}; t1 layer0 tok 2 -> {0,2}; t2 layer0 tok 1 -> {1,-}; t3 layer1 tok 5 -> {2,0}
    s.add(4, 2, [0, 0, 0, 1], [0, 1, 0, 2, 1, -1, 2, 0], [1, 2, 1, 5]);
    // a token id beyond the initial vocabulary grows the bitsets; a negative token id is skipped
    s.add(2, 2, [0, 0], [2, 0, 1, 2], [100, -1]);
    return s;
  }
  it("coverage counts distinct token ids per expert", () => {
    const s = build();
    // layer 0: e0 {1,2,100}, e1 {1}, e2 {2,100}; layer 1: e0 {5}, e1 {}, e2 {5}
    expect(Array.from(s.coverage(0))).toEqual([3, 1, 2]);
    expect(Array.from(s.coverage(1))).toEqual([1, 0, 1]);
  });
  it("similarity is the mean Jaccard with the other experts' sets", () => {
    const s = build();
    // J01 = 1/3, J02 = 2/3, J12 = 0
    const sim = s.similarity(0);
    expect(sim[0]).toBeCloseTo(0.5, 12);
    expect(sim[1]).toBeCloseTo(1 / 6, 12);
    expect(sim[2]).toBeCloseTo(1 / 3, 12);
    // J02 = 1; with the empty set 0
    expect(Array.from(s.similarity(1))).toEqual([0.5, 0, 0.5]);
  });
  it("EVTC drops the lowest coverage, ETS the most similar expert", () => {
    const s = build();
    expect(dropLowest(tokenSetImportance("EVTC", s, 0), 1)).toEqual([1]);
    expect(dropLowest(tokenSetImportance("ETS", s, 0), 1)).toEqual([0]);
    expect(dropLowest(tokenSetImportance("ETS", s, 0), 2)).toEqual([0, 2]);
  });
  it("counts bits across word boundaries, including bit 31", () => {
    const s = new TokenSets(1, 2, 64);
    s.add(4, 1, [0, 0, 0, 0], [0, 0, 0, 1], [31, 32, 31, 63]);
    expect(Array.from(s.coverage(0))).toEqual([2, 1]);
    expect(Array.from(s.similarity(0))).toEqual([0, 0]);
  });
});

describe("keep-mask and comparisons", () => {
  it("keepMask marks dropped experts false", () => {
    expect(keepMask([[1], [0, 2]], 3)).toEqual([
      [true, false, true],
      [false, true, false],
    ]);
    expect(() => keepMask([[3]], 3)).toThrow(RangeError);
  });
  it("jaccard of id sets; null when both are empty", () => {
    expect(jaccard([1, 2], [2, 3])).toBeCloseTo(1 / 3, 12);
    expect(jaccard([1, 1], [1])).toBe(1);
    expect(jaccard([], [1])).toBe(0);
    expect(jaccard([], [])).toBeNull();
  });
  it("droppedSetJaccard per layer and mean over defined layers", () => {
    expect(droppedSetJaccard([[1], [0, 2], []], [[1], [2], []])).toEqual({ perLayer: [1, 0.5, null], mean: 0.75 });
    // a layer missing in one run counts as nothing dropped
    expect(droppedSetJaccard([[1], [0]], [[1]])).toEqual({ perLayer: [1, 0], mean: 0.5 });
    expect(droppedSetJaccard([[]], [[]])).toEqual({ perLayer: [null], mean: null });
  });
});

describe("dropStepOf", () => {
  it("gives the first step (1-based) dropping each expert, 0 = never; cumulative and incremental lists agree", () => {
    const want = [0, 1, 2, 1, 2, 0];
    const cumulative = [
      { dropped: [[1], [0]] },
      {
        dropped: [
          [1, 2],
          [0, 1],
        ],
      },
    ];
    const incremental = [{ dropped: [[1], [0]] }, { dropped: [[2], [1]] }];
    expect(Array.from(dropStepOf(cumulative, 2, 3))).toEqual(want);
    expect(Array.from(dropStepOf(incremental, 2, 3))).toEqual(want);
    expect(Array.from(dropStepOf([], 2, 3))).toEqual([0, 0, 0, 0, 0, 0]);
  });
  it("rejects ids out of range", () => {
    expect(() => dropStepOf([{ dropped: [[3]] }], 1, 3)).toThrow(RangeError);
    expect(() => dropStepOf([{ dropped: [[0], [0]] }], 1, 3)).toThrow(RangeError);
  });
});

describe("TokenSets input checks", () => {
  it("rejects layer or expert ids out of range", () => {
    const s = new TokenSets(1, 2, 8);
    expect(() => s.add(1, 1, [1], [0], [3])).toThrow(RangeError);
    expect(() => s.add(1, 1, [0], [2], [3])).toThrow(RangeError);
  });
});
