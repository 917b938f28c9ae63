import { balanceMetrics } from "@/lib/analysis/balance";
import { expertCollaboration } from "@/lib/analysis/collaboration";
import { labelSpecialization } from "@/lib/analysis/specialization";
import { dropStepOf } from "@/lib/analysis/pruning";
import { nextLayerPredictability } from "@/lib/analysis/transitions";
import { ApiError } from "@/lib/errors";
import type { Viewer } from "@/lib/auth/viewer";
import type { Db } from "@/lib/db/client";
import { getAllLayerAggregates, getLabelLoads } from "@/lib/db/queries/layer-aggregates";
import type { RunWithModel } from "@/lib/db/queries/runs";
import { listPruningRuns } from "@/lib/db/queries/pruning-runs";
import { criterionLabel } from "@/lib/pruning/pruning-schemas";
import { listQuantResults } from "@/lib/db/queries/quant-results";

/**
 * GET /api/runs/{id}/experts/{expert}: one expert across every layer (V4): load and its rank,
 * collaboration entropy and Top-T collaborators (A3), label mix (A8), most likely next expert (A7);
 * the pruning runs that dropped it and the bits quantization results gave it.
 * Expert e of one layer and expert e of another are different weights; the page lines them up by id.
 */
/** `viewer` decides which stored results (pruning runs, quantization results) are listed. */
export async function getExpertView(db: Db, run: RunWithModel, expert: number, topT: number, viewer: Viewer) {
  const { layers: L, experts: E } = run.model.config;
  if (expert >= E)
    throw new ApiError(
      404,
      "expert_out_of_range",
      `expert ${expert} is outside [0, ${E}) for model ${run.model.name}`,
      "path parameter expert",
    );
  const aggs = await getAllLayerAggregates(db, run.id, L, E);
  const labelRows = await getLabelLoads(db, run.id);
  const labels = labelRows.map((r) => r.label);
  const perLayer = aggs.map((agg, layer) => {
    const { loadShare } = balanceMetrics(agg.load);
    const load = agg.load[expert];
    const rank = 1 + Array.from(agg.load).filter((x) => x > load).length;
    const c = expertCollaboration(agg.coactivation, E, expert, topT);
    const spec = labels.length
      ? labelSpecialization(
          labels,
          labelRows.map((r) => r.load.subarray(layer * E, (layer + 1) * E)),
          E,
        )
      : null;
    const next = agg.transitions ? nextLayerPredictability(agg.transitions, agg.load, E).perExpert[expert] : null;
    return {
      layer,
      tokens: agg.tokens,
      load,
      /** load / Σ load (LOAD_SHARE_DEFINITION). */
      loadShare: loadShare[expert],
      /** load / N (TOKEN_SHARE_DEFINITION). */
      tokenShare: agg.tokens > 0 ? load / agg.tokens : null,
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
  // Stored results about this expert: pruning runs of the same model that dropped it (and at which
  // step), and the bits quantization results gave it. Matched by preset, or by this very run.
  const sameModel = (m: { presetId: string | null }, runId: string | null) =>
    runId === run.id || (run.model.presetId !== null && m.presetId === run.model.presetId);
  // Results of other models cannot concern this expert: filtered in SQL where the preset says so.
  const filter = run.model.presetId ? { model: run.model.presetId } : {};
  const pruning = (await listPruningRuns(db, viewer, filter))
    .filter((p) => sameModel(p.model, p.runId) && p.model.layers === L && p.model.experts === E)
    .flatMap((p) => {
      const withSets = p.steps.filter((st) => st.dropped) as { dropped: number[][] }[];
      if (!withSets.length) return [];
      const steps = dropStepOf(withSets, L, E);
      const layersDropped = Array.from({ length: L }, (_, l) => steps[l * E + expert]);
      return layersDropped.some((x) => x > 0)
        ? [{ id: p.id, name: p.name, label: criterionLabel(p), schedule: p.schedule, stepPerLayer: layersDropped }]
        : [];
    });
  const bits = (await listQuantResults(db, viewer, filter))
    .filter((q) => sameModel(q.model, q.runId) && q.model.layers === L && q.model.experts === E)
    .map((q) => ({ id: q.id, name: q.name, avgBits: q.avgBits, perLayer: q.bits.experts.map((row) => row[expert]) }));
  return { expert, experts: E, layers: L, topT, labels, perLayer, pruning, bits };
}
