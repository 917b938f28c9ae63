import { placementCost, deviceOf, DeviceCounter, type Placement } from "@/lib/analysis/placement";
import { PairedJoin, PAIRING_DEFINITION } from "@/lib/analysis/paired-join";
import { routerSaturation, SATURATION_DEFINITION } from "@/lib/analysis/router-saturation";
import { layerMeans, stepLayerMetrics, type LayerValues, type SeriesPlacement } from "@/lib/analysis/series-metrics";
import { badRequest, notFound } from "@/lib/errors";
import type { Viewer } from "@/lib/auth/viewer";
import type { Db } from "@/lib/db/client";
import { runEventChunks } from "@/lib/db/queries/event-chunks";
import { getAllLayerAggregates } from "@/lib/db/queries/layer-aggregates";
import type { RunWithModel } from "@/lib/db/queries/runs";
import {
  getSeriesStepMetrics,
  listSeriesRuns,
  putSeriesStepMetrics,
  uploadFingerprints,
} from "@/lib/db/queries/series";
import { decodeChunk } from "@/lib/trace/encode-chunk";
import type { EventBatch } from "@/lib/trace/event-batch";
import { MAX_PAIRED_EVENTS } from "./compare-runs";
import { strategyPlacement } from "./compute-placement";

export interface SeriesOptions {
  placement: SeriesPlacement;
  devices: number;
  topT: number;
}

/**
 * GET /api/series/{series}: the series' checkpoints the viewer may read, in step order, each with
 * its per-layer metrics and their layer means, and A12 router saturation against the last of them.
 * Other people's private steps are left out as if absent (nothing derived from them is shown), so
 * the final checkpoint is the last step this viewer can read. Each step's answer is kept
 * (series_step_metrics) under its parameters and the uploads it was computed from, so a page of
 * many steps reads one row per step instead of every step's matrices and events.
 */
export async function getSeriesView(db: Db, series: string, viewer: Viewer, opts: SeriesOptions) {
  const runs = await listSeriesRuns(db, series, viewer);
  if (!runs.length) throw notFound(`series "${series}"`, "path parameter series");
  const { layers: L, experts: E, topK: K } = runs[0].model.config;
  if (!Number.isInteger(opts.devices) || opts.devices < 1 || E % opts.devices !== 0)
    throw badRequest(
      "invalid_devices",
      `devices must divide the ${E} experts evenly; ${opts.devices} does not`,
      "query parameter devices",
    );
  const final = runs[runs.length - 1];
  const note = saturationNote(final);
  // Cached per step for these parameters and this final step; recomputed when an upload changed it.
  const key = `v1:${opts.placement}:${opts.devices}:${opts.topT}:final=${final.id}`;
  const ids = runs.map((r) => r.id);
  const [fingerprints, cached] = await Promise.all([uploadFingerprints(db, ids), getSeriesStepMetrics(db, ids, key)]);
  let finalBatches: EventBatch[] | null | undefined;
  const steps = [];
  const saturation = [];
  for (const run of runs) {
    const fingerprint = `${fingerprints.get(run.id)}|${fingerprints.get(final.id)}`;
    const hit = cached.get(run.id);
    let s: StepAnswer;
    if (hit && hit.fingerprint === fingerprint) s = hit.answer as StepAnswer;
    else {
      if (finalBatches === undefined) finalBatches = note ? null : await finalEvents(db, final);
      s = await stepAnswer(db, run, finalBatches, opts);
      await putSeriesStepMetrics(db, run.id, key, fingerprint, s);
    }
    steps.push({
      step: run.step!,
      runId: run.id,
      name: run.name,
      tokens: run.tokens,
      events: run.events,
      ...layerMeans(s.perLayer),
      perLayer: s.perLayer,
    });
    const sat = s.saturation ? routerSaturation(s.saturation, K) : null;
    saturation.push({
      step: run.step!,
      runId: run.id,
      perLayer: sat ? sat.perLayer : Array.from({ length: L }, () => null),
      mean: sat ? sat.mean : null,
    });
  }
  return {
    series,
    model: { name: runs[0].model.name, layers: L, experts: E, topK: K },
    finalStep: final.step!,
    finalRunId: final.id,
    placement: opts.placement,
    devices: opts.devices,
    topT: opts.topT,
    ctNote: ctNote(K, runs),
    steps,
    routerSaturation: saturation,
    saturationNote: note,
    saturationDefinition: SATURATION_DEFINITION,
    pairing: PAIRING_DEFINITION,
  };
}

