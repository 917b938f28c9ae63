import { meanOf } from "@/lib/analysis/stats";
import { BALANCE_SCALARS, balanceMetrics, type BalanceScalar } from "@/lib/analysis/balance";
import { accumulateTopK, emptyLayerAggregate } from "@/lib/analysis/layer-aggregate";
import { meanCollaborationEntropy } from "@/lib/analysis/collaboration";
import { deviceOf, DeviceCounter } from "@/lib/analysis/placement";
import {
  newSimulationState,
  simulateBatch,
  topCollaborators,
  type SimulationSpec,
} from "@/lib/analysis/simulate-routing";
import { ApiError, badRequest } from "@/lib/errors";
import type { Db } from "@/lib/db/client";
import { runEventChunks } from "@/lib/db/queries/event-chunks";
import { getAllLayerAggregates } from "@/lib/db/queries/layer-aggregates";
import type { RunWithModel } from "@/lib/db/queries/runs";
import { uploads } from "@/lib/db/schema";
import { decodeChunk } from "@/lib/trace/encode-chunk";
import { and, eq } from "drizzle-orm";
import {
  layerTokenSets,
  PLACEMENT_STRATEGIES,
  placementObjective,
  strategyPlacement,
  type PlacementStrategy,
} from "./compute-placement";

export type SimulationRequest =
  | { kind: "c2r"; topT: number; collaboratorsFrom?: RunWithModel }
  | { kind: "device-limited"; devices: number; maxDevices: number }
  | { kind: "drop"; experts: number[][] };

/**
 * POST /api/runs/{id}/simulations: replays the run's events that carry logits under a routing
 * policy (A6) and reports, per layer, the derived routing's balance and C_T beside the original's,
 * the top-k flip rate and the routing mass retained.
 */
