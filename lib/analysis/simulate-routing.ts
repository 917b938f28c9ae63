import { accumulateTopK, emptyLayerAggregate, type LayerAggregate } from "./layer-aggregate";
import { DeviceCounter } from "./placement";

/**
 * A6 routing simulations (PRODUCT.md §4), replayed on events that carry router logits.
 *  - c2r: p = scores(logits); e1 = argmax p; the other k − 1 experts are the highest-p among
 *    TopT(e1), e1's T strongest collaborators (from this run's co-activation or another's).
 *  - device-limited: experts on D devices (contiguous); keep the M devices whose best expert has
 *    the highest score, then the top-k among experts on them (DeepSeek-V2/V3).
 *  - drop: dropped experts' logits become −inf; softmax and top-k over the survivors, k unchanged.
 * Scores are softmax(logits) for softmax routers and sigmoid(logits) for sigmoid routers; the
 * chosen experts' scores are the gate weights, renormalized when the model renormalizes.
 */
export type SimulationSpec =
  | { kind: "c2r"; topT: number; collaborators: Int32Array[] }
  | { kind: "device-limited"; devices: number; maxDevices: number }
  | { kind: "drop"; dropped: Uint8Array[] };

export interface SimModel {
  layers: number;
  experts: number;
  topK: number;
  renormalize: boolean;
  router: "softmax" | "sigmoid";
}

export interface SimulationState {
  /** Aggregates of the simulated routing. */
  layers: LayerAggregate[];
  tokens: Float64Array;
  /** Tokens whose top-k set changed. */
  flipped: Float64Array;
  /** Σ of the original scores over the new and the old top-k. */
  massNew: Float64Array;
  massOld: Float64Array;
  /** Devices reached by the simulated routing (C_T), for the placement given to newSimulationState. */
  ctAfter: DeviceCounter;
}

export function newSimulationState(model: SimModel, devOf: Int32Array[] = Array.from({ length: model.layers }, () => new Int32Array(model.experts)), devices = 1): SimulationState {
  const L = model.layers;
  return {
    layers: Array.from({ length: L }, () => emptyLayerAggregate(model.experts)),
    tokens: new Float64Array(L),
    flipped: new Float64Array(L),
    massNew: new Float64Array(L),
    massOld: new Float64Array(L),
    ctAfter: new DeviceCounter(devOf, devices),
  };
}

/** TopT(e) per expert from a layer's co-activation: T ids per expert, largest C first, ties by id. */
export function topCollaborators(coactivation: ArrayLike<number>, experts: number, topT: number): Int32Array {
  const out = new Int32Array(experts * topT).fill(-1);
  for (let i = 0; i < experts; i++) {
    const js = Array.from({ length: experts }, (_, j) => j).filter((j) => j !== i);
    js.sort((a, b) => coactivation[i * experts + b] - coactivation[i * experts + a] || a - b);
    for (let t = 0; t < Math.min(topT, js.length); t++) out[i * topT + t] = js[t];
  }
  return out;
}

/** Replays one batch of events (k ids and E logits each) under `spec`, adding to `state`; returns the new top-k ids. */
export function simulateBatch(state: SimulationState, spec: SimulationSpec, model: SimModel, count: number, layerOf: ArrayLike<number>, oldIds: ArrayLike<number>, logits: ArrayLike<number>) {
  const { experts: E, topK: K } = model;
  const scores = new Float64Array(E);
  const original = new Float64Array(E);
  const allowed = new Uint8Array(E);
  const newIds = new Int16Array(count * K).fill(-1);
  const newW = new Float32Array(count * K);
  const chosen: number[] = [];
  for (let t = 0; t < count; t++) {
    const l = layerOf[t];
    const dropped = spec.kind === "drop" ? spec.dropped[l] : null;
    scoresOf(logits, t * E, E, model.router, dropped, scores);
    // Routing mass is measured with the original router's scores, dropped experts included.
    if (dropped) scoresOf(logits, t * E, E, model.router, null, original);
    const p = dropped ? original : scores;
    allowed.fill(1);
    if (dropped) for (let e = 0; e < E; e++) if (dropped[e]) allowed[e] = 0;
    chosen.length = 0;
    if (spec.kind === "c2r") {
      const e1 = argmax(scores, allowed);
      chosen.push(e1);
      allowed.fill(0);
      const list = spec.collaborators[l];
      for (let x = 0; x < spec.topT; x++) {
        const c = list[e1 * spec.topT + x];
        if (c >= 0) allowed[c] = 1;
      }
      allowed[e1] = 0;
    } else if (spec.kind === "device-limited") {
      const per = E / spec.devices;
      const best = Array.from({ length: spec.devices }, (_, d) => {
        let m = -Infinity;
        for (let e = d * per; e < (d + 1) * per; e++) m = Math.max(m, scores[e]);
        return [m, d] as const;
      }).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
      allowed.fill(0);
      for (const [, d] of best.slice(0, spec.maxDevices)) for (let e = d * per; e < (d + 1) * per; e++) allowed[e] = 1;
    }
    while (chosen.length < K) {
      const e = argmax(scores, allowed);
      if (e < 0) break;
      chosen.push(e);
      allowed[e] = 0;
    }
    let sumNew = 0;
    let massNew = 0;
    for (const e of chosen) {
      sumNew += scores[e];
      massNew += p[e];
    }
    let sumOld = 0;
    let same = chosen.length === countValid(oldIds, t * K, K);
    for (let a = 0; a < K; a++) {
      const o = oldIds[t * K + a];
      if (o < 0) continue;
      sumOld += p[o];
      if (!chosen.includes(o)) same = false;
    }
    chosen.forEach((e, a) => {
      newIds[t * K + a] = e;
      newW[t * K + a] = model.renormalize && sumNew > 0 ? scores[e] / sumNew : scores[e];
    });
    state.tokens[l] += 1;
    if (!same) state.flipped[l] += 1;
    state.massNew[l] += massNew;
    state.massOld[l] += sumOld;
  }
  accumulateTopK(state.layers, count, K, layerOf, newIds, newW);
  state.ctAfter.add(count, K, layerOf, newIds);
  // The derived top-k ids, so callers can count them under other placements too.
  return newIds;
}

/** Scores of the original logits; dropped experts get 0 (their logit is −inf). */
function scoresOf(logits: ArrayLike<number>, at: number, E: number, router: SimModel["router"], dropped: Uint8Array | null, out: Float64Array) {
  if (router === "sigmoid") {
    for (let e = 0; e < E; e++) out[e] = dropped?.[e] ? 0 : 1 / (1 + Math.exp(-logits[at + e]));
    return;
  }
  let max = -Infinity;
  for (let e = 0; e < E; e++) if (!dropped?.[e] && logits[at + e] > max) max = logits[at + e];
  let z = 0;
  for (let e = 0; e < E; e++) {
    out[e] = dropped?.[e] ? 0 : Math.exp(logits[at + e] - max);
    z += out[e];
  }
  for (let e = 0; e < E; e++) out[e] /= z;
}

function argmax(scores: Float64Array, allowed: Uint8Array): number {
  let best = -1;
  for (let e = 0; e < scores.length; e++) if (allowed[e] && (best < 0 || scores[e] > scores[best])) best = e;
  return best;
}

function countValid(ids: ArrayLike<number>, at: number, k: number) {
  let n = 0;
  for (let a = 0; a < k; a++) if (ids[at + a] >= 0) n++;
  return n;
}
