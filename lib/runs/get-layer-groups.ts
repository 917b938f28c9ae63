import { liftGraph, louvain, seriate } from "@/lib/analysis/communities";
import { ApiError } from "@/lib/api/api-error";
import type { Db } from "@/lib/db/client";
import { getLayerAggregate } from "@/lib/db/queries/layer-aggregates";
import type { RunWithModel } from "@/lib/db/queries/runs";

/**
 * GET /api/runs/{id}/layers/{layer}/groups: A4 (b, c) for one layer: Louvain communities on the
 * lift graph, their modularity, and the seriation that draws them as blocks.
 */
export async function getLayerGroups(db: Db, run: RunWithModel, layer: number) {
  const { layers, experts: E } = run.model.config;
  if (layer >= layers) throw new ApiError(404, "layer_out_of_range", `layer ${layer} is outside [0, ${layers}) for model ${run.model.name}`, "path parameter layer");
  const agg = await getLayerAggregate(db, run.id, layer, E);
  const graph = liftGraph(agg.coactivation, agg.load, agg.tokens, E);
  const { community, modularity } = louvain(graph, E);
  const order = seriate(graph, E, community);
  const sizes = new Map<number, number>();
  for (const c of community) sizes.set(c, (sizes.get(c) ?? 0) + 1);
  return {
    layer,
    tokens: agg.tokens,
    community: Array.from(community),
    communities: sizes.size,
    /** Communities of more than one expert. */
    groups: [...sizes.values()].filter((n) => n > 1).length,
    modularity,
    order: Array.from(order),
  };
}
export type LayerGroups = Awaited<ReturnType<typeof getLayerGroups>>;
