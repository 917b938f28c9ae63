/**
 * Token answers (issue 15) composed from the stored token statistics: an expert's top tokens and
 * example contexts, a layer's token specialization and EVTC, token search, one sequence's routes,
 * and the run's vocabulary. Math in lib/analysis/token-stats.ts; rows in lib/db/queries/token-stats.ts.
 */
import {
  ALL_TOKENS,
  mergeCounts,
  mergeSamples,
  SAMPLE_K,
  tokenSpecialization,
  topTokens,
  windowOf,
  type Occurrence,
  type SparseCounts,
} from "@/lib/analysis/token-stats";
import { ApiError, invalid } from "@/lib/errors";
import type { Db } from "@/lib/db/client";
import { runEventChunks } from "@/lib/db/queries/event-chunks";
import type { RunWithModel } from "@/lib/db/queries/runs";
import {
  deleteRunVocabulary,
  getRunVocabulary,
  getSegmentsOf,
  getSequenceSegments,
  getTokenCells,
  listSequences,
  putRunVocabulary,
  type StoredCell,
} from "@/lib/db/queries/token-stats";
import { isByteLevel, parseVocabularyText, readableToken } from "@/lib/import/vocabulary";
import { decodeChunk } from "@/lib/trace/encode-chunk";
import { requireLayer } from "./require-run";

/** Positions shown either side of an example's token. */
export const CONTEXT_RADIUS = 12;
/** Positions of one sequence the token view returns at most. */
export const MAX_SEQUENCE_POSITIONS = 2048;

type Texts = (id: number) => string | null;

/** id → readable text, or null without a vocabulary entry. */
async function textsOf(db: Db, runId: string): Promise<{ text: Texts; source: "uploaded" | "trace" | null }> {
  const v = await getRunVocabulary(db, runId);
  const cache = new Map<number, string>();
  // Strings a trace carried may be a tokenizer's raw pieces too (convert_ids_to_tokens gives "Ġthe").
  const byteLevel = v.source === "trace" ? isByteLevel([...v.tokens.values()]) : v.byteLevel;
  return {
    source: v.source,
    text: (id) => {
      const raw = v.tokens.get(id);
      if (raw === undefined) return null;
      let t = cache.get(id);
      if (t === undefined) cache.set(id, (t = readableToken(raw, byteLevel)));
      return t;
    },
  };
}

function requireExpert(run: RunWithModel, expert: number) {
  const E = run.model.config.experts;
  if (expert >= E)
    throw new ApiError(
      404,
      "expert_out_of_range",
      `expert ${expert} is outside [0, ${E}) for model ${run.model.name}`,
      "path parameter expert",
    );
}

const EMPTY: SparseCounts = { tokenIds: new Int32Array(0), counts: new Float64Array(0) };
const countsOf = (cells: readonly StoredCell[]) => (cells.length ? mergeCounts(cells) : EMPTY);

/** Each occurrence with its context, rebuilt from the stored token ids of its sequence (one query for all of them). */
async function withContexts(db: Db, runId: string, groups: readonly (readonly Occurrence[])[], text: Texts) {
  const all = groups.flat();
  const from = Math.max(0, Math.min(...all.map((o) => o.pos)) - CONTEXT_RADIUS);
  const to = Math.max(...all.map((o) => o.pos)) + CONTEXT_RADIUS + 1;
  const segs = all.length ? await getSegmentsOf(db, runId, [...new Set(all.map((o) => o.seq))], from, to) : new Map();
  return groups.map((occ) =>
    occ.map((o) => {
      const a = Math.max(0, o.pos - CONTEXT_RADIUS);
      const ids = windowOf(segs.get(o.seq) ?? [], a, o.pos + CONTEXT_RADIUS + 1);
      return {
        seq: o.seq,
        pos: o.pos,
        tokenId: o.tokenId,
        text: text(o.tokenId),
        weight: o.weight,
        label: o.label || null,
        context: Array.from(ids, (id, i) => ({ pos: a + i, tokenId: id, text: id >= 0 ? text(id) : null })).filter(
          (t) => t.tokenId >= 0,
        ),
      };
    }),
  );
}

