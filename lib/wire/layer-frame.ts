import type { BalanceMetrics } from "@/lib/analysis/balance";
import type { Normalization } from "@/lib/analysis/coactivation";
import { decodeFrame, encodeFrame, WireError, type EncodeArray, type WireArray } from "./frame";

/** What a layer frame's JSON header carries: the scalars of GET /api/runs/{id}/layers/{layer}. */
export interface LayerFrameMeta {
  layer: number;
  modelLayer: number;
  experts: number;
  tokens: number;
  balance: BalanceMetrics;
  normalization?: Normalization;
  /** With include=transitions: false when the layer has none recorded (the JSON's `transitions: null`). */
  hasTransitions?: boolean;
}

/** The layer answer with its matrices as typed arrays (row-major E x E), as the browser draws it. */
export interface LayerFrame extends LayerFrameMeta {
  load: WireArray;
  weightSum: WireArray;
  coactivation: WireArray;
  normalized?: WireArray;
  transitions?: WireArray | null;
}

/**
 * The layer answer's normalized values are rounded to 7 significant digits (getLayerArrays, lib/runs/get-layer-view.ts);
 * the frame sends the same doubles, so a tooltip shows the same number whichever transport it came by
 * (tests/wire compare the two answers value for value).
 */
export function round7(m: Float64Array): Float64Array {
  const out = new Float64Array(m.length);
  for (let i = 0; i < m.length; i++) out[i] = Number(m[i].toPrecision(7));
  return out;
}

export interface LayerFrameInput extends LayerFrameMeta {
  load: Float64Array;
  weightSum: Float64Array;
  coactivation: Float64Array;
  /** Already rounded as the JSON answer is. */
  normalized?: Float64Array;
  transitions?: Float64Array | null;
}

export function encodeLayerFrame(input: LayerFrameInput): Uint8Array {
  const { load, weightSum, coactivation, normalized, transitions, ...meta } = input;
  const E = meta.experts;
  const arrays: Record<string, EncodeArray> = {
    load: { values: load, shape: [E] },
    weightSum: { values: weightSum, shape: [E] },
    coactivation: { values: coactivation, shape: [E, E] },
  };
  if (normalized) arrays.normalized = { values: normalized, shape: [E, E] };
  if (transitions) arrays.transitions = { values: transitions, shape: [E, E] };
  return encodeFrame(meta, arrays);
}

export function decodeLayerFrame(buffer: ArrayBuffer): LayerFrame {
  const { meta, arrays } = decodeFrame<LayerFrameMeta>(buffer);
  for (const k of ["load", "weightSum", "coactivation"])
    if (!arrays[k]) throw new WireError(`layer frame without ${k}`);
  const E = meta.experts;
  if (arrays.coactivation.length !== E * E)
    throw new WireError(`layer frame: coactivation has ${arrays.coactivation.length} values for ${E} experts`);
  return {
    ...meta,
    load: arrays.load,
    weightSum: arrays.weightSum,
    coactivation: arrays.coactivation,
    ...(arrays.normalized ? { normalized: arrays.normalized } : {}),
    ...(meta.hasTransitions !== undefined ? { transitions: arrays.transitions ?? null } : {}),
  };
}

/** The JSON layer answer's shape, as far as the views read it. */
export interface LayerJson extends LayerFrameMeta {
  load: number[];
  weightSum: number[];
  coactivation: number[][];
  normalized?: number[][];
  transitions?: number[][] | null;
}

const flat = (rows: number[][], E: number) => {
  const out = new Float64Array(E * E);
  for (let i = 0; i < E; i++) out.set(rows[i], i * E);
  return out;
};

/**
 * A JSON layer answer as a LayerFrame: for shares pinned as JSON (lib/share stores the API's JSON
 * answers) and for the JSON transport kept for comparison (bench/explorer). The live views fetch frames.
 */
export function layerFrameFromJson(v: LayerJson): LayerFrame {
  const E = v.experts;
  const { load, weightSum, coactivation, normalized, transitions, ...meta } = v;
  return {
    ...meta,
    load: Float64Array.from(load),
    weightSum: Float64Array.from(weightSum),
    coactivation: flat(coactivation, E),
    ...(normalized ? { normalized: flat(normalized, E) } : {}),
    ...(transitions !== undefined
      ? { hasTransitions: transitions !== null, transitions: transitions ? flat(transitions, E) : null }
      : {}),
  };
}
