import { balanceMetrics } from "@/lib/analysis/balance";
import { expertCollaboration } from "@/lib/analysis/collaboration";
import { labelSpecialization } from "@/lib/analysis/specialization";
import { nextLayerPredictability } from "@/lib/analysis/transitions";
import { ApiError } from "@/lib/api/api-error";
import type { Db } from "@/lib/db/client";
import { getAllLayerAggregates, getLabelLoads } from "@/lib/db/queries/layer-aggregates";
import type { RunWithModel } from "@/lib/db/queries/runs";

/**
 * GET /api/runs/{id}/experts/{expert}: one expert across every layer (V4): load and its rank,
 * collaboration entropy and Top-T collaborators (A3), label mix (A8), most likely next expert (A7).
 * Expert e of one layer and expert e of another are different weights; the page lines them up by id.
 */
export async function getExpertView(db: Db, run: RunWithModel, expert: number, topT: number) {
  const { layers: L, experts: E } = run.model.config;
  if (expert >= E) throw new ApiError(404, "expert_out_of_range", `expert ${expert} is outside [0, ${E}) for model ${run.model.name}`, "path parameter expert");
  const aggs = await getAllLayerAggregates(db, run.id, L, E);
  const labelRows = await getLabelLoads(db, run.id);
  const labels = labelRows.map((r) => r.label);
  const perLayer = aggs.map((agg, layer) => {
    const { loadShare } = balanceMetrics(agg.load);
    const load = agg.load[expert];
    const rank = 1 + Array.from(agg.load).filter((x) => x > load).length;
    const c = expertCollaboration(agg.coactivation, E, expert, topT);
    const spec = labels.length ? labelSpecialization(labels, labelRows.map((r) => r.load.subarray(layer * E, (layer + 1) * E)), E) : null;
    const next = agg.transitions ? nextLayerPredictability(agg.transitions, agg.load, E).perExpert[expert] : null;
    return {
      layer,
      tokens: agg.tokens,
      load,
      loadShare: loadShare[expert],
      /** 1 = the most used expert of the layer (ties share a rank). */
      rank,
      meanGateWeight: load > 0 ? agg.weightSum[expert] / load : null,
      collaborationEntropy: c.entropy,
      topCollaborators: c.topCollaborators,
      topCoverage: c.topCoverage,
      labelMix: spec?.perExpert[expert].labelMix ?? null,
      labelKl: spec?.perExpert[expert].kl ?? null,
      nextExpert: next?.next ?? null,
      nextHitRate: next?.hitRate ?? null,
    };
  });
  return { expert, experts: E, layers: L, topT, labels, perLayer };
}
export type ExpertView = Awaited<ReturnType<typeof getExpertView>>;
