import { describe, expect, it } from "vitest";
import { emptyLayerAggregate } from "./layer-aggregate";
import { addLabelSums, addLayerSums, ownLabelSums, ownLayerSums, runTokens, type LayerSums } from "./upload-sums";

const f = (...v: number[]) => Float64Array.from(v);
const layer = (l: number, w: number, transitions: Float64Array | null = null): LayerSums => ({
  layer: l,
  tokens: 1,
  load: f(1, 0),
  weightSum: f(w, 0),
  coactivation: f(0, 0, 0, 0),
  transitions,
});

describe("adding upload sums", () => {
  it("adds in the given order, so re-adding the rest reproduces a run without one upload bit for bit", () => {
    const a = layer(0, 0.1);
    const b = layer(0, 0.2);
    const c = layer(0, 0.3);
    const withB = new Map<number, LayerSums>();
    for (const u of [a, b, c]) addLayerSums(withB, [u]);
    const withoutB = new Map<number, LayerSums>();
    for (const u of [a, c]) addLayerSums(withoutB, [u]);
    // Subtracting does not give it back: (0.1 + 0.2 + 0.3) - 0.2 is not 0.1 + 0.3 in float64.
    expect(withB.get(0)!.weightSum[0] - 0.2).not.toBe(withoutB.get(0)!.weightSum[0]);
    expect(withoutB.get(0)!.weightSum[0]).toBe(0.1 + 0.3);
    expect(withoutB.get(0)!.tokens).toBe(2);
  });

  it("copies a layer it starts with (the upload's arrays stay its own) and adds transitions where known", () => {
    const a = layer(1, 0.5, f(1, 2, 3, 4));
    const totals = new Map<number, LayerSums>();
    expect(addLayerSums(totals, [a, layer(2, 1)])).toEqual([1, 2]);
    totals.get(1)!.load[0] = 99;
    expect(a.load[0]).toBe(1);
    addLayerSums(totals, [layer(1, 0.5)]);
    expect(Array.from(totals.get(1)!.transitions!)).toEqual([1, 2, 3, 4]);
    addLayerSums(totals, [layer(2, 1, f(1, 1, 1, 1))]);
    expect(Array.from(totals.get(2)!.transitions!)).toEqual([1, 1, 1, 1]);
    expect(() => addLayerSums(totals, [{ ...layer(1, 0), load: f(1, 2, 3) }])).toThrow(
      /cannot add sums of 3 values to sums of 2/,
    );

    const labels = new Map();
    addLabelSums(labels, [{ label: "code", tokens: f(1), load: f(1, 0) }]);
    addLabelSums(labels, [{ label: "code", tokens: f(2), load: f(0, 2) }]);
    expect(Array.from(labels.get("code").load)).toEqual([1, 2]);
  });
});

describe("an upload's own sums", () => {
  it("keeps the layers it touches: tokens, or transitions to the next layer", () => {
    const none = emptyLayerAggregate(2);
    const some = { ...emptyLayerAggregate(2), tokens: 3 };
    const own = ownLayerSums([some, none, none], [null, f(1, 0, 0, 0), null]);
    expect(own.map((s) => [s.layer, s.tokens, s.transitions ? Array.from(s.transitions) : null])).toEqual([
      [0, 3, null],
      [1, 0, [1, 0, 0, 0]],
    ]);
    expect(ownLayerSums([none, none], null)).toEqual([]);
  });

  it("pairs each label with its loads, leaving out a label without any", () => {
    const load = { tokens: f(1), load: f(1, 0) };
    expect(ownLabelSums(["code", "math"], [undefined, load])).toEqual([
      { label: "math", tokens: load.tokens, load: load.load },
    ]);
  });

  it("a run's tokens are its largest layer count", () => {
    expect(runTokens([layer(0, 0), { ...layer(1, 0), tokens: 5 }])).toBe(5);
    expect(runTokens([])).toBe(0);
  });
});
