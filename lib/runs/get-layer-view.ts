import { balanceMetrics } from "@/lib/analysis/balance";
import { normalizeCoactivation, type Normalization } from "@/lib/analysis/coactivation";
import type { Db } from "@/lib/db/client";
import { getLayerAggregate } from "@/lib/db/queries/layer-aggregates";
import type { RunWithModel } from "@/lib/db/queries/runs";
import { round7, type LayerFrameInput } from "@/lib/wire/layer-frame";
import { requireLayer } from "./require-run";

const toRows = (m: Float64Array, E: number) =>
  Array.from({ length: E }, (_, i) => Array.from(m.subarray(i * E, (i + 1) * E)));

/**
 * One layer's answer with its matrices as float64 arrays, which both transports send: as nested
 * rows in the JSON answer (getLayerView) and as typed arrays in the binary frame (get-layer-frame.ts).
 * Normalized values are rounded to 7 significant digits: far below what a color or a tooltip
 * shows, and about half the JSON of full doubles (a 256-expert layer is ~1 MB; bench/explorer).
 * Exact values: GET .../matrix?normalization= (float64).
 */
export async function getLayerArrays(
  db: Db,
  run: RunWithModel,
  layer: number,
  normalization?: Normalization,
  opts: { transitions?: boolean } = {},
): Promise<LayerFrameInput> {
  requireLayer(run, layer);
  const { experts } = run.model.config;
  const agg = await getLayerAggregate(db, run.id, layer, experts, opts);
  return {
    layer,
    modelLayer: run.model.config.moeLayerIndices?.[layer] ?? layer,
    experts,
    tokens: agg.tokens,
    balance: balanceMetrics(agg.load),
    load: agg.load,
    weightSum: agg.weightSum,
    coactivation: agg.coactivation,
    ...(opts.transitions ? { hasTransitions: agg.transitions !== null, transitions: agg.transitions } : {}),
    ...(normalization
      ? {
          normalization,
          normalized: round7(normalizeCoactivation(agg.coactivation, agg.load, agg.tokens, normalization)),
        }
      : {}),
  };
}

/** GET /api/runs/{id}/layers/{layer}: one layer's sums, its A1 metrics and, if asked, a normalized matrix. */
export async function getLayerView(
  db: Db,
  run: RunWithModel,
  layer: number,
  normalization?: Normalization,
  opts: { transitions?: boolean } = {},
) {
  const a = await getLayerArrays(db, run, layer, normalization, opts);
  const E = a.experts;
  return {
    layer: a.layer,
    modelLayer: a.modelLayer,
    experts: E,
    tokens: a.tokens,
    load: Array.from(a.load),
    weightSum: Array.from(a.weightSum),
    coactivation: toRows(a.coactivation, E),
    balance: a.balance,
    /** With include=transitions: counts from this layer to the next MoE layer (rows: this layer's expert), null if unknown. */
    ...(opts.transitions ? { transitions: a.transitions ? toRows(a.transitions, E) : null } : {}),
    ...(a.normalized ? { normalization: a.normalization, normalized: toRows(a.normalized, E) } : {}),
  };
}
