import { liftBaseline } from "@/lib/analysis/coactivation";
import { expertCommunities, liftGraph, seriate } from "@/lib/analysis/communities";
import type { Db } from "@/lib/db/client";
import { getLayerAggregate } from "@/lib/db/queries/layer-aggregates";
import type { RunWithModel } from "@/lib/db/queries/runs";
import { requireLayer } from "./require-run";

/**
 * GET /api/runs/{id}/layers/{layer}/groups: A4 (b, c) for one layer: communities (exact optimum
 * for few experts, else Louvain) on the normalized lift graph (lift over its top-k chance baseline, liftBaseline), their modularity, and
 * the seriation that draws them as blocks. The baseline goes out too, so the graph view draws
 * edges on the same scale the groups were found on.
 */
export async function getLayerGroups(db: Db, run: RunWithModel, layer: number) {
  const { experts: E, topK } = run.model.config;
  requireLayer(run, layer);
  const agg = await getLayerAggregate(db, run.id, layer, E);
  const graph = liftGraph(agg.coactivation, agg.load, agg.tokens, E, topK);
  const { community, modularity, method } = expertCommunities(graph, E);
  const order = seriate(graph, E, community);
  const sizes = new Map<number, number>();
  for (const c of community) sizes.set(c, (sizes.get(c) ?? 0) + 1);
  const baseline = liftBaseline(topK, E);
  return {
    layer,
    tokens: agg.tokens,
    topK,
    /** Lift under input-independent top-k routing, (k−1)E / (k(E−1)); null for top-1 (no co-activation). */
    liftBaseline: baseline,
    community: Array.from(community),
    communities: sizes.size,
    /** Communities of more than one expert. */
    groups: [...sizes.values()].filter((n) => n > 1).length,
    modularity,
    /** "exact": every partition tried (at most 10 linked experts); else deterministic Louvain. */
    method,
    order: Array.from(order),
    ...(baseline === null
      ? {
          note: "top-1 routing: no token has two experts, so co-activation is empty and every expert is its own community",
        }
      : {}),
  };
}
export type LayerGroups = Awaited<ReturnType<typeof getLayerGroups>>;
