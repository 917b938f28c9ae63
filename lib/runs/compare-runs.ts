import { meanOf } from "@/lib/analysis/stats";
import { coactivationDifference, compareRuns, jensenShannonDistance } from "@/lib/analysis/compare";
import { PairedJoin } from "@/lib/analysis/paired-join";
import { badRequest } from "@/lib/errors";
import type { Db } from "@/lib/db/client";
import { runEventChunks } from "@/lib/db/queries/event-chunks";
import { getAllLayerAggregates } from "@/lib/db/queries/layer-aggregates";
import type { RunWithModel } from "@/lib/db/queries/runs";
import { decodeChunk } from "@/lib/trace/encode-chunk";

/** Run A's events held for pairing; beyond this the flip rate is refused, not approximated. */
export const MAX_PAIRED_EVENTS = 5_000_000;

/**
 * GET /api/compare?a=&b=: A11 for two runs of the same model shape: per layer JS distance of the
 * loads and the relative difference of per-token co-activation; with `layer`, that layer's
 * difference matrix; with `paired`, the top-k flip rate per layer over the tokens both runs traced
 * (paired by sequence, position and layer, repeated keys in order: PAIRING_DEFINITION).
 */
export async function getComparison(
  db: Db,
  a: RunWithModel,
  b: RunWithModel,
  opts: { layer?: number; paired?: boolean } = {},
) {
  const ca = a.model.config;
  const cb = b.model.config;
  if (ca.layers !== cb.layers || ca.experts !== cb.experts) {
    throw badRequest(
      "model_mismatch",
      `runs of different shapes cannot be compared: ${ca.layers} layers × ${ca.experts} experts against ${cb.layers} × ${cb.experts}`,
      "query parameter b",
    );
  }
  const { layers: L, experts: E } = ca;
  if (opts.layer !== undefined && opts.layer >= L)
    throw badRequest("invalid_layer", `layer ${opts.layer} is outside [0, ${L})`, "query parameter layer");
  const [aggA, aggB] = await Promise.all([
    getAllLayerAggregates(db, a.id, L, E),
    getAllLayerAggregates(db, b.id, L, E),
  ]);
  const cmp = compareRuns(aggA, aggB, E);
  const paired = opts.paired ? await pairedFlips(db, a, b) : null;
  const perLayer = cmp.perLayer.map((l) => ({
    ...l,
    tokensA: aggA[l.layer].tokens,
    tokensB: aggB[l.layer].tokens,
    flipRate: paired && paired.matched[l.layer] > 0 ? paired.flips[l.layer] / paired.matched[l.layer] : null,
    pairedTokens: paired ? paired.matched[l.layer] : null,
  }));
  let layerDetail = null;
  if (opts.layer !== undefined) {
    const x = aggA[opts.layer];
    const y = aggB[opts.layer];
    const { diff, relative } = coactivationDifference(x, y, E);
    const share = (load: Float64Array, n: number) => Array.from(load, (v) => (n > 0 ? v / n : 0));
    layerDetail = {
      layer: opts.layer,
      jsd: jensenShannonDistance(x.load, y.load),
      coactivationRelative: relative,
      /** Ĉa − Ĉb: co-activations per token, row-major E × E. */
      diff: Array.from({ length: E }, (_, i) => Array.from(diff.subarray(i * E, (i + 1) * E))),
      loadShareA: share(x.load, x.tokens),
      loadShareB: share(y.load, y.tokens),
      perTokenA: Array.from({ length: E }, (_, i) =>
        Array.from(x.coactivation.subarray(i * E, (i + 1) * E), (v) => (x.tokens > 0 ? v / x.tokens : 0)),
      ),
      perTokenB: Array.from({ length: E }, (_, i) =>
        Array.from(y.coactivation.subarray(i * E, (i + 1) * E), (v) => (y.tokens > 0 ? v / y.tokens : 0)),
      ),
    };
  }
  return {
    a: { id: a.id, name: a.name, tokens: a.tokens, events: a.events },
    b: { id: b.id, name: b.name, tokens: b.tokens, events: b.events },
    layers: L,
    experts: E,
    perLayer,
    meanJsd: cmp.meanJsd,
    meanCoactivationRelative: cmp.meanCoactivationRelative,
    meanFlipRate: meanOf(perLayer.map((l) => l.flipRate)),
    paired: paired
      ? {
          matchedEvents: paired.matched.reduce((s, v) => s + v, 0),
          unmatchedA: paired.unmatchedA,
          unmatchedB: paired.unmatchedB,
          repeatedA: paired.repeatedA,
          repeatedB: paired.repeatedB,
        }
      : null,
    layerDetail,
  };
}

/** Pairs the two runs' raw events (lib/analysis/paired-join.ts) and counts top-k flips per layer. */
export async function pairedFlips(db: Db, a: RunWithModel, b: RunWithModel, where = "query parameter paired") {
  const { layers: L, topK: K } = a.model.config;
  if (b.model.config.topK !== K)
    throw badRequest(
      "model_mismatch",
      `flip rate needs the same top-k in both runs (${K} and ${b.model.config.topK})`,
      where,
    );
  if (a.events > MAX_PAIRED_EVENTS)
    throw badRequest(
      "too_large",
      `pairing holds run A's events in memory; ${a.events} is over the ${MAX_PAIRED_EVENTS} limit`,
      where,
    );
  if (!a.events || !b.events)
    throw badRequest("no_events", "the flip rate pairs raw events, and at least one run has aggregates only", where);
  const unpairable =
    (run: RunWithModel) =>
    (seq: number, pos: number): never => {
      throw badRequest(
        "unpairable",
        `run ${run.id} has an event at sequence ${seq}, position ${pos}: pairing needs 0 ≤ seq < 2^23 and 0 ≤ pos < 2^21`,
        where,
      );
    };
  const join = new PairedJoin(L, K, a.events);
  for await (const chunk of runEventChunks(db, a.id))
    join.addA(decodeChunk(chunk, L, a.model.config.experts), unpairable(a));
  for await (const chunk of runEventChunks(db, b.id))
    join.addB(decodeChunk(chunk, L, b.model.config.experts), unpairable(b));
  return join.result();
}