export interface ExpertTokensQuery {
  layer: number;
  by: "count" | "lift";
  limit: number;
  minSupport: number;
}

/** GET /api/runs/{id}/experts/{expert}/tokens: top tokens by count or lift, example contexts, the same per label, EVTC. */
export async function getExpertTokens(db: Db, run: RunWithModel, expert: number, q: ExpertTokensQuery) {
  requireLayer(run, q.layer, "query parameter layer");
  requireExpert(run, expert);
  const cells = await getTokenCells(db, run.id, q.layer, [expert, ALL_TOKENS]);
  const { text, source } = await textsOf(db, run.id);
  const mine = cells.filter((c) => c.expert === expert);
  const base = cells.filter((c) => c.expert === ALL_TOKENS);
  const labels = [...new Set(mine.map((c) => c.label))].filter((l) => l !== "").sort();
  const rank = (e: SparseCounts, b: SparseCounts) =>
    topTokens(e, b, q.by, q.limit, q.minSupport).map((t) => ({ ...t, text: text(t.tokenId) }));
  const sampled = (cs: StoredCell[]) =>
    mergeSamples(
      cs.flatMap((c) => (c.sample ? [{ label: c.label, sample: c.sample }] : [])),
      SAMPLE_K,
    );
  const expertCounts = countsOf(mine);
  const baseCounts = countsOf(base);
  const evtc = expertCounts.counts.filter((c) => c > 0).length;
  const byLabel = labels.map((label) => ({ label, mine: mine.filter((c) => c.label === label) }));
  const [examples, ...labelExamples] = await withContexts(
    db,
    run.id,
    [sampled(mine), ...byLabel.map((l) => sampled(l.mine))],
    text,
  );
  return {
    layer: q.layer,
    expert,
    by: q.by,
    minSupport: q.minSupport,
    hasTokenIds: cells.length > 0,
    vocabulary: source,
    tokensAtLayer: sum(baseCounts.counts),
    load: sum(expertCounts.counts),
    coverage: {
      evtc,
      layerVocabulary: baseCounts.tokenIds.length,
      share: baseCounts.tokenIds.length ? evtc / baseCounts.tokenIds.length : null,
    },
    tokens: rank(expertCounts, baseCounts),
    examples,
    perLabel: byLabel.map(({ label, mine: lm }, i) => ({
      label,
      load: sum(countsOf(lm).counts),
      tokens: rank(countsOf(lm), countsOf(base.filter((c) => c.label === label))),
      examples: labelExamples[i],
    })),
  };
}

function sum(a: Float64Array) {
  let s = 0;
  for (const x of a) s += x;
  return s;
}

/** Per expert of a layer: the merged counts over uploads and labels, and the layer's own counts. */
async function layerCounts(db: Db, run: RunWithModel, layer: number) {
  const cells = await getTokenCells(db, run.id, layer, null, false);
  const E = run.model.config.experts;
  const per: StoredCell[][] = Array.from({ length: E }, () => []);
  const base: StoredCell[] = [];
  for (const c of cells) (c.expert === ALL_TOKENS ? base : per[c.expert]).push(c);
  return { perExpert: per.map(countsOf), base: countsOf(base), any: cells.length > 0 };
}

