import { accumulateTopK, emptyLayerAggregate, type LayerAggregate } from "./layer-aggregate";
import { DeviceCounter } from "./placement";

/**
 * A6 routing simulations (PRODUCT.md §4), replayed on events that carry router logits.
 *  - c2r: p = scores(logits); e1 = argmax p; the other k − 1 experts are the highest-p among
 *    TopT(e1), e1's T strongest collaborators (from this run's co-activation or another's);
 *    T ≥ k − 1 is required (fewer candidates than picks is refused, not defined).
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

export function newSimulationState(
  model: SimModel,
  devOf: Int32Array[] = Array.from({ length: model.layers }, () => new Int32Array(model.experts)),
  devices = 1,
): SimulationState {
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
  const top = new TopK(Math.min(topT, Math.max(experts - 1, 1)));
  for (let i = 0; i < experts; i++) {
    top.reset();
    for (let j = 0; j < experts; j++) if (j !== i) top.offer(j, coactivation[i * experts + j]);
    for (let t = 0; t < top.size; t++) out[i * topT + t] = top.ids[t];
  }
  return out;
}

/** Replays one batch of events (k ids and E logits each) under `spec`, adding to `state`; returns the new top-k ids. */
export function simulateBatch(
  state: SimulationState,
  spec: SimulationSpec,
  model: SimModel,
  count: number,
  layerOf: ArrayLike<number>,
  oldIds: ArrayLike<number>,
  logits: ArrayLike<number>,
) {
  const { experts: E, topK: K } = model;
  // C2R needs k − 1 candidates besides e1: with fewer, tokens would get fewer than k experts (a
  // different model), so the caller must refuse it (the API answers 400 on topT).
  if (spec.kind === "c2r" && spec.topT < K - 1)
    throw new Error(`C2R with T = ${spec.topT} cannot pick the other ${K - 1} of top-${K}: T must be at least k − 1`);
  // Scores of the original router, dropped experts included: routing mass is measured with them.
  const p = new Float64Array(E);
  const newIds = new Int16Array(count * K).fill(-1);
  const newW = new Float32Array(count * K);
  const top = new TopK(K);
  const devices = spec.kind === "device-limited" ? spec.devices : 1;
  const per = E / devices;
  const devMax = new Float64Array(devices);
  const devTaken = new Uint8Array(devices);
  for (let t = 0; t < count; t++) {
    const l = layerOf[t];
    scoresOf(logits, t * E, E, model.router, p);
    top.reset();
    if (spec.kind === "c2r") {
      // e1 = argmax p (ties: lower id), then the k − 1 highest-p among TopT(e1).
      let e1 = 0;
      for (let e = 1; e < E; e++) if (p[e] > p[e1]) e1 = e;
      top.offer(e1, Infinity);
      const list = spec.collaborators[l];
      for (let x = 0; x < spec.topT; x++) {
        const c = list[e1 * spec.topT + x];
        if (c >= 0 && c !== e1) top.offer(c, p[c]);
      }
    } else if (spec.kind === "device-limited") {
      // The M devices whose best expert scores highest (ties: lower device), then top-k on them.
      devMax.fill(-Infinity);
      devTaken.fill(0);
      for (let e = 0; e < E; e++) {
        const d = (e / per) | 0;
        if (p[e] > devMax[d]) devMax[d] = p[e];
      }
      for (let m = 0; m < spec.maxDevices; m++) {
        let best = -1;
        for (let d = 0; d < devices; d++) if (!devTaken[d] && (best < 0 || devMax[d] > devMax[best])) best = d;
        devTaken[best] = 1;
      }
      for (let e = 0; e < E; e++) if (devTaken[(e / per) | 0]) top.offer(e, p[e]);
    } else {
      // Dropped experts' logits are −∞: the top-k of the survivors by the original scores (a
      // softmax over the survivors keeps their order and their ratios).
      const dropped = spec.dropped[l];
      for (let e = 0; e < E; e++) if (!dropped[e]) top.offer(e, p[e]);
    }
    const n = top.size;
    let massNew = 0;
    for (let a = 0; a < n; a++) massNew += p[top.ids[a]];
    // Gate weights: the chosen scores renormalized; otherwise the router's own scores, which for a
    // softmax without the dropped experts are p / (the survivors' share).
    let denom = 1;
    if (model.renormalize) denom = massNew;
    else if (spec.kind === "drop" && model.router === "softmax") {
      denom = 0;
      for (let e = 0; e < E; e++) if (!spec.dropped[l][e]) denom += p[e];
    }
    let sumOld = 0;
    let valid = 0;
    let same = true;
    for (let a = 0; a < K; a++) {
      const o = oldIds[t * K + a];
      if (o < 0) continue;
      valid++;
      sumOld += p[o];
      if (!top.has(o)) same = false;
    }
    if (valid !== n) same = false;
    for (let a = 0; a < n; a++) {
      const e = top.ids[a];
      newIds[t * K + a] = e;
      newW[t * K + a] = denom > 0 ? p[e] / denom : p[e];
    }
    state.tokens[l] += 1;
    if (!same) state.flipped[l] += 1;
    state.massNew[l] += massNew;
    state.massOld[l] += sumOld;
  }
  accumulateTopK(state.layers, count, K, layerOf, newIds, newW);
  state.ctAfter.add(count, K, layerOf, newIds);
  // The derived routing: ids, so callers can count them under other placements too, and the gate
  // weights the model would apply (what a re-routed trace, e.g. the demo's C2R run, records).
  return { ids: newIds, weights: newW };
}

/**
 * The k best offers, highest score first, in one pass: offers come in increasing id order and an
 * equal score never displaces an earlier one, so ties go to the lower id, as a repeated argmax does.
 */
class TopK {
  readonly ids: Int32Array;
  private readonly scores: Float64Array;
  size = 0;
  constructor(private readonly k: number) {
    this.ids = new Int32Array(k);
    this.scores = new Float64Array(k);
  }
  reset() {
    this.size = 0;
  }
  offer(id: number, score: number) {
    const { k, ids, scores } = this;
    if (this.size === k && !(score > scores[k - 1])) return;
    let i = this.size < k ? this.size++ : k - 1;
    while (i > 0 && score > scores[i - 1]) {
      ids[i] = ids[i - 1];
      scores[i] = scores[i - 1];
      i--;
    }
    ids[i] = id;
    scores[i] = score;
  }
  has(id: number) {
    for (let a = 0; a < this.size; a++) if (this.ids[a] === id) return true;
    return false;
  }
}

/** The router's scores of one event's logits: softmax, or sigmoid for sigmoid routers. */
function scoresOf(logits: ArrayLike<number>, at: number, E: number, router: SimModel["router"], out: Float64Array) {
  if (router === "sigmoid") {
    for (let e = 0; e < E; e++) out[e] = 1 / (1 + Math.exp(-logits[at + e]));
    return;
  }
  let max = -Infinity;
  for (let e = 0; e < E; e++) if (logits[at + e] > max) max = logits[at + e];
  let z = 0;
  for (let e = 0; e < E; e++) {
    out[e] = Math.exp(logits[at + e] - max);
    z += out[e];
  }
  for (let e = 0; e < E; e++) out[e] /= z;
}
