import { balanceMetrics } from "@/lib/analysis/balance";
import { normalizeCoactivation, type Normalization } from "@/lib/analysis/coactivation";
import { ApiError } from "@/lib/errors";
import type { Db } from "@/lib/db/client";
import { getLayerAggregate } from "@/lib/db/queries/layer-aggregates";
import type { RunWithModel } from "@/lib/db/queries/runs";
import { encodeLayerFrame, round7 } from "@/lib/wire/layer-frame";

/**
 * GET /api/runs/{id}/layers/{layer}/frame: the same answer as getLayerView, as one binary frame
 * (lib/wire/frame.ts): matrices straight from the stored float64 to typed arrays, no nested rows.
 */
export async function getLayerFrame(
  db: Db,
  run: RunWithModel,
  layer: number,
  normalization?: Normalization,
  opts: { transitions?: boolean } = {},
): Promise<Uint8Array> {
  const { layers, experts } = run.model.config;
  if (layer >= layers)
    throw new ApiError(
      404,
      "layer_out_of_range",
      `layer ${layer} is outside [0, ${layers}) for model ${run.model.name}`,
      "path parameter layer",
    );
  const agg = await getLayerAggregate(db, run.id, layer, experts, opts);
  return encodeLayerFrame({
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
  });
}
