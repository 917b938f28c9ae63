import { describe, expect, it } from "vitest";
import { compareFrameFromJson, decodeCompareFrame, encodeCompareFrame } from "./compare-frame";

const rows = [
  [0, 0.25],
  [0.25, 0],
];
const comparison = {
  experts: 2,
  meanJsd: 0.125,
  perLayer: [{ layer: 0, jsd: 0.125 }],
  layerDetail: {
    layer: 0,
    jsd: 0.125,
    loadShareA: [0.5, 0.5],
    perTokenA: rows,
    perTokenB: rows,
    diff: [
      [0, -0.1],
      [-0.1, 0],
    ],
  },
};

describe("compare frames", () => {
  it("keep everything but the matrices as JSON and send the matrices as arrays", () => {
    const f = decodeCompareFrame<typeof comparison>(encodeCompareFrame(comparison).buffer as ArrayBuffer);
    expect(f.meanJsd).toBe(0.125);
    expect(f.perLayer).toEqual(comparison.perLayer);
    expect(f.layerDetail!.loadShareA).toEqual([0.5, 0.5]);
    expect(Array.from(f.layerDetail!.diff)).toEqual([0, -0.1, -0.1, 0]);
    expect(f.layerDetail!.perTokenA).toBeInstanceOf(Float32Array); // 0 and 0.25 are exact in float32
    // A share's pinned JSON becomes the same arrays.
    const j = compareFrameFromJson(comparison);
    for (const k of ["perTokenA", "perTokenB", "diff"] as const)
      expect(Array.from(j.layerDetail![k])).toEqual(Array.from(f.layerDetail![k]));
  });

  it("carry a comparison without a layer detail", () => {
    const none = { ...comparison, layerDetail: null };
    expect(decodeCompareFrame<typeof none>(encodeCompareFrame(none).buffer as ArrayBuffer)).toEqual(none);
  });
});