/** GET /api/runs/{id}/layers/{layer}/tokens: token specialization (A13) and EVTC per expert, the most specialized frequent tokens. */
export async function getLayerTokens(db: Db, run: RunWithModel, layer: number, limit: number, minSupport: number) {
  requireLayer(run, layer);
  const { perExpert, base, any } = await layerCounts(db, run, layer);
  const { text } = await textsOf(db, run.id);
  const s = tokenSpecialization(perExpert, base);
  const order = Array.from(s.tokens.tokenIds.keys()).filter((j) => s.tokens.count[j] >= minSupport);
  order.sort((a, b) => s.tokens.count[b] - s.tokens.count[a] || s.tokens.tokenIds[a] - s.tokens.tokenIds[b]);
  return {
    layer,
    hasTokenIds: any,
    minSupport,
    vocabulary: s.vocabulary,
    meanTokenSpecialization: s.meanToken,
    experts: perExpert.map((c, e) => ({
      expert: e,
      load: sum(c.counts),
      evtc: s.coverage[e],
      specialization: s.expert[e],
    })),
    frequentTokens: order.slice(0, limit).map((j) => ({
      tokenId: s.tokens.tokenIds[j],
      text: text(s.tokens.tokenIds[j]),
      count: s.tokens.count[j],
      topExpert: s.tokens.topExpert[j],
      specialization: s.tokens.specialization[j],
    })),
  };
}

/** Token ids a search names: "#123" or "123" is an id; anything else matches vocabulary texts exactly (then, if none, case-insensitively). */
async function idsFor(db: Db, runId: string, q: string, max: number): Promise<{ ids: number[]; text: Texts }> {
  const { text } = await textsOf(db, runId);
  const asId = /^#?(\d{1,10})$/.exec(q.trim());
  if (asId) return { ids: [Number(asId[1])], text };
  const v = await getRunVocabulary(db, runId);
  const exact: number[] = [];
  const loose: number[] = [];
  for (const id of v.tokens.keys()) {
    const t = text(id)!;
    if (t === q || t.trim() === q.trim()) exact.push(id);
    else if (t.trim().toLowerCase() === q.trim().toLowerCase()) loose.push(id);
  }
  return { ids: (exact.length ? exact : loose).sort((a, b) => a - b).slice(0, max), text };
}

/** GET /api/runs/{id}/tokens?q=: per matching token id and layer, its occurrences over experts and how consistently it is routed. */
export async function searchTokens(db: Db, run: RunWithModel, q: string, maxIds = 8) {
  if (!q.trim()) throw invalid("invalid_query", "q must name a token (its text, or #id)", "query parameter q");
  const { ids, text } = await idsFor(db, run.id, q, maxIds);
  const L = run.model.config.layers;
  const layers = await Promise.all(Array.from({ length: L }, (_, l) => layerCounts(db, run, l)));
  return {
    q,
    matches: ids.map((id) => ({
      tokenId: id,
      text: text(id),
      perLayer: layers.map(({ perExpert, base }, layer) => {
        const s = tokenSpecialization(perExpert, {
          tokenIds: Int32Array.of(id),
          counts: Float64Array.of(countIn(base, id)),
        });
        const dist = perExpert.map((c, e) => ({ expert: e, count: countIn(c, id) })).filter((x) => x.count > 0);
        dist.sort((a, b) => b.count - a.count || a.expert - b.expert);
        const n = countIn(base, id);
        return {
          layer,
          count: n,
          experts: dist.map((d) => ({ ...d, share: n > 0 ? d.count / n : 0 })),
          topExpert: n > 0 ? s.tokens.topExpert[0] : null,
          consistency: n > 0 ? s.tokens.specialization[0] : null,
        };
      }),
    })),
  };
}

function countIn(s: SparseCounts, id: number) {
  const i = binarySearch(s.tokenIds, id);
  return i < 0 ? 0 : s.counts[i];
}
function binarySearch(a: Int32Array, v: number) {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const m = (lo + hi) >> 1;
    if (a[m] === v) return m;
    if (a[m] < v) lo = m + 1;
    else hi = m - 1;
  }
  return -1;
}

/** GET /api/runs/{id}/sequences: sequences with token ids. */
export async function getSequences(db: Db, run: RunWithModel, limit: number) {
  return { sequences: await listSequences(db, run.id, limit) };
}