/** Why there is no saturation against the final step, or null when there is. */
function saturationNote(final: RunWithModel): string | null {
  if (!final.events)
    return `the final step (${final.step}) holds aggregates only; saturation pairs raw events, so there is none`;
  if (final.events > MAX_PAIRED_EVENTS)
    return `the final step holds ${final.events} events; pairing holds them in memory and the limit is ${MAX_PAIRED_EVENTS}`;
  return null;
}

/** The final checkpoint's events, decoded once and paired against every step computed. */
async function finalEvents(db: Db, final: RunWithModel): Promise<EventBatch[]> {
  const { layers: L, experts: E } = final.model.config;
  const batches: EventBatch[] = [];
  for await (const chunk of runEventChunks(db, final.id)) batches.push(decodeChunk(chunk, L, E));
  return batches;
}

/** One step's answer as computed and cached (JSON): per-layer metrics, and its pairing with the final step. */
interface StepAnswer {
  perLayer: LayerValues;
  saturation: { matched: number[]; overlap: number[] } | null;
}

/**
 * One checkpoint: its aggregates' metrics, C_T under the chosen placement (exact from co-activation
 * up to top-2, counted on the raw events beyond), and its pairing with the final step, in one pass
 * over its events.
 */
async function stepAnswer(
  db: Db,
  run: RunWithModel,
  finalBatches: EventBatch[] | null,
  opts: SeriesOptions,
): Promise<StepAnswer> {
  const { layers: L, experts: E, topK: K } = run.model.config;
  const aggs = await getAllLayerAggregates(db, run.id, L, E);
  const placements: Placement[] = aggs.map((agg) => strategyPlacement(agg, E, opts.devices, opts.placement));
  const ct: (number | null)[] = aggs.map((agg, l) =>
    K <= 2 && agg.tokens > 0 ? placementCost(agg.coactivation, agg.load, agg.tokens, K, placements[l]).ct : null,
  );
  const counter =
    K > 2 && run.events > 0
      ? new DeviceCounter(
          placements.map((p) => deviceOf(p, E)),
          opts.devices,
        )
      : null;
  let join: PairedJoin | null = null;
  if (finalBatches && run.events > 0) {
    join = new PairedJoin(
      L,
      K,
      finalBatches.reduce((s, b) => s + b.count, 0),
    );
    for (const b of finalBatches) join.addA(b, unpairable);
  }
  if (counter || join) {
    for await (const chunk of runEventChunks(db, run.id)) {
      const b = decodeChunk(chunk, L, E);
      counter?.add(b.count, b.k, b.layer, b.experts);
      join?.addB(b, unpairable);
    }
  }
  if (counter) for (let l = 0; l < L; l++) ct[l] = counter.ct(l);
  const perLayer: LayerValues = stepLayerMetrics(aggs, opts.topT, ct);
  const paired = join?.result();
  return {
    perLayer,
    saturation: paired ? { matched: Array.from(paired.matched), overlap: Array.from(paired.overlap) } : null,
  };
}

function unpairable(seq: number, pos: number): never {
  throw badRequest(
    "unpairable",
    `an event at sequence ${seq}, position ${pos} cannot be paired: pairing needs 0 ≤ seq < 2^23 and 0 ≤ pos < 2^21`,
    "router saturation",
  );
}

function ctNote(topK: number, runs: RunWithModel[]): string {
  if (topK <= 2) return "C_T is exact from the co-activation counts (top-1 and top-2).";
  const without = runs.filter((r) => !r.events).map((r) => r.step);
  return `C_T for top-${topK} is counted on each step's raw events${without.length ? `; steps ${without.join(", ")} hold aggregates only, so they have none` : ""}.`;
}
