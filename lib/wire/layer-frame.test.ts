import { describe, expect, it } from "vitest";
import { balanceMetrics } from "@/lib/analysis/balance";
import { decodeLayerFrame, encodeLayerFrame, layerFrameFromJson, round7 } from "./layer-frame";

const E = 3;
const load = Float64Array.of(4, 2, 0);
const coactivation = Float64Array.of(0, 2, 1, 2, 0, 0, 1, 0, 0);
const normalized = round7(Float64Array.of(0, 0.5, 1 / 3, 1, 0, 0, 1, 0, 0));
const base = {
  layer: 1,
  modelLayer: 4,
  experts: E,
  tokens: 5,
  balance: balanceMetrics(load),
  load,
  weightSum: Float64Array.of(1.5, 0.25, 0),
  coactivation,
};

describe("layer frames", () => {
  it("carry the layer answer's scalars and matrices; counts go as uint32, normalized values as the JSON's doubles", () => {
    const f = decodeLayerFrame(
      encodeLayerFrame({ ...base, normalization: "conditional", normalized }).buffer as ArrayBuffer,
    );
    expect(f).toMatchObject({
      layer: 1,
      modelLayer: 4,
      experts: E,
      tokens: 5,
      normalization: "conditional",
      balance: base.balance,
    });
    expect(f.coactivation).toBeInstanceOf(Uint32Array);
    expect(Array.from(f.coactivation)).toEqual(Array.from(coactivation));
    expect(f.normalized![2]).toBe(0.3333333); // 7 significant digits, as in JSON
    expect(f.transitions).toBeUndefined();
  });

  it("say when a layer has no transitions (the JSON's null) and carry them when it has", () => {
    const none = decodeLayerFrame(
      encodeLayerFrame({ ...base, hasTransitions: false, transitions: null }).buffer as ArrayBuffer,
    );
    expect(none.transitions).toBeNull();
    const t = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
    const some = decodeLayerFrame(
      encodeLayerFrame({ ...base, hasTransitions: true, transitions: t }).buffer as ArrayBuffer,
    );
    expect(Array.from(some.transitions!)).toEqual(Array.from(t));
  });

  it("equal the JSON answer turned into typed arrays (shares pinned as JSON draw the same)", () => {
    const frame = decodeLayerFrame(
      encodeLayerFrame({ ...base, normalization: "conditional", normalized }).buffer as ArrayBuffer,
    );
    const rows = (m: Float64Array) => [0, 1, 2].map((i) => Array.from(m.subarray(i * E, (i + 1) * E)));
    const json = {
      ...base,
      load: Array.from(load),
      weightSum: Array.from(base.weightSum),
      coactivation: rows(coactivation),
      normalization: "conditional" as const,
      normalized: rows(normalized),
    };
    const fromJson = layerFrameFromJson(json);
    for (const k of ["load", "weightSum", "coactivation", "normalized"] as const)
      expect(Array.from(fromJson[k]!)).toEqual(Array.from(frame[k]!));
  });
});