/**
 * GET /api/runs/{id}/sequences/{seq}: positions [from, from + limit) of one sequence, each with its
 * token and its route (k experts and weights per layer). Routes come from the raw events (a scan of
 * the run's chunks: the token view is for reading one sequence, not for a dashboard of thousands).
 */
export async function getSequenceRoutes(db: Db, run: RunWithModel, seq: number, from: number, limit: number) {
  const { layers: L, experts: E, topK: K } = run.model.config;
  const n = Math.min(limit, MAX_SEQUENCE_POSITIONS);
  const to = from + n;
  const { text } = await textsOf(db, run.id);
  const ids = windowOf(await getSequenceSegments(db, run.id, seq, from, to), from, to);
  const experts = new Int16Array(n * L * K).fill(-1);
  const weights = new Float32Array(n * L * K).fill(Number.NaN);
  const seen = new Uint8Array(n * L);
  let found = false;
  for await (const c of runEventChunks(db, run.id)) {
    const b = decodeChunk(c, L, E);
    for (let i = 0; i < b.count; i++) {
      if (b.seq[i] !== seq || b.pos[i] < from || b.pos[i] >= to) continue;
      const slot = (b.pos[i] - from) * L + b.layer[i];
      if (seen[slot]) continue; // a repeated position: the first event of it is shown
      seen[slot] = 1;
      found = true;
      if (ids[b.pos[i] - from] < 0 && b.tokenId[i] >= 0) ids[b.pos[i] - from] = b.tokenId[i];
      for (let j = 0; j < Math.min(K, b.k); j++) {
        experts[slot * K + j] = b.experts[i * b.k + j];
        if (b.weights) weights[slot * K + j] = b.weights[i * b.k + j];
      }
    }
  }
  if (!found && !ids.some((x) => x >= 0))
    throw new ApiError(
      404,
      "sequence_not_found",
      `sequence ${seq} has no events at positions [${from}, ${to}) in run "${run.id}"`,
      "path parameter seq",
    );
  const tokens = [];
  for (let p = 0; p < n; p++) {
    const has = ids[p] >= 0 || seen.subarray(p * L, (p + 1) * L).some((x) => x);
    if (!has) continue;
    tokens.push({
      pos: from + p,
      tokenId: ids[p] >= 0 ? ids[p] : null,
      text: ids[p] >= 0 ? text(ids[p]) : null,
      route: Array.from({ length: L }, (_, l) => {
        const s = (p * L + l) * K;
        const ex: number[] = [];
        const w: (number | null)[] = [];
        for (let j = 0; j < K; j++)
          if (experts[s + j] >= 0) {
            ex.push(experts[s + j]);
            w.push(Number.isNaN(weights[s + j]) ? null : weights[s + j]);
          }
        return { experts: ex, weights: w };
      }),
    });
  }
  return { seq, from, layers: L, topK: K, tokens };
}

/** PUT /api/runs/{id}/vocabulary: a tokenizer.json or a JSON list. */
export async function setVocabulary(db: Db, run: RunWithModel, text: string) {
  const tokens = parseVocabularyText(text);
  const byteLevel = isByteLevel(tokens);
  await putRunVocabulary(db, run.id, tokens, byteLevel);
  return {
    runId: run.id,
    size: tokens.length,
    byteLevel,
    sample: tokens.slice(0, 5).map((raw) => ({ raw, text: readableToken(raw, byteLevel) })),
  };
}

export async function readVocabulary(db: Db, run: RunWithModel) {
  const v = await getRunVocabulary(db, run.id);
  return { runId: run.id, source: v.source, size: v.size, byteLevel: v.byteLevel };
}

export async function removeVocabulary(db: Db, run: RunWithModel) {
  if (!(await deleteRunVocabulary(db, run.id)))
    throw new ApiError(404, "not_found", `run "${run.id}" has no uploaded vocabulary`, "path parameter id");
  return { runId: run.id, deleted: true };
}
