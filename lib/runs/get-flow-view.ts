import { meanOf } from "@/lib/analysis/stats";
import { nextLayerPredictability } from "@/lib/analysis/transitions";
import type { Db } from "@/lib/db/client";
import { getAllLayerAggregates } from "@/lib/db/queries/layer-aggregates";
import type { RunWithModel } from "@/lib/db/queries/runs";

/**
 * GET /api/runs/{id}/flow: A7 across the run: per layer, how predictable the next layer's experts
 * are from this layer's (what expert prefetching relies on). The transition matrix of one layer is
 * in GET .../layers/{layer} (`transitions`).
 */
export async function getFlowView(db: Db, run: RunWithModel) {
  const { layers: L, experts: E } = run.model.config;
  const aggs = await getAllLayerAggregates(db, run.id, L, E);
  const perLayer = aggs.map((agg, layer) => {
    const p = layer < L - 1 && agg.transitions ? nextLayerPredictability(agg.transitions, agg.load, E) : null;
    let pairs = 0;
    if (agg.transitions) for (let i = 0; i < E * E; i++) pairs += agg.transitions[i];
    return { layer, tokens: agg.tokens, transitions: pairs, predictability: p && pairs > 0 ? p.predictability : null };
  });
  return {
    layers: perLayer,
    meanPredictability: meanOf(perLayer.map((l) => l.predictability)),
    /** Chance level: a random expert of the next layer is in its top-k with probability k / E. */
    chance: run.model.config.topK / E,
  };
}
export type FlowView = Awaited<ReturnType<typeof getFlowView>>;
