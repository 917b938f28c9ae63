import type { ModuleParams } from "@/lib/models/model-config";

/**
 * A10 quantization budget (PRODUCT.md §4): average bits of a mixed-precision allocation over the
 * quantized linear modules, allocation suggesters under a budget, and the accuracy-vs-bits Pareto
 * frontier of stored quantization results (§5).
 */

/** Bits per module: attention linears (every layer), each routed expert [layer][expert], and shared experts. */
export interface BitAllocation {
  attention: number;
  /** [layer][expert] bits of all linears of that routed expert. */
  experts: number[][];
  /** Bits of the shared experts; when omitted they take the attention bits. */
  shared?: number;
}

export interface AverageBits {
  /** Σ_m b_m · |W_m| / Σ_m |W_m|. */
  avgBits: number;
  /** Σ_m |W_m|: parameters of the quantized linears. */
  quantizedParams: number;
  /** Σ_m b_m · |W_m|. */
  bits: number;
  /** bits / 8 (weights only: no scales, zero points or unquantized modules). */
  bytes: number;
}

/** Shown next to the number. */
export const AVERAGE_BITS_DEFINITION =
  "Average bits = Σ_m b_m·|W_m| / Σ_m |W_m| over the quantized linears: attention of every MoE layer, every routed expert and the shared experts; router, embeddings and lm_head are not quantized and not counted.";

function sumParams(rec: Record<string, number>): number {
  let s = 0;
  for (const v of Object.values(rec)) s += v;
  return s;
}

function checkBits(b: number, what: string) {
  if (!(Number.isFinite(b) && b >= 0)) throw new RangeError(`${what}: ${b} bits`);
}

/**
 * Average bits = Σ_m b_m · |W_m| / Σ_m |W_m| over the quantized linear modules m: the attention
 * linears of each of the `layers` MoE layers (at alloc.attention), every routed expert
 * (alloc.experts[l][e]) and the shared experts of each layer (alloc.shared, default the attention
 * bits). Router, embeddings and lm_head are not quantized and not counted. `params` holds the
 * per-layer parameter counts (model-config ModuleParams).
 */
export function averageBits(params: ModuleParams, layers: number, experts: number, alloc: BitAllocation): AverageBits {
  const att = sumParams(params.attention);
  const exp = sumParams(params.expert);
  const sh = sumParams(params.shared ?? {});
  const sharedBits = alloc.shared ?? alloc.attention;
  checkBits(alloc.attention, "attention");
  checkBits(sharedBits, "shared experts");
  if (alloc.experts.length !== layers)
    throw new RangeError(`allocation has ${alloc.experts.length} layers, expected ${layers}`);
  let expertBits = 0;
  alloc.experts.forEach((row, l) => {
    if (row.length !== experts)
      throw new RangeError(`allocation layer ${l} has ${row.length} experts, expected ${experts}`);
    for (let e = 0; e < experts; e++) {
      checkBits(row[e], `layer ${l} expert ${e}`);
      expertBits += row[e];
    }
  });
  const quantizedParams = layers * (att + experts * exp + sh);
  const bits = layers * (alloc.attention * att + sharedBits * sh) + expertBits * exp;
  return { avgBits: quantizedParams > 0 ? bits / quantizedParams : 0, quantizedParams, bits, bytes: bits / 8 };
}

/** Options shared by the suggesters: `high`/`low` expert bits, attention (and shared) bits, and an optional budget. */
export interface SuggestOptions {
  high: number;
  low: number;
  attention: number;
  shared?: number;
  /** Average-bits cap (needs `params`); used when the explicit count (topPerLayer / firstBlocks) is absent. */
  budget?: number;
  params?: ModuleParams;
}

/** Tolerance on the budget so that a budget equal to an allocation's average (up to rounding) admits it. */
const BUDGET_EPS = 1e-9;

function allocation(
  layers: number,
  experts: number,
  opts: SuggestOptions,
  isHigh: (l: number, e: number) => boolean,
): BitAllocation {
  const out: BitAllocation = {
    attention: opts.attention,
    experts: Array.from({ length: layers }, (_, l) =>
      Array.from({ length: experts }, (_, e) => (isHigh(l, e) ? opts.high : opts.low)),
    ),
  };
  if (opts.shared !== undefined) out.shared = opts.shared;
  return out;
}

