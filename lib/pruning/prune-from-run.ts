import { meanOf } from "@/lib/analysis/stats";
import { balanceMetrics } from "@/lib/analysis/balance";
import { type LayerAggregate } from "@/lib/analysis/layer-aggregate";
import { contiguousPlacement, deviceOf } from "@/lib/analysis/placement";
import {
  dropLowest,
  eccDrop,
  importanceScores,
  TokenSets,
  tokenSetImportance,
  type TraceCriterion,
} from "@/lib/analysis/pruning";
import { newSimulationState, simulateBatch } from "@/lib/analysis/simulate-routing";
import { ApiError, badRequest } from "@/lib/errors";
import type { Db } from "@/lib/db/client";
import { runEventChunks } from "@/lib/db/queries/event-chunks";
import { getAllLayerAggregates } from "@/lib/db/queries/layer-aggregates";
import type { RunWithModel } from "@/lib/db/queries/runs";
import { decodeChunk } from "@/lib/trace/encode-chunk";

export interface PruneRequest {
  criterion: TraceCriterion;
  /** ECC: the pair with the smallest or largest co-activation. */
  mode?: "min" | "max";
  schedule: "one-shot" | "iterative";
  /** Experts dropped per layer at the last step (one more per step). */
  steps: number;
}

/**
 * A9 from a run: rank the experts of every layer by a trace criterion and drop one more per layer
 * at each step, uniformly. One-shot ranks once on the recorded routing; iterative re-routes the
 * tokens without the dropped experts (their logits −∞, softmax and top-k over the rest) and ranks
 * again on that routing. With logits, every step also reports what the re-routing does (routing
 * mass retained, flip rate, balance, C_T on 4 devices or 1); without, one-shot still ranks.
 */
export async function pruneFromRun(db: Db, run: RunWithModel, req: PruneRequest) {
  const cfg = run.model.config;
  const { layers: L, experts: E, topK: K } = cfg;
  if (req.steps < 1 || req.steps > E - K)
    throw badRequest(
      "invalid_field",
      `steps must be from 1 to ${E - K} (top-${K} of ${E} needs ${K} survivors per layer)`,
      "steps",
    );
  if (req.criterion === "ECC" && !req.mode)
    throw badRequest(
      "missing_field",
      "ECC needs mode: min or max (the pair with the smallest or largest co-activation)",
      "mode",
    );
  const hasLogits = run.events > 0 && (await hasAnyLogits(db, run));
  if (req.schedule === "iterative" && !hasLogits) {
    throw new ApiError(
      422,
      "no_logits",
      "iterative dropping re-routes the tokens after each step, which needs router logits; this run has none (one-shot still works)",
      "schedule",
    );
  }
  if (req.schedule === "iterative" && (req.criterion === "EVTC" || req.criterion === "ETS")) {
    throw badRequest(
      "invalid_field",
      "iterative re-estimation supports EUF, ECC, gate and soft-load; EVTC and ETS rank once (one-shot)",
      "criterion",
    );
  }
  const base = await getAllLayerAggregates(db, run.id, L, E);
  const tokenSets = req.criterion === "EVTC" || req.criterion === "ETS" ? await collectTokenSets(db, run) : null;
  const rank = (aggs: LayerAggregate[], l: number, r: number, alive: Uint8Array) => {
    const agg = aggs[l];
    if (req.criterion === "ECC") return eccDrop(agg.coactivation, agg.load, E, r, req.mode!, alive);
    const scores = tokenSets
      ? tokenSetImportance(req.criterion as "EVTC" | "ETS", tokenSets, l)
      : importanceScores(req.criterion as "EUF" | "gate" | "soft-load", agg, E);
    return dropLowest(scores, r, alive);
  };

  const devices = E % 4 === 0 ? 4 : 1;
  const devOf = Array.from({ length: L }, () => deviceOf(contiguousPlacement(E, devices), E));
  const dropped: number[][] = Array.from({ length: L }, () => []);
  let aggs = base;
  const steps = [];
  for (let s = 1; s <= req.steps; s++) {
    for (let l = 0; l < L; l++) {
      const alive = new Uint8Array(E).fill(1);
      if (req.schedule === "one-shot") {
        // Ranked once on the recorded routing: the s lowest overall (ECC: the pair rule run s times).
        dropped[l] = rank(base, l, s, alive);
      } else {
        for (const e of dropped[l]) alive[e] = 0;
        dropped[l] = [...dropped[l], ...rank(aggs, l, 1, alive)].sort((a, b) => a - b);
      }
    }
    const metrics: Record<string, number> = {};
    if (hasLogits) {
      const replay = await replayWithout(db, run, dropped, devOf, devices);
      Object.assign(metrics, replay.metrics);
      aggs = replay.aggregates;
    }
    steps.push({
      droppedPercent: (100 * s) / E,
      expertsDroppedPerLayer: s,
      dropped: dropped.map((d) => [...d]),
      metrics,
    });
  }
  return {
    run: run.id,
    criterion: req.criterion,
    mode: req.mode ?? null,
    schedule: req.schedule,
    simulated: hasLogits,
    note: hasLogits
      ? `Each step re-routes the run's events with logits without the dropped experts; C_T on ${devices} device${devices > 1 ? "s" : ""} (contiguous).`
      : "This run has no router logits: experts are ranked, but what dropping them does to routing cannot be simulated.",
    steps,
  };
}

