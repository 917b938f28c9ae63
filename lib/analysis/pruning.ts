/**
 * A9 expert-dropping criteria computable from routing traces (PRODUCT.md §4, MC-Suite names) and
 * the helpers of stored pruning runs (§5): keep-masks, Jaccard overlap of dropped sets between
 * runs, and the step at which each expert was dropped.
 *
 * Conventions: an importance score is "larger = more important = kept"; the experts dropped are
 * the r lowest-scoring ones. Ties are broken by expert id, the lower id dropped first, everywhere
 * in this file. Lists of dropped experts are returned sorted ascending.
 */

/** The 16 criteria of MC-Suite (arXiv 2504.05586), in the paper's order. */
export const MC_SUITE_CRITERIA = [
  "EWS",
  "RWN",
  "WSR",
  "EWN",
  "EUF",
  "ECC",
  "EVTC",
  "ETS",
  "EAS",
  "EAE",
  "EAO",
  "EAN",
  "EGS",
  "EGE",
  "EGO",
  "EGN",
] as const;
export type McSuiteCriterion = (typeof MC_SUITE_CRITERIA)[number];

/** one-shot: rank once, drop r per layer; iterative: drop one per layer, re-route, re-estimate, repeat; lottery: iterative + task-agnostic fine-tuning after each round. */
export const PRUNING_SCHEDULES = ["one-shot", "iterative", "lottery"] as const;
export type PruningSchedule = (typeof PRUNING_SCHEDULES)[number];

/** What a criterion is computed from; only "trace" criteria can be computed here. */
export type CriterionSource = "weights" | "trace" | "activations" | "gradients";

/**
 * One sentence per criterion, shown next to it. The trace criteria are defined as computed here;
 * the weight-, activation- and gradient-based ones need the model (not a routing trace) and are
 * referred to MC-Suite rather than re-defined.
 */
export const CRITERION_DEFINITIONS: Record<McSuiteCriterion, string> = {
  EWS: "Weight-based criterion EWS, computed from the model's weights as defined in MC-Suite (not computable from a routing trace).",
  RWN: "Weight-based criterion RWN on the router weights, as defined in MC-Suite (not computable from a routing trace).",
  WSR: "Weight-based criterion WSR, computed from the model's weights as defined in MC-Suite (not computable from a routing trace).",
  EWN: "Weight-based criterion EWN on the expert weights, as defined in MC-Suite (not computable from a routing trace).",
  EUF: "Expert usage frequency: how many tokens selected the expert (its load); Min-EUF drops the least used.",
  ECC: "Expert-expert collaboration: take the pair of surviving experts with the min (or max) co-activation C_ij, drop the one of the two with the lower usage (EUF), repeat.",
  EVTC: "Expert vocabulary coverage: number of distinct token ids routed to the expert; the lowest coverage is dropped.",
  ETS: "Input-token similarity: mean Jaccard overlap of the expert's set of routed token ids with each other expert's; the most similar (most redundant) expert is dropped (Max-ETS).",
  EAS: "Activation-based criterion EAS, computed from expert activations on calibration data as defined in MC-Suite (not computable from a routing trace).",
  EAE: "Activation-based criterion EAE, computed from expert activations on calibration data as defined in MC-Suite (not computable from a routing trace).",
  EAO: "Activation-based criterion EAO, computed from expert activations on calibration data as defined in MC-Suite (not computable from a routing trace).",
  EAN: "Expert activation norm: the norm of the expert's activations (outputs) on calibration data, as defined in MC-Suite (not computable from a routing trace).",
  EGS: "Gradient-based criterion EGS, computed from gradients on calibration data as defined in MC-Suite (not computable from a routing trace).",
  EGE: "Gradient-based criterion EGE, computed from gradients on calibration data as defined in MC-Suite (not computable from a routing trace).",
  EGO: "Gradient-based criterion EGO, computed from gradients on calibration data as defined in MC-Suite (not computable from a routing trace).",
  EGN: "Gradient-based criterion EGN, computed from gradients on calibration data as defined in MC-Suite (not computable from a routing trace).",
};