function budgetParams(opts: SuggestOptions, explicit: string): { budget: number; params: ModuleParams } {
  if (opts.budget === undefined || !opts.params)
    throw new Error(`give ${explicit}, or a budget together with the model's params`);
  if (opts.high < opts.low)
    throw new RangeError(`high (${opts.high}) below low (${opts.low}): a budget search needs high ≥ low`);
  return { budget: opts.budget, params: opts.params };
}

/**
 * Largest n in 0..max whose allocation averages at most `budget` bits (average bits grow with n
 * when high ≥ low); 0 when even n = 0 exceeds the budget (the caller can see it from averageBits).
 */
function largestWithin(max: number, budget: number, avg: (n: number) => number): number {
  for (let n = max; n > 0; n--) if (avg(n) <= budget + BUDGET_EPS) return n;
  return 0;
}

/** Experts of a layer ordered by a score, highest first, ties by the lower id; NaN ranks last. */
function rankDesc(scores: ArrayLike<number>): number[] {
  const s = (i: number) => (Number.isNaN(scores[i]) ? -Infinity : scores[i]);
  return Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => s(b) - s(a) || a - b);
}

function topPerLayerAllocation(scores: readonly ArrayLike<number>[], top: number, opts: SuggestOptions): BitAllocation {
  const experts = scores.length > 0 ? scores[0].length : 0;
  const high = scores.map((row) => new Set(rankDesc(row).slice(0, top)));
  return allocation(scores.length, experts, opts, (l, e) => high[l].has(e));
}

/**
 * By expert usage (A9 EUF; QuantMoE-Bench's "most used experts get more bits"): in every layer the
 * `topPerLayer` experts with the largest load get `high` bits, the others `low` (ties by the lower
 * id). Without topPerLayer, with `budget` and `params`: the largest uniform count n whose average
 * bits stay ≤ budget, then the budget left over goes one expert at a time to the (n+1)-th most used
 * expert of as many layers as fit, the layers whose next expert carries the largest share of its
 * layer's load first (ties by the lower layer). The uniform count alone moves in steps of a whole
 * expert per layer (0.24 bits for Mixtral), so a budget just under a step (2.54 against top-2's
 * 2.543) would leave almost a step unused; with the remainder filled, what is left unused is less
 * than one expert's promotion (allocationStep).
 */
export function suggestByUsage(
  load: readonly ArrayLike<number>[],
  opts: SuggestOptions & { topPerLayer?: number },
): BitAllocation {
  const layers = load.length;
  const experts = layers > 0 ? load[0].length : 0;
  if (opts.topPerLayer !== undefined) return topPerLayerAllocation(load, opts.topPerLayer, opts);
  const { budget, params } = budgetParams(opts, "topPerLayer");
  const n = largestWithin(
    experts,
    budget,
    (t) => averageBits(params, layers, experts, topPerLayerAllocation(load, t, opts)).avgBits,
  );
  const alloc = topPerLayerAllocation(load, n, opts);
  if (n >= experts) return alloc;
  const share = (l: number, e: number) => {
    let total = 0;
    for (let i = 0; i < experts; i++) total += Number.isNaN(load[l][i]) ? 0 : load[l][i];
    const v = load[l][e];
    return total > 0 && !Number.isNaN(v) ? v / total : 0;
  };
  const next = Array.from({ length: layers }, (_, l) => ({ l, e: rankDesc(load[l])[n] }));
  next.sort((a, b) => share(b.l, b.e) - share(a.l, a.e) || a.l - b.l);
  promoteWhileWithin(alloc, next, budget, params, layers, experts, opts);
  return alloc;
}

/**
 * Promotes experts to `high` in the given order while the average stays ≤ budget. Every routed
 * expert has the same size, so each promotion adds the same bits: this is the longest prefix of
 * the order that fits.
 */
function promoteWhileWithin(
  alloc: BitAllocation,
  order: readonly { l: number; e: number }[],
  budget: number,
  params: ModuleParams,
  layers: number,
  experts: number,
  opts: SuggestOptions,
) {
  const base = averageBits(params, layers, experts, alloc);
  const perExpert = sumParams(params.expert) * (opts.high - opts.low);
  let bits = base.bits;
  for (const { l, e } of order) {
    if (alloc.experts[l][e] === opts.high) continue;
    if ((bits + perExpert) / base.quantizedParams > budget + BUDGET_EPS) break;
    bits += perExpert;
    alloc.experts[l][e] = opts.high;
  }
}

