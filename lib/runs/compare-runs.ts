import { coactivationDifference, compareRuns, jensenShannonDistance, topKFlips } from "@/lib/analysis/compare";
import { badRequest } from "@/lib/api/api-error";
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
 * (matched by sequence, position and layer).
 */
export async function getComparison(db: Db, a: RunWithModel, b: RunWithModel, opts: { layer?: number; paired?: boolean } = {}) {
  const ca = a.model.config;
  const cb = b.model.config;
  if (ca.layers !== cb.layers || ca.experts !== cb.experts) {
    throw badRequest("model_mismatch", `runs of different shapes cannot be compared: ${ca.layers} layers × ${ca.experts} experts against ${cb.layers} × ${cb.experts}`, "query parameter b");
  }
  const { layers: L, experts: E } = ca;
  if (opts.layer !== undefined && opts.layer >= L) throw badRequest("invalid_layer", `layer ${opts.layer} is outside [0, ${L})`, "query parameter layer");
  const [aggA, aggB] = await Promise.all([getAllLayerAggregates(db, a.id, L, E), getAllLayerAggregates(db, b.id, L, E)]);
  const cmp = compareRuns(aggA, aggB, E);
  const paired = opts.paired ? await pairedFlips(db, a, b) : null;
  const perLayer = cmp.perLayer.map((l) => ({
    ...l,
    tokensA: aggA[l.layer].tokens,
    tokensB: aggB[l.layer].tokens,
    flipRate: paired && paired.matched[l.layer] > 0 ? paired.flips[l.layer] / paired.matched[l.layer] : null,
    pairedTokens: paired ? paired.matched[l.layer] : null,
  }));
  const flipRates = perLayer.map((l) => l.flipRate).filter((v): v is number => v !== null);
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
      perTokenA: Array.from({ length: E }, (_, i) => Array.from(x.coactivation.subarray(i * E, (i + 1) * E), (v) => (x.tokens > 0 ? v / x.tokens : 0))),
      perTokenB: Array.from({ length: E }, (_, i) => Array.from(y.coactivation.subarray(i * E, (i + 1) * E), (v) => (y.tokens > 0 ? v / y.tokens : 0))),
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
    meanFlipRate: flipRates.length ? flipRates.reduce((s, v) => s + v, 0) / flipRates.length : null,
    paired: paired ? { matchedEvents: paired.matched.reduce((s, v) => s + v, 0), unmatchedA: paired.unmatchedA, unmatchedB: paired.unmatchedB, ambiguous: paired.ambiguous } : null,
    layerDetail,
  };
}
export type Comparison = Awaited<ReturnType<typeof getComparison>>;

// (seq, pos, layer) in one exact double: seq < 2^23, pos < 2^21, layer < 2^8.
const eventKey = (seq: number, pos: number, layer: number) => (seq * 2_097_152 + pos) * 256 + layer;

/**
 * Pairs the two runs' raw events on (sequence, position, layer) and counts top-k flips per layer.
 * A key seen twice in run A (repeated positions) is ambiguous and left out rather than guessed.
 */
async function pairedFlips(db: Db, a: RunWithModel, b: RunWithModel) {
  const { layers: L, topK: K } = a.model.config;
  if (b.model.config.topK !== K) throw badRequest("model_mismatch", `flip rate needs the same top-k in both runs (${K} and ${b.model.config.topK})`, "query parameter paired");
  if (a.events > MAX_PAIRED_EVENTS) throw badRequest("too_large", `pairing holds run A's events in memory; ${a.events} is over the ${MAX_PAIRED_EVENTS} limit`, "query parameter paired");
  if (!a.events || !b.events) throw badRequest("no_events", "the flip rate pairs raw events, and at least one run has aggregates only", "query parameter paired");
  const index = new Map<number, number>();
  const ids = new Int16Array(a.events * K);
  const AMBIGUOUS = -1;
  let n = 0;
  let ambiguous = 0;
  for await (const chunk of runEventChunks(db, a.id)) {
    const e = decodeChunk(chunk, L, a.model.config.experts);
    for (let t = 0; t < e.count; t++) {
      if (e.seq[t] < 0 || e.seq[t] >= 8_388_608 || e.pos[t] < 0 || e.pos[t] >= 2_097_152) throw badRequest("unpairable", `run ${a.id} has an event at sequence ${e.seq[t]}, position ${e.pos[t]}: pairing needs 0 ≤ seq < 2^23 and 0 ≤ pos < 2^21`, "query parameter paired");
      const key = eventKey(e.seq[t], e.pos[t], e.layer[t]);
      if (index.has(key)) {
        if (index.get(key) !== AMBIGUOUS) ambiguous++;
        index.set(key, AMBIGUOUS);
        continue;
      }
      index.set(key, n);
      for (let s = 0; s < K; s++) ids[n * K + s] = s < e.k ? e.experts[t * e.k + s] : -1;
      n++;
    }
  }
  const matched = new Float64Array(L);
  const flips = new Float64Array(L);
  const used = new Uint8Array(n);
  const one = new Int16Array(K);
  let unmatchedB = 0;
  for await (const chunk of runEventChunks(db, b.id)) {
    const e = decodeChunk(chunk, L, b.model.config.experts);
    for (let t = 0; t < e.count; t++) {
      const at = index.get(eventKey(e.seq[t], e.pos[t], e.layer[t]));
      if (at === undefined || at === AMBIGUOUS || used[at]) {
        unmatchedB++;
        continue;
      }
      used[at] = 1;
      for (let s = 0; s < K; s++) one[s] = s < e.k ? e.experts[t * e.k + s] : -1;
      matched[e.layer[t]]++;
      flips[e.layer[t]] += topKFlips(K, ids.subarray(at * K, at * K + K), one, 1);
    }
  }
  let unmatchedA = 0;
  for (let i = 0; i < n; i++) if (!used[i]) unmatchedA++;
  return { matched, flips, unmatchedA, unmatchedB, ambiguous };
}