export const CRITERION_SOURCE: Record<McSuiteCriterion, CriterionSource> = {
  EWS: "weights",
  RWN: "weights",
  WSR: "weights",
  EWN: "weights",
  EUF: "trace",
  ECC: "trace",
  EVTC: "trace",
  ETS: "trace",
  EAS: "activations",
  EAE: "activations",
  EAO: "activations",
  EAN: "activations",
  EGS: "gradients",
  EGE: "gradients",
  EGO: "gradients",
  EGN: "gradients",
};

/** Criteria computable from a trace: four MC-Suite ones plus mean gate weight and soft load. */
export type TraceCriterion = "EUF" | "ECC" | "EVTC" | "ETS" | "gate" | "soft-load";
export const TRACE_CRITERIA: readonly TraceCriterion[] = ["EUF", "ECC", "EVTC", "ETS", "gate", "soft-load"];

/** Definitions of the two trace criteria that are not MC-Suite names. */
export const EXTRA_CRITERION_DEFINITIONS: Record<"gate" | "soft-load", string> = {
  gate: "Mean gate weight: the expert's summed gate weights / its load (0 if never selected); the lowest is dropped.",
  "soft-load": "Soft load: the expert's summed gate weights over the tokens that selected it; the lowest is dropped.",
};

/**
 * Per-expert importance (larger = kept) from a layer's aggregates:
 *  - EUF: load_i;
 *  - gate: weightSum_i / load_i, the mean gate weight (0 when load_i = 0);
 *  - soft-load: weightSum_i.
 */
export function importanceScores(
  criterion: "EUF" | "gate" | "soft-load",
  layer: { load: ArrayLike<number>; weightSum: ArrayLike<number> },
  experts: number,
): Float64Array {
  const out = new Float64Array(experts);
  for (let i = 0; i < experts; i++) {
    const load = layer.load[i];
    const w = layer.weightSum[i];
    if (criterion === "EUF") out[i] = load;
    else if (criterion === "soft-load") out[i] = w;
    else out[i] = load > 0 ? w / load : 0;
  }
  return out;
}

function isAlive(alive: ArrayLike<boolean | number> | undefined, i: number): boolean {
  return alive === undefined || Boolean(alive[i]);
}

/**
 * The r lowest-scoring alive experts (`alive[i]` truthy; all alive when omitted), ties by the lower
 * id first, returned sorted ascending. NaN scores count as −∞ (dropped first). Drops at most the
 * number of alive experts.
 */
export function dropLowest(scores: ArrayLike<number>, r: number, alive?: ArrayLike<boolean | number>): number[] {
  const ids: number[] = [];
  for (let i = 0; i < scores.length; i++) if (isAlive(alive, i)) ids.push(i);
  const s = (i: number) => (Number.isNaN(scores[i]) ? -Infinity : scores[i]);
  ids.sort((a, b) => s(a) - s(b) || a - b);
  return ids.slice(0, Math.max(0, Math.min(r, ids.length))).sort((a, b) => a - b);
}

/**
 * MC-Suite ECC (expert-expert collaboration), repeated r times on the surviving experts: among the
 * pairs i < j of alive experts take the one with the smallest (mode "min") or largest ("max")
 * co-activation C_ij (ties: the lexicographically first pair (i, j)); drop the member with the
 * lower EUF (load); on equal loads drop the lower id i (the same tie rule as dropLowest). Stops when
 * fewer than two experts survive, so at most alive − 1 are dropped. Returned sorted ascending.
 */
