/**
 * A1 load and balance metrics of one layer (PRODUCT.md §4). Every metric is over the E routed
 * experts' loads x_i; metrics that divide by zero (a layer with no tokens) are null.
 */
export interface BalanceMetrics {
  /** x_i / Σx: share of all routed assignments; sums to 1. */
  loadShare: number[];
  /** max / mean. */
  maxOverMean: number | null;
  /** (max - mean) / mean, TensorRT-LLM's imbalance. */
  imbalance: number | null;
  /** mean / max, vLLM's "balancedness". */
  balancedness: number | null;
  /** Coefficient of variation: population standard deviation / mean. */
  cv: number | null;
  /** Gini coefficient of the loads (0 = equal, (E-1)/E = one expert takes all). */
  gini: number | null;
  /** Entropy of the load shares divided by ln E (1 = uniform). */
  normalizedEntropy: number | null;
  /** Jain's fairness index (Σx)² / (E · Σx²) (1 = uniform, 1/E = one expert). */
  jain: number | null;
  /** Experts with load 0. */
  dead: number[];
  /** Experts with load at least HOT_FACTOR times the mean load. */
  hot: number[];
}

/** An expert is "hot" when it takes at least twice its uniform share. */
export const HOT_FACTOR = 2;

export function balanceMetrics(load: ArrayLike<number>): BalanceMetrics {
  const E = load.length;
  let sum = 0;
  let sumSq = 0;
  let max = -Infinity;
  for (let i = 0; i < E; i++) {
    sum += load[i];
    sumSq += load[i] * load[i];
    if (load[i] > max) max = load[i];
  }
  const mean = sum / E;
  const dead: number[] = [];
  const hot: number[] = [];
  const loadShare: number[] = new Array(E);
  let entropy = 0;
  for (let i = 0; i < E; i++) {
    if (load[i] === 0) dead.push(i);
    if (sum > 0 && load[i] >= HOT_FACTOR * mean) hot.push(i);
    const p = sum > 0 ? load[i] / sum : 0;
    loadShare[i] = p;
    if (p > 0) entropy -= p * Math.log(p);
  }
  if (sum <= 0) {
    return {
      loadShare,
      maxOverMean: null,
      imbalance: null,
      balancedness: null,
      cv: null,
      gini: null,
      normalizedEntropy: null,
      jain: null,
      dead,
      hot,
    };
  }
  const variance = Math.max(0, sumSq / E - mean * mean);
  return {
    loadShare,
    maxOverMean: max / mean,
    imbalance: (max - mean) / mean,
    balancedness: mean / max,
    cv: Math.sqrt(variance) / mean,
    gini: gini(load, sum),
    normalizedEntropy: entropy / Math.log(E),
    jain: (sum * sum) / (E * sumSq),
    dead,
    hot,
  };
}

function gini(load: ArrayLike<number>, sum: number): number {
  const sorted = Float64Array.from(load).sort();
  const n = sorted.length;
  let acc = 0;
  for (let i = 0; i < n; i++) acc += (2 * (i + 1) - n - 1) * sorted[i];
  return acc / (n * sum);
}

/** The scalar metrics, for per-layer charts and percentiles. */
export const BALANCE_SCALARS = [
  "maxOverMean",
  "imbalance",
  "balancedness",
  "cv",
  "gini",
  "normalizedEntropy",
  "jain",
] as const;
export type BalanceScalar = (typeof BALANCE_SCALARS)[number];

/** Percentile with linear interpolation between closest ranks (numpy's default). */
export function percentile(values: readonly number[], p: number): number | null {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const pos = (p / 100) * (v.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

/** p50/p90/p95 of each balance metric across layers (layers with no tokens are left out). */
export function balancePercentiles(perLayer: readonly BalanceMetrics[]) {
  const out = {} as Record<BalanceScalar, { p50: number | null; p90: number | null; p95: number | null }>;
  for (const key of BALANCE_SCALARS) {
    const values = perLayer.map((m) => m[key]).filter((x): x is number => x !== null);
    out[key] = { p50: percentile(values, 50), p90: percentile(values, 90), p95: percentile(values, 95) };
  }
  return out;
}

/**
 * The run's layer x expert load map (the standard MoE figure): row l holds layer l's load shares
 * (balanceMetrics' loadShare: x_{l,i} / Σ_j x_{l,j}), row-major L x E; a layer without load is all 0.
 * Also the largest share, the colour scale's top.
 */
export function loadShareGrid(
  loads: readonly ArrayLike<number>[],
  experts: number,
): { shares: Float64Array; max: number } {
  const shares = new Float64Array(loads.length * experts);
  let max = 0;
  loads.forEach((load, l) => {
    if (load.length !== experts) throw new Error(`layer ${l}: ${load.length} loads for ${experts} experts`);
    const { loadShare } = balanceMetrics(load);
    shares.set(loadShare, l * experts);
    for (const s of loadShare) if (s > max) max = s;
  });
  return { shares, max };
}
