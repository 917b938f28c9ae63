import { balanceMetrics } from "@/lib/analysis/balance";
import { collaboration, meanCollaborationEntropy } from "@/lib/analysis/collaboration";
import { labelSpecialization } from "@/lib/analysis/specialization";
import { nextLayerPredictability } from "@/lib/analysis/transitions";
import type { Db } from "@/lib/db/client";
import { getLabelLoads, getLayerAggregate } from "@/lib/db/queries/layer-aggregates";
import type { RunWithModel } from "@/lib/db/queries/runs";
import { requireLayer } from "./require-run";

/**
 * GET /api/runs/{id}/experts?layer=: per expert of one layer, its load, collaboration (A3),
 * label mix and specialization (A8) and most likely next-layer expert (A7).
 */
export async function getExpertsView(db: Db, run: RunWithModel, layer: number, topT: number) {
  const { experts: E } = run.model.config;
  requireLayer(run, layer, "query parameter layer");
  const agg = await getLayerAggregate(db, run.id, layer, E, { transitions: true });
  const labelRows = await getLabelLoads(db, run.id);
  const labels = labelRows.map((r) => r.label);
  const spec = labels.length
    ? labelSpecialization(
        labels,
        labelRows.map((r) => r.load.subarray(layer * E, (layer + 1) * E)),
        E,
      )
    : null;
  const collab = collaboration(agg.coactivation, E, topT);
  const next = agg.transitions ? nextLayerPredictability(agg.transitions, agg.load, E) : null;
  const { loadShare } = balanceMetrics(agg.load);
  return {
    layer,
    tokens: agg.tokens,
    topT,
    meanCollaborationEntropy: meanCollaborationEntropy(agg.coactivation, E),
    nextLayerPredictability: next?.predictability ?? null,
    labelMix: spec?.mix ?? null,
    /** A8, OLMoE-style: each label's load share per expert (Σ over experts = 1) beside the uniform 1 / E. */
    labelShares: spec?.shares ?? null,
    uniformShare: 1 / E,
    experts: collab.map((c, e) => ({
      expert: e,
      load: agg.load[e],
      loadShare: loadShare[e],
      meanGateWeight: agg.load[e] > 0 ? agg.weightSum[e] / agg.load[e] : null,
      collaborationEntropy: c.entropy,
      topCollaborators: c.topCollaborators,
      topCoverage: c.topCoverage,
      labelMix: spec?.perExpert[e].labelMix ?? null,
      labelKl: spec?.perExpert[e].kl ?? null,
      nextExpert: next?.perExpert[e].next ?? null,
      nextHitRate: next?.perExpert[e].hitRate ?? null,
    })),
  };
}
