import { meanCollaborationEntropy } from "@/lib/analysis/collaboration";
import {
  allToAllBytes,
  contiguousPlacement,
  ctReduction,
  deviceOf,
  expertLoadPerDevice,
  layersOverBound,
  maxOverMean,
  placementCost,
  roundRobinPlacement,
  validatePlacement,
  type Placement,
} from "@/lib/analysis/placement";
import { deviceTokenLoad, optimizeOnEvents, type TokenSets } from "@/lib/analysis/placement-events";
import {
  balancedPlacement,
  deviceImbalance,
  greedyPlacement,
  optimizePlacement,
} from "@/lib/analysis/placement-search";
import { meanOf, sumOf } from "@/lib/analysis/stats";
import { badRequest } from "@/lib/errors";
import type { Db } from "@/lib/db/client";
import { runEventChunks } from "@/lib/db/queries/event-chunks";
import { getAllLayerAggregates } from "@/lib/db/queries/layer-aggregates";
import { decodeChunk } from "@/lib/trace/encode-chunk";
import type { RunWithModel } from "@/lib/db/queries/runs";

export const PLACEMENT_STRATEGIES = ["contiguous", "round-robin", "greedy", "optimized"] as const;
export type PlacementStrategy = (typeof PLACEMENT_STRATEGIES)[number];

/** Activations on the wire: bf16, 2 bytes an element (A5's dtype size). */
export const WIRE_DTYPE = { name: "bf16", bytes: 2 } as const;

/**
 * What C_T is counted on and what the optimizer minimizes, by the run's k and whether it keeps raw
 * events (see placementNote):
 *  - "top-1": every token reaches one device, C_T = 1 whatever the placement;
 *  - "top-2-exact": C_T exact from co-activation, the optimizer minimizes it exactly;
 *  - "events": C_T counted on the raw events, the optimizer minimizes that count;
 *  - "colocation-proxy": aggregates only beyond top-2: C_T unknown, the optimizer maximizes
 *    co-located co-activation instead.
 */
export type PlacementObjective = "top-1" | "top-2-exact" | "events" | "colocation-proxy";

export function placementObjective(topK: number, events: number): PlacementObjective {
  if (topK <= 1) return "top-1";
  if (topK === 2) return "top-2-exact";
  return events > 0 ? "events" : "colocation-proxy";
}

export function placementNote(
  objective: PlacementObjective,
  topK: number,
  events: number,
  experts: number,
  devices: number,
): string {
  switch (objective) {
    case "top-1":
      return "Top-1: every token reaches exactly one device, so C_T = 1 under any placement; placements differ only in device load.";
    case "top-2-exact":
      return `C_T is exact from the co-activation counts (top-2: a token's two experts cost one device when co-located, two otherwise); the optimizer maximizes co-located co-activation, which minimizes C_T exactly${experts === 2 * devices ? ", here by a maximum-weight perfect matching (two experts per device): the optimum" : ""}.`;
    case "events":
      return `C_T for top-${topK} is counted on the run's ${events.toLocaleString("en-US")} raw events (tokens uploaded only as aggregates are not included); the optimizer minimizes that count itself, by swaps of two experts from the greedy grouping and the co-location optimum until no swap lowers it.`;
    case "colocation-proxy":
      return `C_T for top-${topK} needs the raw events (pairs of experts do not determine how many devices a token reaches) and this run holds aggregates only: the optimizer maximizes co-located co-activation (Σ C_ij over experts sharing a device), a proxy for C_T, not C_T itself.`;
  }
}

/**
 * POST /api/runs/{id}/placement: a placement per layer for the strategy, its C_T per layer and
 * mean, the all-to-all bytes (dispatch + combine), the reduction against contiguous, device loads.
 */