/**
 * The granularity of a budget search, in average bits: what one more promotion to `high` adds.
 * One routed expert for usage and outliers, one MoE layer's experts for block. A suggestion under
 * a budget uses all of it but less than this (unless every expert is already high).
 */
export function allocationStep(
  params: ModuleParams,
  layers: number,
  experts: number,
  opts: Pick<SuggestOptions, "high" | "low">,
  strategy: "usage" | "outliers" | "block",
): number {
  const quantized =
    layers * (sumParams(params.attention) + experts * sumParams(params.expert) + sumParams(params.shared ?? {}));
  if (quantized <= 0) return 0;
  const one = (sumParams(params.expert) * (opts.high - opts.low)) / quantized;
  return strategy === "block" ? one * experts : one;
}

/**
 * By weight outliers (QuantMoE-Bench's linear-weight outlier score, max over input columns j of
 * max_i|W_ij| / mean_i|W_ij|, reduced to one score per expert, e.g. the max over its linears).
 * With `topPerLayer`: the highest-scoring experts of each layer get `high`, as suggestByUsage.
 * Otherwise, with `budget` and `params`: experts are ranked globally across layers (score
 * descending, ties by lower layer then lower id, NaN last) and promoted to `high` greedily in that
 * order while the average stays ≤ budget; as every routed expert has the same size, this is the
 * longest prefix of the ranking that fits.
 */
export function suggestByOutliers(
  scores: readonly (readonly number[])[],
  opts: SuggestOptions & { topPerLayer?: number },
): BitAllocation {
  const layers = scores.length;
  const experts = layers > 0 ? scores[0].length : 0;
  if (opts.topPerLayer !== undefined) return topPerLayerAllocation(scores, opts.topPerLayer, opts);
  const { budget, params } = budgetParams(opts, "topPerLayer");
  const s = (l: number, e: number) => (Number.isNaN(scores[l][e]) ? -Infinity : scores[l][e]);
  const order: [number, number][] = [];
  for (let l = 0; l < layers; l++) for (let e = 0; e < experts; e++) order.push([l, e]);
  order.sort((a, b) => s(b[0], b[1]) - s(a[0], a[1]) || a[0] - b[0] || a[1] - b[1]);
  const alloc = allocation(layers, experts, opts, () => false);
  promoteWhileWithin(
    alloc,
    order.map(([l, e]) => ({ l, e })),
    budget,
    params,
    layers,
    experts,
    opts,
  );
  return alloc;
}

/**
 * By block position (QuantMoE-Bench's "first MoE blocks get more bits"): every expert of the first
 * `firstBlocks` MoE layers gets `high`, the rest `low`. Without firstBlocks, with `budget` and
 * `params`: the largest firstBlocks whose average bits stay ≤ budget (0 if none fits).
 */
export function suggestByBlock(
  layers: number,
  experts: number,
  opts: SuggestOptions & { firstBlocks?: number },
): BitAllocation {
  const make = (n: number) => allocation(layers, experts, opts, (l) => l < n);
  if (opts.firstBlocks !== undefined) return make(opts.firstBlocks);
  const { budget, params } = budgetParams(opts, "firstBlocks");
  return make(largestWithin(layers, budget, (n) => averageBits(params, layers, experts, make(n)).avgBits));
}

/**
 * Indices of the points on the Pareto frontier of accuracy vs average bits: a point is dominated
 * when another has bits ≤ and accuracy ≥ with at least one strict; the rest are returned sorted by
 * bits ascending (equal points are all kept, by index). Points with a non-finite value are left out.
 */
export function paretoFrontier(points: readonly { bits: number; accuracy: number }[]): number[] {
  const idx = points
    .map((_, i) => i)
    .filter((i) => Number.isFinite(points[i].bits) && Number.isFinite(points[i].accuracy));
  idx.sort((a, b) => points[a].bits - points[b].bits || points[b].accuracy - points[a].accuracy || a - b);
  const out: number[] = [];
  /** Best accuracy among points with strictly fewer bits than the current group. */
  let bestBefore = -Infinity;
  let g = 0;
  while (g < idx.length) {
    const bits = points[idx[g]].bits;
    let end = g;
    while (end < idx.length && points[idx[end]].bits === bits) end++;
    const groupBest = points[idx[g]].accuracy;
    if (groupBest > bestBefore) {
      for (let i = g; i < end && points[idx[i]].accuracy === groupBest; i++) out.push(idx[i]);
      bestBefore = groupBest;
    }
    g = end;
  }
  return out;
}