export function eccDrop(
  coactivation: ArrayLike<number>,
  load: ArrayLike<number>,
  experts: number,
  r: number,
  mode: "min" | "max",
  alive?: ArrayLike<boolean | number>,
): number[] {
  const live = Array.from({ length: experts }, (_, i) => isAlive(alive, i));
  const dropped: number[] = [];
  for (let step = 0; step < r; step++) {
    let bi = -1;
    let bj = -1;
    let best = 0;
    for (let i = 0; i < experts; i++) {
      if (!live[i]) continue;
      for (let j = i + 1; j < experts; j++) {
        if (!live[j]) continue;
        const c = coactivation[i * experts + j];
        if (bi < 0 || (mode === "min" ? c < best : c > best)) {
          bi = i;
          bj = j;
          best = c;
        }
      }
    }
    if (bi < 0) break;
    const victim = load[bj] < load[bi] ? bj : bi;
    live[victim] = false;
    dropped.push(victim);
  }
  return dropped.sort((a, b) => a - b);
}

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/**
 * Sets of token ids routed to each (layer, expert), as bitsets, fed batch by batch for EVTC and
 * ETS. `vocabSize` is the initial capacity in token ids; a larger id grows that expert's bitset, so
 * an approximate vocabulary size is fine. A bitset is allocated on the expert's first token.
 */
export class TokenSets {
  readonly layers: number;
  readonly experts: number;
  private words: number;
  /** [layer * experts + expert] → bitset of token ids, or null before the first token. */
  private sets: (Uint32Array | null)[];

  constructor(layers: number, experts: number, vocabSize: number) {
    this.layers = layers;
    this.experts = experts;
    this.words = Math.max(1, Math.ceil(vocabSize / 32));
    this.sets = new Array(layers * experts).fill(null);
  }

  private setFor(l: number, e: number, minWords: number): Uint32Array {
    const idx = l * this.experts + e;
    let s = this.sets[idx];
    if (!s) {
      s = this.sets[idx] = new Uint32Array(Math.max(this.words, minWords));
    } else if (s.length < minWords) {
      const grown = new Uint32Array(Math.max(minWords, s.length * 2));
      grown.set(s);
      s = this.sets[idx] = grown;
    }
    return s;
  }

  /**
   * Adds `count` tokens: token t is at layer `layerOf[t]` with token id `tokenIds[t]` and k expert
   * ids `ids[t * k .. t * k + k)` (−1 slots and negative token ids are skipped; a layer or expert
   * id out of range throws).
   */
  add(count: number, k: number, layerOf: ArrayLike<number>, ids: ArrayLike<number>, tokenIds: ArrayLike<number>) {
    for (let t = 0; t < count; t++) {
      const tok = tokenIds[t];
      if (tok < 0) continue;
      const l = layerOf[t];
      if (!(l >= 0 && l < this.layers)) throw new RangeError(`token ${t}: layer ${l} is not in 0..${this.layers - 1}`);
      const word = tok >>> 5;
      const bit = 1 << (tok & 31);
      for (let a = 0; a < k; a++) {
        const e = ids[t * k + a];
        if (e < 0) continue;
        if (e >= this.experts) throw new RangeError(`token ${t}: expert ${e} is not in 0..${this.experts - 1}`);
        const s = this.setFor(l, e, word + 1);
        s[word] |= bit;
      }
    }
  }

  /** EVTC: number of distinct token ids routed to each expert of `layer`. */
  coverage(layer: number): Float64Array {
    const out = new Float64Array(this.experts);
    for (let e = 0; e < this.experts; e++) {
      const s = this.sets[layer * this.experts + e];
      if (!s) continue;
      let n = 0;
      for (let w = 0; w < s.length; w++) n += popcount32(s[w]);
      out[e] = n;
    }
    return out;
  }

  /**
   * ETS input: per expert i of `layer`, the mean over the other experts j of the Jaccard index
   * |S_i ∩ S_j| / |S_i ∪ S_j| of their token-id sets (0 for two empty sets); 0 with one expert.
   */
  similarity(layer: number): Float64Array {
    const E = this.experts;
    const size = this.coverage(layer);
    const sum = new Float64Array(E);
    for (let i = 0; i < E; i++) {
      const a = this.sets[layer * E + i];
      for (let j = i + 1; j < E; j++) {
        const b = this.sets[layer * E + j];
        if (!a || !b) continue;
        const n = Math.min(a.length, b.length);
        let inter = 0;
        for (let w = 0; w < n; w++) inter += popcount32(a[w] & b[w]);
        const union = size[i] + size[j] - inter;
        const jac = union > 0 ? inter / union : 0;
        sum[i] += jac;
        sum[j] += jac;
      }
    }
    if (E > 1) for (let i = 0; i < E; i++) sum[i] /= E - 1;
    return sum;
  }
}