async function hasAnyLogits(db: Db, run: RunWithModel) {
  for await (const chunk of runEventChunks(db, run.id, 1)) if (chunk.logits) return true;
  return false;
}

async function collectTokenSets(db: Db, run: RunWithModel) {
  const { layers: L, experts: E } = run.model.config;
  const sets = new TokenSets(L, E, 32_768);
  let seen = 0;
  for await (const chunk of runEventChunks(db, run.id)) {
    const b = decodeChunk(chunk, L, E);
    if (b.tokenId.every((t) => t < 0)) continue;
    sets.add(b.count, b.k, b.layer, b.experts, b.tokenId);
    seen += b.count;
  }
  if (!seen)
    throw new ApiError(
      422,
      "no_token_ids",
      "EVTC and ETS need token ids in the trace (token_id per event); this run has none",
      "criterion",
    );
  return sets;
}

/** One replay of the run's logits without the dropped experts: the step's metrics and routing. */
async function replayWithout(db: Db, run: RunWithModel, dropped: number[][], devOf: Int32Array[], devices: number) {
  const cfg = run.model.config;
  const { layers: L, experts: E, topK: K } = cfg;
  const model = { layers: L, experts: E, topK: K, renormalize: cfg.renormalize, router: cfg.router };
  const spec = {
    kind: "drop" as const,
    dropped: dropped.map((ids) => Uint8Array.from({ length: E }, (_, e) => (ids.includes(e) ? 1 : 0))),
  };
  const state = newSimulationState(model, devOf, devices);
  for await (const chunk of runEventChunks(db, run.id)) {
    if (!chunk.logits) continue;
    const b = decodeChunk(chunk, L, E);
    simulateBatch(state, spec, model, b.count, b.layer, b.experts, b.logits!);
  }
  const perLayer = Array.from({ length: L }, (_, l) => ({
    mass: state.massOld[l] ? state.massNew[l] / state.massOld[l] : null,
    flip: state.tokens[l] ? state.flipped[l] / state.tokens[l] : null,
    maxOverMean: balanceMetrics(state.layers[l].load).maxOverMean,
    ct: state.ctAfter.ct(l),
  }));
  const mean = (f: (x: (typeof perLayer)[number]) => number | null) => meanOf(perLayer.map(f));
  const metrics = {
    routing_mass_retained: mean((x) => x.mass),
    flip_rate: mean((x) => x.flip),
    max_over_mean: mean((x) => x.maxOverMean),
    c_t: mean((x) => x.ct),
  };
  return {
    metrics: Object.fromEntries(
      Object.entries(metrics).filter((e): e is [string, number] => e[1] !== null && Number.isFinite(e[1])),
    ),
    aggregates: state.layers,
  };
}
