import { normalizeCoactivation, type Normalization } from "@/lib/analysis/coactivation";
import { sharedOffDiagonalExtent } from "@/lib/analysis/series-metrics";
import { ApiError, notFound } from "@/lib/errors";
import type { Viewer } from "@/lib/auth/viewer";
import type { Db } from "@/lib/db/client";
import { getLayerAggregate } from "@/lib/db/queries/layer-aggregates";
import { listSeriesRuns } from "@/lib/db/queries/series";

/**
 * GET /api/series/{series}/layers/{layer}: the layer explorer's step scrubber: the series' steps the
 * viewer may read, and one colour domain for this layer and normalization across all of them (so a
 * colour means the same value at every step).
 */
export async function getSeriesLayer(db: Db, series: string, layer: number, norm: Normalization, viewer: Viewer) {
  const runs = await listSeriesRuns(db, series, viewer);
  if (!runs.length) throw notFound(`series "${series}"`, "path parameter series");
  const { layers: L, experts: E } = runs[0].model.config;
  if (layer >= L)
    throw new ApiError(404, "layer_out_of_range", `layer ${layer} is outside [0, ${L})`, "path parameter layer");
  const matrices = [];
  for (const run of runs) {
    const agg = await getLayerAggregate(db, run.id, layer, E);
    if (agg.tokens > 0) matrices.push(normalizeCoactivation(agg.coactivation, agg.load, agg.tokens, norm));
  }
  return {
    series,
    layer,
    normalization: norm,
    steps: runs.map((r) => ({ step: r.step!, runId: r.id, name: r.name })),
    ...sharedOffDiagonalExtent(matrices, E),
  };
}
