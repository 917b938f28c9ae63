import { balanceMetrics } from "@/lib/analysis/balance";
import { meanCollaborationEntropy } from "@/lib/analysis/collaboration";
import { jsdToBase } from "@/lib/analysis/compare";
import { meanOf } from "@/lib/analysis/stats";
import type { Viewer } from "@/lib/auth/viewer";
import { badRequest } from "@/lib/errors";
import type { Db } from "@/lib/db/client";
import { getAllLayerAggregates } from "@/lib/db/queries/layer-aggregates";
import type { RunWithModel } from "@/lib/db/queries/runs";
import { MAX_COMPARED_RUNS, MIN_COMPARED_RUNS } from "@/lib/url/compare-many-view-state";
import { pairedFlips } from "./compare-runs";
import { requireRun } from "./require-run";

const WHERE_RUNS = "query parameter runs";

/**
 * The runs named by `runs=a,b,c` and `base=`, each readable by the viewer (404 otherwise, as for
 * one run), 2 to 8 distinct ids, the base among them (the first when not given).
 */
export async function requireComparedRuns(db: Db, ids: string[], base: string | undefined, viewer: Viewer) {
  if (ids.length < MIN_COMPARED_RUNS || ids.length > MAX_COMPARED_RUNS)
    throw badRequest(
      "invalid_field",
      `compare ${MIN_COMPARED_RUNS} to ${MAX_COMPARED_RUNS} runs; got ${ids.length}`,
      WHERE_RUNS,
    );
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw badRequest("invalid_field", `run "${id}" is named twice`, WHERE_RUNS);
    seen.add(id);
  }
  if (base !== undefined && !seen.has(base))
    throw badRequest("invalid_field", `the base run "${base}" is not one of the compared runs`, "query parameter base");
  const runs: RunWithModel[] = [];
  for (const id of ids) runs.push(await requireRun(db, id, viewer, WHERE_RUNS));
  return { runs, base: runs.findIndex((r) => r.id === (base ?? ids[0])) };
}

/**
 * GET /api/compare?runs=a,b,c&base=a: 2 to 8 runs of one model shape. Per run, its per-layer curves
 * (tokens, A1 max/mean and normalized entropy, A3 mean collaboration entropy); the run × layer
 * matrix of JS distance of each run's loads to the base run's (A11, lib/analysis/compare.ts); with
 * `paired`, the top-k flip rate of each run against the base per layer over the tokens both traced
 * (paired as in the two-run form), null for runs without raw events (aggregates only share no tokens).
 *
 * Runs are read one at a time and only their per-layer numbers and loads kept, so 8 runs of a
 * 58 × 256 model hold one run's co-activation at a time, not eight.
 */
export async function getManyComparison(db: Db, runs: RunWithModel[], base: number, opts: { paired?: boolean } = {}) {
  const first = runs[0].model.config;
  for (const r of runs) {
    const c = r.model.config;
    if (c.layers !== first.layers || c.experts !== first.experts)
      throw badRequest(
        "model_mismatch",
        `runs of different shapes cannot be compared: run "${r.id}" has ${c.layers} layers × ${c.experts} experts, run "${runs[0].id}" ${first.layers} × ${first.experts}`,
        WHERE_RUNS,
      );
  }
  const { layers: L, experts: E } = first;
  const loads: Float64Array[][] = [];
  const curves: {
    tokens: number[];
    maxOverMean: (number | null)[];
    normalizedEntropy: (number | null)[];
    meanCollaborationEntropy: (number | null)[];
  }[] = [];
  for (const run of runs) {
    const agg = await getAllLayerAggregates(db, run.id, L, E);
    loads.push(agg.map((a) => a.load));
    const balance = agg.map((a) => balanceMetrics(a.load));
    curves.push({
      tokens: agg.map((a) => a.tokens),
      maxOverMean: balance.map((b) => b.maxOverMean),
      normalizedEntropy: balance.map((b) => b.normalizedEntropy),
      meanCollaborationEntropy: agg.map((a) => (a.tokens > 0 ? meanCollaborationEntropy(a.coactivation, E) : null)),
    });
  }
  const jsd = jsdToBase(loads, base);

  const pairings: (Awaited<ReturnType<typeof pairedFlips>> | null)[] = [];
  if (opts.paired) {
    for (const run of runs) {
      if (run === runs[base] || !run.events || !runs[base].events) {
        pairings.push(null);
        continue;
      }
      pairings.push(await pairedFlips(db, runs[base], run, "query parameter paired"));
    }
  }
  const flipRate = opts.paired
    ? runs.map((run, r) =>
        Array.from({ length: L }, (_, l) => {
          // The base against itself: every token keeps its experts.
          if (r === base) return runs[base].events && curves[base].tokens[l] > 0 ? 0 : null;
          const p = pairings[r];
          return p && p.matched[l] > 0 ? p.flips[l] / p.matched[l] : null;
        }),
      )
    : null;

  return {
    base: runs[base].id,
    layers: L,
    experts: E,
    paired: Boolean(opts.paired),
    runs: runs.map((run, r) => ({
      id: run.id,
      name: run.name,
      policy: run.policy,
      series: run.series,
      step: run.step,
      tokens: run.tokens,
      events: run.events,
      curves: curves[r],
      meanJsd: meanOf(jsd[r]),
      meanFlipRate: flipRate ? meanOf(flipRate[r]) : null,
      pairing: pairingOf(pairings[r]),
    })),
    jsd,
    flipRate,
  };
}

function pairingOf(p: Awaited<ReturnType<typeof pairedFlips>> | null | undefined) {
  return p
    ? { matchedEvents: p.matched.reduce((s, v) => s + v, 0), unmatchedRun: p.unmatchedB, unmatchedBase: p.unmatchedA }
    : null;
}
