/**
 * Per-layer sums computed at ingest (PRODUCT.md §2). All fields are sums over tokens, so partial
 * aggregates from different uploads, shards or ranks merge exactly by addition.
 * Counts are float64: exact integers up to 2^53, far beyond any trace.
 */
export interface LayerAggregate {
  experts: number;
  tokens: number;
  /** load[i]: times expert i was selected. */
  load: Float64Array;
  /** weightSum[i]: sum of i's gate weights over the tokens that selected it. */
  weightSum: Float64Array;
  /** coactivation[i * E + j]: tokens that selected both i and j; symmetric, zero diagonal. */
  coactivation: Float64Array;
  /** transitions[i * E + j]: tokens with i at this layer and j at the next MoE layer, when known. */
  transitions?: Float64Array | null;
}

export function emptyLayerAggregate(experts: number): LayerAggregate {
  return {
    experts,
    tokens: 0,
    load: new Float64Array(experts),
    weightSum: new Float64Array(experts),
    coactivation: new Float64Array(experts * experts),
  };
}

/** Adds `b` into `a` in place. */
export function mergeLayerAggregate(a: LayerAggregate, b: LayerAggregate): LayerAggregate {
  if (a.experts !== b.experts) throw new Error(`cannot merge aggregates of ${a.experts} and ${b.experts} experts`);
  a.tokens += b.tokens;
  for (let i = 0; i < a.load.length; i++) {
    a.load[i] += b.load[i];
    a.weightSum[i] += b.weightSum[i];
  }
  for (let i = 0; i < a.coactivation.length; i++) a.coactivation[i] += b.coactivation[i];
  return a;
}

/**
 * Adds tokens' top-k selections to per-layer aggregates. `experts` holds k ids per token
 * (-1 = no expert: a padded or capacity-dropped slot, skipped); `weights` is parallel or null.
 * Returns the number of skipped (-1) slots.
 */
export function accumulateTopK(
  layers: readonly LayerAggregate[],
  count: number,
  k: number,
  layerOf: ArrayLike<number>,
  experts: ArrayLike<number>,
  weights: ArrayLike<number> | null,
): number {
  let skipped = 0;
  for (let t = 0; t < count; t++) {
    const agg = layers[layerOf[t]];
    const E = agg.experts;
    const base = t * k;
    agg.tokens += 1;
    for (let a = 0; a < k; a++) {
      const ea = experts[base + a];
      if (ea < 0) {
        skipped++;
        continue;
      }
      agg.load[ea] += 1;
      if (weights) agg.weightSum[ea] += weights[base + a];
      for (let b = a + 1; b < k; b++) {
        const eb = experts[base + b];
        if (eb < 0) continue;
        agg.coactivation[ea * E + eb] += 1;
        agg.coactivation[eb * E + ea] += 1;
      }
    }
  }
  return skipped;
}

/** Load of one label at every layer (A8): tokens and times each expert was selected. */
export interface LabelLoad {
  tokens: Float64Array;
  /** layers * E, row per layer. */
  load: Float64Array;
}

/** Adds per-label loads; `labelOf[t]` < 0 means the token has no label. */
export function accumulateLabelLoads(
  byLabel: LabelLoad[],
  layers: number,
  experts: number,
  count: number,
  k: number,
  layerOf: ArrayLike<number>,
  labelOf: ArrayLike<number>,
  expertIds: ArrayLike<number>,
) {
  for (let t = 0; t < count; t++) {
    const lab = labelOf[t];
    if (lab < 0) continue;
    let entry = byLabel[lab];
    if (!entry) entry = byLabel[lab] = { tokens: new Float64Array(layers), load: new Float64Array(layers * experts) };
    const l = layerOf[t];
    entry.tokens[l] += 1;
    for (let a = 0; a < k; a++) {
      const e = expertIds[t * k + a];
      if (e >= 0) entry.load[l * experts + e] += 1;
    }
  }
}

/**
 * Adds one token's step from a layer to the next (A7): every expert i of its top-k at layer l with
 * every expert j at layer l + 1 (-1 slots skipped), into the E x E matrix of layer l.
 */
export function addTransitionPair(
  matrix: Float64Array,
  experts: number,
  from: ArrayLike<number>,
  to: ArrayLike<number>,
) {
  for (let a = 0; a < from.length; a++) {
    const i = from[a];
    if (i < 0) continue;
    for (let b = 0; b < to.length; b++) {
      const j = to[b];
      if (j >= 0) matrix[i * experts + j] += 1;
    }
  }
}