export async function computePlacement(
  db: Db,
  run: RunWithModel,
  devices: number,
  strategy: PlacementStrategy,
  maxImbalance?: number,
) {
  const { layers, experts: E, topK, hidden } = run.model.config;
  if (!Number.isInteger(devices) || devices < 1 || E % devices !== 0) {
    throw badRequest("invalid_devices", `devices must divide the ${E} experts evenly; ${devices} does not`, "devices");
  }
  const aggs = await getAllLayerAggregates(db, run.id, layers, E);
  const objective = placementObjective(topK, run.events);
  // Beyond top-2, pairs do not determine the devices a token reaches: the raw events' top-k sets,
  // one layer's tokens side by side, are what C_T is counted on and what the optimizer minimizes.
  const tokens = objective === "events" ? await layerTokenSets(db, run) : null;
  const base = contiguousPlacement(E, devices);
  const placements = aggs.map((agg, l) => strategyPlacement(agg, E, devices, strategy, maxImbalance, tokens?.[l]));
  const perLayer = aggs.map((agg, l) => {
    const p = placements[l];
    let ct: number | null = null;
    let contiguous: number | null = null;
    let deviceLoad: number[] = [];
    let reached = 0;
    if (objective === "top-1" || objective === "top-2-exact") {
      if (agg.tokens > 0) {
        const cost = placementCost(agg.coactivation, agg.load, agg.tokens, topK, p);
        ct = cost.ct;
        contiguous = placementCost(agg.coactivation, agg.load, agg.tokens, topK, base).ct;
        deviceLoad = cost.deviceLoad;
        reached = (cost.ct ?? 0) * agg.tokens;
      }
    } else if (tokens && tokens[l].count > 0) {
      const chosen = deviceTokenLoad(tokens[l], deviceOf(p, E), devices);
      const contig = deviceTokenLoad(tokens[l], deviceOf(base, E), devices);
      ct = chosen.reached / tokens[l].count;
      contiguous = contig.reached / tokens[l].count;
      deviceLoad = chosen.perDevice;
      reached = chosen.reached;
    }
    return {
      placement: p,
      ct,
      reduction: ctReduction(ct, contiguous),
      bytes: hidden && ct !== null ? allToAllBytes(reached, hidden, WIRE_DTYPE.bytes) : null,
      deviceLoad,
      expertLoad: expertLoadPerDevice(p, agg.load),
      deviceImbalance: maxOverMean(deviceLoad),
      // What the load-aware bound constrains, and the one max/mean the lab shows: Σ expert load per device.
      assignmentImbalance: agg.tokens > 0 ? deviceImbalance(p, agg.load) : null,
    };
  });
  const withTokens = perLayer.filter((l) => l.ct !== null);
  const entropy = aggs.map((agg) => meanCollaborationEntropy(agg.coactivation, E));
  const bytes = perLayer.map((l) => l.bytes);
  return {
    devices,
    strategy,
    objective,
    exact: objective !== "colocation-proxy",
    note: placementNote(objective, topK, run.events, E, devices),
    ctPerLayer: perLayer.map((l) => l.ct),
    ctMean: meanOf(withTokens.map((l) => l.ct)),
    // A layer with tokens but no reduction (contiguous C_T of 0) counts as no reduction.
    reductionMean: meanOf(withTokens.map((l) => l.reduction ?? 0)),
    /** A5 bytes = 2 · Σ_t |devices| · hidden · dtype size, per layer and summed; null without the model's hidden size. */
    hidden: hidden ?? null,
    dtype: WIRE_DTYPE.name,
    dtypeBytes: WIRE_DTYPE.bytes,
    bytesPerLayer: bytes,
    bytesTotal: sumOf(bytes),
    placement: perLayer.map((l) => l.placement),
    deviceLoad: perLayer.map((l) => l.deviceLoad),
    expertLoad: perLayer.map((l) => l.expertLoad),
    deviceImbalance: perLayer.map((l) => l.deviceImbalance),
    assignmentImbalance: perLayer.map((l) => l.assignmentImbalance),
    /** A3 mean collaboration entropy per layer: what C2R lowers, and why grouping then pays. */
    collaborationEntropy: entropy,
    meanCollaborationEntropy: meanOf(entropy),
    maxImbalance: strategy === "optimized" ? (maxImbalance ?? null) : null,
    /** Layers where even the most balanced placement breaks the bound (it is then returned as is). */
    boundMissed:
      strategy === "optimized" && maxImbalance
        ? layersOverBound(
            perLayer.map((l) => l.assignmentImbalance),
            maxImbalance,
          )
        : [],
  };
}

/**
 * One layer's placement under a strategy, from that layer's co-activation (and load, when bounded).
 * With the layer's raw top-k sets (`tokens`, beyond top-2), "optimized" minimizes C_T counted on
 * them: swap search from the greedy grouping (so never worse than it) and from the co-location
 * optimum; with a load bound also from the most balanced placement, the fallback when no end point
 * meets the bound.
 */
export function strategyPlacement(
  agg: { coactivation: Float64Array; load: Float64Array },
  E: number,
  devices: number,
  strategy: PlacementStrategy,
  maxImbalance?: number,
  tokens?: TokenSets | null,
): Placement {
  const C = agg.coactivation;
  let p: Placement;
  if (strategy === "contiguous") p = contiguousPlacement(E, devices);
  else if (strategy === "round-robin") p = roundRobinPlacement(E, devices);
  else if (strategy === "greedy") p = greedyPlacement(C, E, devices);
  else {
    const greedy = greedyPlacement(C, E, devices);
    const colocation = optimizePlacement(C, E, devices, {
      starts: [greedy, contiguousPlacement(E, devices), roundRobinPlacement(E, devices)],
      maxImbalance,
      load: agg.load,
    });
    if (tokens && tokens.count > 0) {
      const bounded = maxImbalance !== undefined;
      const starts = bounded ? [greedy, colocation, balancedPlacement(agg.load, E, devices)] : [greedy, colocation];
      p = optimizeOnEvents(tokens, E, devices, {
        starts,
        maxImbalance,
        load: bounded ? agg.load : undefined,
        accept: bounded ? (x) => deviceImbalance(x, agg.load) <= maxImbalance + 1e-12 : undefined,
      }).placement;
    } else p = colocation;
  }
  const err = validatePlacement(p, E);
  if (err) throw new Error(`placement bug: ${err}`);
  return p;
}

/**
 * Each layer's raw top-k sets, streamed from the run's chunks: k ids (Int16, −1 for an empty slot)
 * per event, so 2 · k bytes an event stay in memory while the placements are searched.
 */
export async function layerTokenSets(db: Db, run: RunWithModel): Promise<TokenSets[]> {
  const { layers: L, experts: E, topK: K } = run.model.config;
  const bufs = Array.from({ length: L }, () => new Int16Array(1024 * K).fill(-1));
  const counts = new Int32Array(L);
  for await (const chunk of runEventChunks(db, run.id)) {
    const b = decodeChunk(chunk, L, E);
    const k = Math.min(b.k, K);
    for (let t = 0; t < b.count; t++) {
      const l = b.layer[t];
      if (counts[l] * K + K > bufs[l].length) {
        const grown = new Int16Array(bufs[l].length * 2).fill(-1);
        grown.set(bufs[l]);
        bufs[l] = grown;
      }
      const at = counts[l]++ * K;
      for (let a = 0; a < k; a++) bufs[l][at + a] = b.experts[t * b.k + a];
    }
  }
  return bufs.map((ids, l) => ({ ids: ids.subarray(0, counts[l] * K), k: K, count: counts[l] }));
}
