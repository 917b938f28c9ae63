import { BALANCE_SCALARS, balanceMetrics, type BalanceScalar } from "./balance";
import { collaboration } from "./collaboration";
import type { LayerAggregate } from "./layer-aggregate";
import { meanOf } from "./stats";
import { nextLayerPredictability } from "./transitions";

/** The per-layer values a series draws against step (each also as a layer x step heatmap). */
export const SERIES_METRICS = [
  ...BALANCE_SCALARS,
  "dead",
  "hot",
  "collaborationEntropy",
  "topCoverage",
  "predictability",
  "ct",
] as const;
export type SeriesMetric = (typeof SERIES_METRICS)[number];

/** Placements a series costs C_T under: those that need no search per checkpoint (the optimizer's would, 50 times over). */
export const SERIES_PLACEMENTS = ["contiguous", "round-robin", "greedy"] as const;
export type SeriesPlacement = (typeof SERIES_PLACEMENTS)[number];

export type LayerValues = Record<SeriesMetric, (number | null)[]>;

/**
 * One checkpoint's per-layer metrics from its aggregates: every A1 scalar, dead and hot expert
 * counts, A3 mean collaboration entropy and mean Top-T coverage, A7 next-layer predictability (null
 * where the transitions are unknown, and at the last layer), and C_T as given by the caller (it
 * depends on a placement, searched outside lib/analysis' pure metrics). A layer without tokens is
 * null throughout, dead and hot included: an empty layer has no dead experts, it has no data.
 */
export function stepLayerMetrics(aggs: readonly LayerAggregate[], topT: number, ct: readonly (number | null)[]) {
  const out = Object.fromEntries(SERIES_METRICS.map((m) => [m, [] as (number | null)[]])) as LayerValues;
  aggs.forEach((agg, l) => {
    const has = agg.tokens > 0;
    const b = has ? balanceMetrics(agg.load) : null;
    for (const s of BALANCE_SCALARS) out[s].push(b ? b[s] : null);
    out.dead.push(b ? b.dead.length : null);
    out.hot.push(b ? b.hot.length : null);
    const collab = has ? collaboration(agg.coactivation, agg.experts, topT) : [];
    out.collaborationEntropy.push(has ? meanOf(collab.map((e) => e.entropy)) : null);
    out.topCoverage.push(has ? meanOf(collab.map((e) => e.topCoverage)) : null);
    out.predictability.push(has && l < aggs.length - 1 ? predictability(agg) : null);
    out.ct.push(has ? (ct[l] ?? null) : null);
  });
  return out;
}

/** As the flow view has it: null when no transition into the next layer was recorded. */
function predictability(agg: LayerAggregate): number | null {
  const t = agg.transitions;
  if (!t) return null;
  let pairs = 0;
  for (let i = 0; i < t.length; i++) pairs += t[i];
  return pairs > 0 ? nextLayerPredictability(t, agg.load, agg.experts).predictability : null;
}

/** The mean over layers of each metric (layers where it is unknown left out). */
export function layerMeans(values: LayerValues): Record<SeriesMetric, number | null> {
  return Object.fromEntries(SERIES_METRICS.map((m) => [m, meanOf(values[m])])) as Record<SeriesMetric, number | null>;
}

export type { BalanceScalar };

/**
 * One colour domain for a layer across checkpoints: the smallest and largest off-diagonal value of
 * every step's (normalized) matrix, and the smallest positive one (where a log scale starts).
 */
export function sharedOffDiagonalExtent(matrices: readonly ArrayLike<number>[], experts: number) {
  let lo = Infinity;
  let hi = -Infinity;
  let minPositive = Infinity;
  for (const m of matrices)
    for (let i = 0; i < experts; i++)
      for (let j = 0; j < experts; j++) {
        if (i === j) continue;
        const v = m[i * experts + j];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
        if (v > 0 && v < minPositive) minPositive = v;
      }
  return lo <= hi
    ? { extent: [lo, hi] as [number, number], minPositive: Number.isFinite(minPositive) ? minPositive : 0 }
    : { extent: [0, 0] as [number, number], minPositive: 0 };
}
