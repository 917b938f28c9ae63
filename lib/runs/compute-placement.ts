import { contiguousPlacement, placementCost, roundRobinPlacement, validatePlacement, type Placement } from "@/lib/analysis/placement";
import { greedyPlacement, optimizePlacement } from "@/lib/analysis/placement-search";
import { badRequest } from "@/lib/api/api-error";
import type { Db } from "@/lib/db/client";
import { getAllLayerAggregates } from "@/lib/db/queries/layer-aggregates";
import type { RunWithModel } from "@/lib/db/queries/runs";

export const PLACEMENT_STRATEGIES = ["contiguous", "round-robin", "greedy", "optimized"] as const;
export type PlacementStrategy = (typeof PLACEMENT_STRATEGIES)[number];

/** Bytes per activation element on the wire (bf16). */
const DTYPE_BYTES = 2;

/**
 * POST /api/runs/{id}/placement: a placement per layer for the strategy, its C_T per layer and
 * mean, the all-to-all bytes (dispatch + combine), the reduction against contiguous, device loads.
 */
export async function computePlacement(db: Db, run: RunWithModel, devices: number, strategy: PlacementStrategy, maxImbalance?: number) {
  const { layers, experts: E, topK, hidden } = run.model.config;
  if (!Number.isInteger(devices) || devices < 1 || E % devices !== 0) {
    throw badRequest("invalid_devices", `devices must divide the ${E} experts evenly; ${devices} does not`, "devices");
  }
  const aggs = await getAllLayerAggregates(db, run.id, layers, E);
  const perLayer = aggs.map((agg) => {
    const C = agg.coactivation;
    const base = contiguousPlacement(E, devices);
    let p: Placement;
    if (strategy === "contiguous") p = base;
    else if (strategy === "round-robin") p = roundRobinPlacement(E, devices);
    else if (strategy === "greedy") p = greedyPlacement(C, E, devices);
    else p = optimizePlacement(C, E, devices, { starts: [greedyPlacement(C, E, devices), base, roundRobinPlacement(E, devices)], maxImbalance, load: agg.load });
    const err = validatePlacement(p, E);
    if (err) throw new Error(`placement bug: ${err}`);
    const cost = placementCost(C, agg.load, agg.tokens, topK, p);
    const contiguous = placementCost(C, agg.load, agg.tokens, topK, base).ct;
    const reached = cost.ct * agg.tokens;
    const meanLoad = cost.deviceLoad.reduce((s, x) => s + x, 0) / devices;
    return {
      placement: p,
      ct: agg.tokens > 0 ? cost.ct : null,
      reduction: agg.tokens > 0 && contiguous > 0 ? 1 - cost.ct / contiguous : null,
      bytes: hidden ? 2 * reached * hidden * DTYPE_BYTES : null,
      deviceLoad: cost.deviceLoad,
      deviceImbalance: meanLoad > 0 ? Math.max(...cost.deviceLoad) / meanLoad : null,
    };
  });
  const withTokens = perLayer.filter((l) => l.ct !== null);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);
  return {
    devices,
    strategy,
    exact: topK <= 2,
    note: topK <= 2 ? "C_T is exact from the co-activation counts (top-2)." : `C_T is a pairwise estimate for top-${topK}; exact values need the raw events.`,
    ctPerLayer: perLayer.map((l) => l.ct),
    ctMean: mean(withTokens.map((l) => l.ct!)),
    reductionMean: mean(withTokens.map((l) => l.reduction ?? 0)),
    bytesPerLayer: perLayer.map((l) => l.bytes),
    placement: perLayer.map((l) => l.placement),
    deviceLoad: perLayer.map((l) => l.deviceLoad),
    deviceImbalance: perLayer.map((l) => l.deviceImbalance),
  };
}