export async function runSimulation(db: Db, run: RunWithModel, req: SimulationRequest, devices: number) {
  const cfg = run.model.config;
  const { layers: L, experts: E, topK: K } = cfg;
  if (E % devices !== 0)
    throw badRequest("invalid_devices", `devices must divide the ${E} experts evenly; ${devices} does not`, "devices");
  let spec: SimulationSpec;
  if (req.kind === "c2r") {
    // C2R keeps e1 and picks the other k − 1 among TopT(e1): fewer than k − 1 candidates would
    // route tokens to fewer than k experts, a different model, so it is refused rather than defined.
    if (req.topT < K - 1)
      throw badRequest(
        "invalid_field",
        `C2R picks the other ${K - 1} of top-${K} among e1's T strongest collaborators: T = ${req.topT} is fewer than ${K - 1} candidates (T must be at least k − 1 = ${K - 1})`,
        "topT",
      );
    if (req.topT > E - 1)
      throw badRequest(
        "invalid_field",
        `an expert has ${E - 1} possible collaborators; T = ${req.topT} is more than that`,
        "topT",
      );
    const source = req.collaboratorsFrom ?? run;
    if (source.model.config.experts !== E || source.model.config.layers !== L)
      throw badRequest(
        "model_mismatch",
        "collaborators must come from a run of the same model shape",
        "collaboratorsFrom",
      );
    const aggs = await getAllLayerAggregates(db, source.id, L, E);
    spec = {
      kind: "c2r",
      topT: req.topT,
      collaborators: aggs.map((a) => topCollaborators(a.coactivation, E, req.topT)),
    };
  } else if (req.kind === "device-limited") {
    if (E % req.devices !== 0)
      throw badRequest("invalid_devices", `devices must divide the ${E} experts evenly`, "devices");
    if (req.maxDevices * (E / req.devices) < K)
      throw badRequest(
        "invalid_field",
        `${req.maxDevices} devices of ${E / req.devices} experts cannot hold a top-${K}`,
        "maxDevices",
      );
    spec = req;
  } else {
    if (req.experts.length !== L)
      throw badRequest("shape_mismatch", `experts must list the dropped experts of each of the ${L} layers`, "experts");
    spec = {
      kind: "drop",
      dropped: req.experts.map((ids, l) => {
        const m = new Uint8Array(E);
        for (const e of ids) {
          if (!Number.isInteger(e) || e < 0 || e >= E)
            throw badRequest("expert_out_of_range", `expert ${e} is outside [0, ${E})`, `experts[${l}]`);
          m[e] = 1;
        }
        if (E - ids.length < K)
          throw badRequest(
            "invalid_field",
            `dropping ${ids.length} of ${E} experts leaves fewer than top-${K}`,
            `experts[${l}]`,
          );
        return m;
      }),
    };
  }
  const model = { layers: L, experts: E, topK: K, renormalize: cfg.renormalize, router: cfg.router };
  // C_T before and after, counted per event (exact for any k) under every placement strategy, each
  // placement derived from this run's original co-activation: what would be deployed today.
  const ownAggs = await getAllLayerAggregates(db, run.id, L, E);
  // The same placements the placement endpoint gives (beyond top-2 "optimized" is searched on the events).
  const tokens = placementObjective(K, run.events) === "events" ? await layerTokenSets(db, run) : null;
  const devOfBy = Object.fromEntries(
    PLACEMENT_STRATEGIES.map((s) => [
      s,
      ownAggs.map((agg, l) => deviceOf(strategyPlacement(agg, E, devices, s, undefined, tokens?.[l]), E)),
    ]),
  ) as Record<PlacementStrategy, Int32Array[]>;
  const before = Object.fromEntries(
    PLACEMENT_STRATEGIES.map((s) => [s, new DeviceCounter(devOfBy[s], devices)]),
  ) as Record<PlacementStrategy, DeviceCounter>;
  const after = Object.fromEntries(
    PLACEMENT_STRATEGIES.map((s) => [s, new DeviceCounter(devOfBy[s], devices)]),
  ) as Record<PlacementStrategy, DeviceCounter>;
  const state = newSimulationState(model, devOfBy.contiguous, devices);
  const original = Array.from({ length: L }, () => emptyLayerAggregate(E));
  let events = 0;
  let withoutLogits = 0;
  for await (const chunk of runEventChunks(db, run.id)) {
    if (!chunk.logits) {
      withoutLogits += chunk.count;
      continue;
    }
    const b = decodeChunk(chunk, L, E);
    const { ids: newIds } = simulateBatch(state, spec, model, b.count, b.layer, b.experts, b.logits!);
    for (const s of PLACEMENT_STRATEGIES) {
      before[s].add(b.count, b.k, b.layer, b.experts);
      after[s].add(b.count, K, b.layer, newIds);
    }
    accumulateTopK(original, b.count, b.k, b.layer, b.experts, b.weights);
    events += b.count;
  }
  if (events === 0) {
    throw new ApiError(
      422,
      "no_logits",
      withoutLogits
        ? `none of this run's ${withoutLogits} events carry router logits: C2R, device-limited routing and expert dropping re-route from the logits, so they cannot be simulated from top-k ids alone`
        : "this run has no raw events to simulate (aggregate uploads keep sums only)",
      "run",
    );
  }
  const perLayer = state.layers.map((sim, l) => {
    const orig = original[l];
    const bo = balanceMetrics(orig.load);
    const bs = balanceMetrics(sim.load);
    return {
      layer: l,
      tokens: state.tokens[l],
      flipRate: state.tokens[l] ? state.flipped[l] / state.tokens[l] : null,
      massRetained: state.massOld[l] ? state.massNew[l] / state.massOld[l] : null,
      original: {
        ...scalars(bo),
        maxOverMean: bo.maxOverMean,
        cv: bo.cv,
        ct: before.contiguous.ct(l),
        ctBy: ctOf(before, l),
        entropy: meanCollaborationEntropy(orig.coactivation, E),
        load: Array.from(orig.load),
      },
      simulated: {
        ...scalars(bs),
        maxOverMean: bs.maxOverMean,
        cv: bs.cv,
        ct: after.contiguous.ct(l),
        ctBy: ctOf(after, l),
        entropy: meanCollaborationEntropy(sim.coactivation, E),
        load: Array.from(sim.load),
      },
    };
  });
  const mean = (f: (x: (typeof perLayer)[number]) => number | null) =>
    meanOf(perLayer.filter((x) => x.tokens > 0).map(f));
  return {
    kind: req.kind,
    events,
    eventsWithoutLogits: withoutLogits,
    devices,
    mean: {
      flipRate: mean((x) => x.flipRate),
      massRetained: mean((x) => x.massRetained),
      ctOriginal: mean((x) => x.original.ct),
      ctSimulated: mean((x) => x.simulated.ct),
      maxOverMeanOriginal: mean((x) => x.original.maxOverMean),
      maxOverMeanSimulated: mean((x) => x.simulated.maxOverMean),
      entropyOriginal: mean((x) => x.original.entropy),
      entropySimulated: mean((x) => x.simulated.entropy),
    },
    /** Every A1 scalar, mean over layers, for the original and the simulated routing. */
    balance: BALANCE_SCALARS.map((k) => ({
      metric: k,
      original: mean((x) => x.original[k]),
      simulated: mean((x) => x.simulated[k]),
    })),
    /** Mean C_T over layers under each placement strategy, before and after: strategies side by side. */
    strategies: PLACEMENT_STRATEGIES.map((s) => ({
      strategy: s,
      ctOriginal: mean((x) => x.original.ctBy[s]),
      ctSimulated: mean((x) => x.simulated.ctBy[s]),
    })),
    layers: perLayer,
  };
}

/** Every A1 scalar (max/mean, imbalance, balancedness, CV, Gini, normalized entropy, Jain) and the dead count. */
const scalars = (b: ReturnType<typeof balanceMetrics>) =>
  ({ ...Object.fromEntries(BALANCE_SCALARS.map((k) => [k, b[k]])), dead: b.dead.length }) as Record<
    BalanceScalar,
    number | null
  > & { dead: number };

const ctOf = (counters: Record<PlacementStrategy, DeviceCounter>, l: number) =>
  Object.fromEntries(PLACEMENT_STRATEGIES.map((s) => [s, counters[s].ct(l)])) as Record<
    PlacementStrategy,
    number | null
  >;

/** Whether any committed upload of the run carries router logits: what every simulation needs (the lab disables Simulate otherwise). */
export async function runHasLogits(db: Db, runId: string): Promise<boolean> {
  const rows = await db
    .select({ id: uploads.id })
    .from(uploads)
    .where(and(eq(uploads.runId, runId), eq(uploads.status, "committed"), eq(uploads.hasLogits, true)))
    .limit(1);
  return rows.length > 0;
}