/**
 * Importance (larger = kept) of the token-id criteria:
 *  - EVTC: the expert's vocabulary coverage (Min-EVTC drops the lowest coverage);
 *  - ETS: −similarity, so the expert whose routed tokens overlap most with the others' (the most
 *    redundant, MC-Suite's Max-ETS) is dropped first. MC-Suite measures input-token similarity on
 *    hidden states; traces carry token ids, not hidden states, so the similarity here is the
 *    Jaccard overlap of the experts' token-id sets.
 */
export function tokenSetImportance(criterion: "EVTC" | "ETS", sets: TokenSets, layer: number): Float64Array {
  if (criterion === "EVTC") return sets.coverage(layer);
  const sim = sets.similarity(layer);
  for (let i = 0; i < sim.length; i++) sim[i] = sim[i] === 0 ? 0 : -sim[i];
  return sim;
}

/**
 * keep[l][e] = false when expert e is in `dropped[l]`, true otherwise: the keep-mask exported as
 * JSON. Throws on an id outside 0..experts−1.
 */
export function keepMask(dropped: readonly (readonly number[])[], experts: number): boolean[][] {
  return dropped.map((ids, l) => {
    const keep = new Array<boolean>(experts).fill(true);
    for (const e of ids) {
      if (!Number.isInteger(e) || e < 0 || e >= experts)
        throw new RangeError(`layer ${l}: expert ${e} is not in 0..${experts - 1}`);
      keep[e] = false;
    }
    return keep;
  });
}

/** Jaccard index |A ∩ B| / |A ∪ B| of two id lists taken as sets; null when both are empty. */
export function jaccard(a: readonly number[], b: readonly number[]): number | null {
  const sa = new Set(a);
  const sb = new Set(b);
  let inter = 0;
  for (const x of sa) if (sb.has(x)) inter++;
  const union = sa.size + sb.size - inter;
  return union === 0 ? null : inter / union;
}

/**
 * Jaccard overlap of two runs' dropped sets layer by layer (a layer missing in one run counts as
 * nothing dropped there), and their mean over the layers where it is defined (null if none).
 */
export function droppedSetJaccard(a: number[][], b: number[][]): { perLayer: (number | null)[]; mean: number | null } {
  const L = Math.max(a.length, b.length);
  const perLayer: (number | null)[] = [];
  let sum = 0;
  let n = 0;
  for (let l = 0; l < L; l++) {
    const j = jaccard(a[l] ?? [], b[l] ?? []);
    perLayer.push(j);
    if (j !== null) {
      sum += j;
      n++;
    }
  }
  return { perLayer, mean: n > 0 ? sum / n : null };
}

/**
 * Layer × expert matrix (row-major, index l * experts + e) of the 1-based index of the first step
 * at which each expert is dropped; 0 = never dropped. The experts dropped as of step s are the union
 * of the steps' lists up to s, so both cumulative lists (each step lists everything dropped so far)
 * and incremental ones (each step lists only its new drops) give the same matrix. Throws on a layer
 * or expert id out of range.
 */
export function dropStepOf(
  steps: readonly { dropped: readonly (readonly number[])[] }[],
  layers: number,
  experts: number,
): Int16Array {
  if (steps.length > 32767) throw new RangeError(`${steps.length} steps do not fit the Int16 step matrix`);
  const out = new Int16Array(layers * experts);
  steps.forEach((step, s) => {
    if (step.dropped.length > layers)
      throw new RangeError(`step ${s + 1} lists ${step.dropped.length} layers, the model has ${layers}`);
    step.dropped.forEach((ids, l) => {
      for (const e of ids) {
        if (!Number.isInteger(e) || e < 0 || e >= experts)
          throw new RangeError(`step ${s + 1}, layer ${l}: expert ${e} is not in 0..${experts - 1}`);
        if (out[l * experts + e] === 0) out[l * experts + e] = s + 1;
      }
    });
  });
  return out;
}
