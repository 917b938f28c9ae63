import { meanCollaborationEntropy } from "@/lib/analysis/collaboration";
import { contiguousPlacement, deviceOf, DeviceCounter, placementCost, roundRobinPlacement, validatePlacement, type Placement } from "@/lib/analysis/placement";
import { deviceImbalance, greedyPlacement, optimizePlacement } from "@/lib/analysis/placement-search";
import { badRequest } from "@/lib/api/api-error";
import type { Db } from "@/lib/db/client";
import { runEventChunks } from "@/lib/db/queries/event-chunks";
import { getAllLayerAggregates } from "@/lib/db/queries/layer-aggregates";
import { decodeChunk } from "@/lib/trace/encode-chunk";
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
  const base = contiguousPlacement(E, devices);
  const placements = aggs.map((agg) => strategyPlacement(agg, E, devices, strategy, maxImbalance));
  // Beyond top-2, pairs do not determine the devices a token reaches: count them on the raw events.
  const counted = topK > 2 && run.events > 0 ? await countDevices(db, run, placements, base, devices) : null;
  const perLayer = aggs.map((agg, l) => {
    const p = placements[l];
    let ct: number | null;
    let contiguous: number | null;
    let deviceLoad: number[];
    let reached: number;
    if (topK <= 2) {
      const cost = placementCost(agg.coactivation, agg.load, agg.tokens, topK, p);
      ct = agg.tokens > 0 ? cost.ct : null;
      contiguous = agg.tokens > 0 ? placementCost(agg.coactivation, agg.load, agg.tokens, topK, base).ct : null;
      deviceLoad = cost.deviceLoad;
      reached = (cost.ct ?? 0) * agg.tokens;
    } else if (counted) {
      ct = counted.chosen.ct(l);
      contiguous = counted.contiguous.ct(l);
      deviceLoad = Array.from(counted.chosen.deviceLoad[l]);
      reached = counted.chosen.reached[l];
    } else {
      ct = contiguous = null;
      deviceLoad = [];
      reached = 0;
    }
    const meanLoad = deviceLoad.length ? deviceLoad.reduce((s, x) => s + x, 0) / devices : 0;
    return {
      placement: p,
      ct,
      reduction: ct !== null && contiguous ? 1 - ct / contiguous : null,
      bytes: hidden && ct !== null ? 2 * reached * hidden * DTYPE_BYTES : null,
      deviceLoad,
      deviceImbalance: meanLoad > 0 ? Math.max(...deviceLoad) / meanLoad : null,
      // What the load-aware bound constrains: expert assignments (Σ load) per device, max / mean.
      assignmentImbalance: agg.tokens > 0 ? deviceImbalance(p, agg.load) : null,
    };
  });
  const withTokens = perLayer.filter((l) => l.ct !== null);
  const entropy = aggs.map((agg) => meanCollaborationEntropy(agg.coactivation, E));
  const knownEntropy = entropy.filter((h): h is number => h !== null);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);
  return {
    devices,
    strategy,
    exact: topK <= 2 || counted !== null,
    note:
      topK <= 2
        ? "C_T is exact from the co-activation counts (top-2)."
        : counted
          ? `C_T for top-${topK} is counted on the run's ${run.events} raw events (tokens uploaded only as aggregates are not included); placements are searched on pairwise co-location.`
          : `C_T for top-${topK} needs the raw events (pairs of experts do not determine how many devices a token reaches) and this run holds aggregates only.`,
    ctPerLayer: perLayer.map((l) => l.ct),
    ctMean: mean(withTokens.map((l) => l.ct!)),
    reductionMean: mean(withTokens.map((l) => l.reduction ?? 0)),
    bytesPerLayer: perLayer.map((l) => l.bytes),
    placement: perLayer.map((l) => l.placement),
    deviceLoad: perLayer.map((l) => l.deviceLoad),
    deviceImbalance: perLayer.map((l) => l.deviceImbalance),
    assignmentImbalance: perLayer.map((l) => l.assignmentImbalance),
    /** A3 mean collaboration entropy per layer: what C2R lowers, and why grouping then pays. */
    collaborationEntropy: entropy,
    meanCollaborationEntropy: knownEntropy.length ? knownEntropy.reduce((s, h) => s + h, 0) / knownEntropy.length : null,
    maxImbalance: strategy === "optimized" ? (maxImbalance ?? null) : null,
    /** Layers where even the most balanced placement breaks the bound (it is then returned as is). */
    boundMissed: strategy === "optimized" && maxImbalance ? perLayer.flatMap((l, i) => (l.assignmentImbalance !== null && l.assignmentImbalance > maxImbalance + 1e-9 ? [i] : [])) : [],
  };
}

/** One layer's placement under a strategy, from that layer's co-activation (and load, when bounded). */
export function strategyPlacement(agg: { coactivation: Float64Array; load: Float64Array }, E: number, devices: number, strategy: PlacementStrategy, maxImbalance?: number): Placement {
  const C = agg.coactivation;
  let p: Placement;
  if (strategy === "contiguous") p = contiguousPlacement(E, devices);
  else if (strategy === "round-robin") p = roundRobinPlacement(E, devices);
  else if (strategy === "greedy") p = greedyPlacement(C, E, devices);
  else p = optimizePlacement(C, E, devices, { starts: [greedyPlacement(C, E, devices), contiguousPlacement(E, devices), roundRobinPlacement(E, devices)], maxImbalance, load: agg.load });
  const err = validatePlacement(p, E);
  if (err) throw new Error(`placement bug: ${err}`);
  return p;
}

async function countDevices(db: Db, run: RunWithModel, placements: Placement[], base: Placement, devices: number) {
  const { layers, experts } = run.model.config;
  const chosen = new DeviceCounter(placements.map((p) => deviceOf(p, experts)), devices);
  const contiguous = new DeviceCounter(Array.from({ length: layers }, () => deviceOf(base, experts)), devices);
  for await (const chunk of runEventChunks(db, run.id)) {
    const b = decodeChunk(chunk, layers, experts);
    chosen.add(b.count, b.k, b.layer, b.experts);
    contiguous.add(b.count, b.k, b.layer, b.experts);
  }
  return { chosen, contiguous };
}
