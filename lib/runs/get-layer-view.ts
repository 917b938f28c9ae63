import { balanceMetrics } from "@/lib/analysis/balance";
import { normalizeCoactivation, type Normalization } from "@/lib/analysis/coactivation";
import { ApiError } from "@/lib/errors";
import type { Db } from "@/lib/db/client";
import { getLayerAggregate } from "@/lib/db/queries/layer-aggregates";
import type { RunWithModel } from "@/lib/db/queries/runs";

const toRows = (m: Float64Array, E: number) =>
  Array.from({ length: E }, (_, i) => Array.from(m.subarray(i * E, (i + 1) * E)));

/**
 * Normalized values to 7 significant digits: far below what a color or a tooltip shows, and about
 * half the JSON of full doubles (a 256-expert layer is ~1 MB; bench/explorer). Exact values:
 * GET .../matrix?normalization= (float64).
 */
const toRows7 = (m: Float64Array, E: number) =>
  Array.from({ length: E }, (_, i) => Array.from(m.subarray(i * E, (i + 1) * E), (v) => Number(v.toPrecision(7))));

/** GET /api/runs/{id}/layers/{layer}: one layer's sums, its A1 metrics and, if asked, a normalized matrix. */
export async function getLayerView(
  db: Db,
  run: RunWithModel,
  layer: number,
  normalization?: Normalization,
  opts: { transitions?: boolean } = {},
) {
  const { layers, experts } = run.model.config;
  if (layer >= layers)
    throw new ApiError(
      404,
      "layer_out_of_range",
      `layer ${layer} is outside [0, ${layers}) for model ${run.model.name}`,
      "path parameter layer",
    );
  const agg = await getLayerAggregate(db, run.id, layer, experts, opts);
  return {
    layer,
    modelLayer: run.model.config.moeLayerIndices?.[layer] ?? layer,
    experts,
    tokens: agg.tokens,
    load: Array.from(agg.load),
    weightSum: Array.from(agg.weightSum),
    coactivation: toRows(agg.coactivation, experts),
    balance: balanceMetrics(agg.load),
    /** With include=transitions: counts from this layer to the next MoE layer (rows: this layer's expert), null if unknown. */
    ...(opts.transitions ? { transitions: agg.transitions ? toRows(agg.transitions, experts) : null } : {}),
    ...(normalization
      ? {
          normalization,
          normalized: toRows7(normalizeCoactivation(agg.coactivation, agg.load, agg.tokens, normalization), experts),
        }
      : {}),
  };
}
export type LayerView = Awaited<ReturnType<typeof getLayerView>>;
