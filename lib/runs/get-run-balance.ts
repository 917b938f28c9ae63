import { balanceMetrics, balancePercentiles } from "@/lib/analysis/balance";
import type { Db } from "@/lib/db/client";
import { getLayerLoads } from "@/lib/db/queries/layer-aggregates";
import type { RunWithModel } from "@/lib/db/queries/runs";

/** Per-layer A1 metrics and their percentiles across layers, for the run overview. */
export async function getRunBalance(db: Db, run: RunWithModel) {
  const { layers, experts } = run.model.config;
  const loads = await getLayerLoads(db, run.id, layers, experts);
  const perLayer = loads.map((l, layer) => {
    const { loadShare: _share, ...metrics } = balanceMetrics(l.load);
    return { layer, tokens: l.tokens, load: Array.from(l.load), ...metrics };
  });
  const percentiles = balancePercentiles(loads.filter((l) => l.tokens > 0).map((l) => balanceMetrics(l.load)));
  return { layers: perLayer, percentiles };
}
