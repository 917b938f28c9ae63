/**
 * Token statistics (issue 15, PRODUCT.md A9 EVTC and A13): what each expert takes, kept at ingest
 * so that they merge exactly across uploads and shards.
 *
 * Per upload, per (layer, expert, label): a sparse count per token id (integers, so sums over
 * uploads are exact whatever their order), and a bottom-k sample of the occurrences by a hash of
 * (sequence, position). The bottom k of a union is the bottom k of the parts' bottom k, so the
 * sample of a run is the same whether its trace came whole, in halves or in shards. Expert
 * ALL_TOKENS (-1) holds the layer's own token counts (the base rate of lift).
 *
 * Pure: typed arrays in and out. lib/trace/ingest-trace.ts feeds a TokenStatsCollector;
 * lib/db/queries/token-stats.ts stores and reads the cells; lib/runs/token-views.ts composes.
 */
import type { EventBatch } from "@/lib/trace/event-batch";

/** Occurrences kept per (layer, expert, label) for example contexts. */
export const SAMPLE_K = 16;
/** The expert value of a layer's own token counts. */
export const ALL_TOKENS = -1;
/** Positions beyond this are not kept for contexts (a sequence is stored as dense runs of positions). */
export const MAX_CONTEXT_POSITION = 1 << 22;
/** Minimum count(v, e) for a token to be ranked by lift (a rare token's lift is noise). */
export const DEFAULT_MIN_SUPPORT = 5;

export const LIFT_DEFINITION =
  "lift(v, e) = count(v, e) · N / (count(v) · load_e): how much more often expert e takes token v than its share of the layer's tokens would say (1 = no preference). N and load_e count only tokens with an id; ranked by lift only where count(v, e) ≥ the minimum support.";
export const TOKEN_SPECIALIZATION_DEFINITION =
  "Token specialization (OLMoE): for a token id v at a layer, the share of its occurrences whose top-k contains v's most frequent expert; for an expert e, the share of its routed tokens whose id has e as its most frequent expert (ties go to the lower expert id).";
export const EVTC_DEFINITION =
  "EVTC (MC-Suite expert vocabulary coverage): the number of distinct token ids routed to the expert at this layer; shown also as a share of the distinct ids seen at the layer.";

/** One sampled occurrence: where it is, its token and the gate weight of this expert's slot (NaN without weights). */
export interface Occurrences {
  seq: Int32Array;
  pos: Int32Array;
  tokenId: Int32Array;
  weight: Float32Array;
}

/** Sparse counts: token ids ascending, and their counts. */
export interface SparseCounts {
  tokenIds: Int32Array;
  counts: Float64Array;
}

/** One (layer, expert, label) of one upload; `sample` is null for ALL_TOKENS cells. */
export interface TokenCell extends SparseCounts {
  layer: number;
  expert: number;
  /** "" for events without a label. */
  label: string;
  sample: Occurrences | null;
}

/** A run of consecutive positions of one sequence and their token ids. */
export interface SequenceSegment {
  seq: number;
  firstPos: number;
  tokenIds: Int32Array;
}

export interface UploadTokenStats {
  cells: TokenCell[];
  segments: SequenceSegment[];
  /** Token strings the trace carried, by id (first seen wins). */
  strings: Map<number, string>;
}

/** A 32-bit mix of (sequence, position): the sample's order, the same in every upload. */
export function occurrenceHash(seq: number, pos: number): number {
  let h = Math.imul(seq ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(pos ^ 0x7f4a7c15, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Total order of the sample: hash, then sequence, then position. */
function before(h1: number, s1: number, p1: number, h2: number, s2: number, p2: number): boolean {
  return h1 !== h2 ? h1 < h2 : s1 !== s2 ? s1 < s2 : p1 < p2;
}

/** The k smallest occurrences by (hash, seq, pos), kept sorted; an occurrence already held is not added twice. */
class BottomK {
  h: number[] = [];
  seq: number[] = [];
  pos: number[] = [];
  tok: number[] = [];
  w: number[] = [];
  constructor(readonly k: number) {}

  offer(h: number, seq: number, pos: number, tok: number, w: number) {
    const n = this.h.length;
    if (n === this.k && !before(h, seq, pos, this.h[n - 1], this.seq[n - 1], this.pos[n - 1])) return;
    let i = n;
    while (i > 0 && before(h, seq, pos, this.h[i - 1], this.seq[i - 1], this.pos[i - 1])) i--;
    if (i > 0 && this.h[i - 1] === h && this.seq[i - 1] === seq && this.pos[i - 1] === pos) return;
    this.h.splice(i, 0, h);
    this.seq.splice(i, 0, seq);
    this.pos.splice(i, 0, pos);
    this.tok.splice(i, 0, tok);
    this.w.splice(i, 0, w);
    if (this.h.length > this.k) {
      this.h.pop();
      this.seq.pop();
      this.pos.pop();
      this.tok.pop();
      this.w.pop();
    }
  }

  occurrences(): Occurrences {
    return {
      seq: Int32Array.from(this.seq),
      pos: Int32Array.from(this.pos),
      tokenId: Int32Array.from(this.tok),
      weight: Float32Array.from(this.w),
    };
  }
}

/** Labels are packed beside the token id in one map key: id · 2^15 + (label + 1). */
const LABEL_SLOTS = 32768;

function sparseOf(m: Map<number, number>, label: number): SparseCounts | null {
  const ids: number[] = [];
  for (const key of m.keys()) if (key % LABEL_SLOTS === label + 1) ids.push((key - label - 1) / LABEL_SLOTS);
  if (!ids.length) return null;
  ids.sort((a, b) => a - b);
  const counts = new Float64Array(ids.length);
  ids.forEach((id, i) => (counts[i] = m.get(id * LABEL_SLOTS + label + 1)!));
  return { tokenIds: Int32Array.from(ids), counts };
}

/**
 * Folds an upload's events into token statistics, batch by batch. Memory grows with the distinct
 * (layer, expert, label, token id) cells and the upload's tokens (4 bytes per position kept for
 * contexts), not with its events.
 */
export class TokenStatsCollector {
  /** Per layer · E + expert (and L · E + layer for ALL_TOKENS): key id·2^15 + label + 1 → count. */
  private counts: (Map<number, number> | undefined)[];
  /** Per layer · E + expert: label + 1 → sample. */
  private samples: (Map<number, BottomK> | undefined)[];
  private labelsSeen = new Set<number>();
  private seqs = new Map<number, { ids: Int32Array; len: number }>();
  readonly strings = new Map<number, string>();
  /** Events that carried a token id. */
  withIds = 0;
  /** Distinct (cell, token id) counts held: what takeCounts hands over to bound memory. */
  entries = 0;

  constructor(
    readonly layers: number,
    readonly experts: number,
    readonly sampleK = SAMPLE_K,
  ) {
    this.counts = new Array(layers * experts + layers);
    this.samples = new Array(layers * experts);
  }

  add(b: EventBatch) {
    const E = this.experts;
    const K = b.k;
    for (let i = 0; i < b.count; i++) {
      const tok = b.tokenId[i];
      if (tok < 0) continue;
      this.withIds++;
      const layer = b.layer[i];
      const label = b.label[i];
      this.labelsSeen.add(label);
      const key = tok * LABEL_SLOTS + label + 1;
      const baseIdx = this.layers * E + layer;
      const base = (this.counts[baseIdx] ??= new Map());
      const had = base.get(key);
      if (had === undefined) this.entries++;
      base.set(key, (had ?? 0) + 1);
      const seq = b.seq[i];
      const pos = b.pos[i];
      // A repeated position (decode steps logging position 0 again) is counted but not sampled:
      // (sequence, position) would not name one token.
      const sampled = pos >= 0 && !(b.repeat && b.repeat[i]);
      const h = sampled ? occurrenceHash(seq, pos) : 0;
      for (let j = 0; j < K; j++) {
        const e = b.experts[i * K + j];
        if (e < 0) continue;
        const cell = layer * E + e;
        const m = (this.counts[cell] ??= new Map());
        const c = m.get(key);
        if (c === undefined) this.entries++;
        m.set(key, (c ?? 0) + 1);
        if (!sampled) continue;
        const sm = (this.samples[cell] ??= new Map());
        let s = sm.get(label + 1);
        if (!s) sm.set(label + 1, (s = new BottomK(this.sampleK)));
        s.offer(h, seq, pos, tok, b.weights ? b.weights[i * K + j] : Number.NaN);
      }
      if (pos >= 0 && pos < MAX_CONTEXT_POSITION && !(b.repeat && b.repeat[i])) this.keepToken(seq, pos, tok);
    }
  }

  private keepToken(seq: number, pos: number, tok: number) {
    let s = this.seqs.get(seq);
    if (!s) this.seqs.set(seq, (s = { ids: new Int32Array(Math.max(64, pos + 1)).fill(-1), len: 0 }));
    if (pos >= s.ids.length) {
      const grown = new Int32Array(Math.max(pos + 1, s.ids.length * 2)).fill(-1);
      grown.set(s.ids);
      s.ids = grown;
    }
    if (s.ids[pos] < 0) s.ids[pos] = tok;
    if (pos + 1 > s.len) s.len = pos + 1;
  }

  /**
   * The counts held so far as cells without samples, and forgets them: a large upload's counts go
   * out in parts (summed on reading like any two uploads' counts), so memory stays bounded by
   * `entries` at the hand-over, not by the upload's distinct (layer, expert, token id) cells.
   */
  takeCounts(labelNames: readonly string[]): TokenCell[] {
    const cells = this.cellsOf(labelNames, false);
    this.counts = new Array(this.layers * this.experts + this.layers);
    this.entries = 0;
    return cells;
  }

  private cellsOf(labelNames: readonly string[], withSamples: boolean): TokenCell[] {
    const cells: TokenCell[] = [];
    const name = (label: number) => (label < 0 ? "" : labelNames[label]);
    const labels = [...this.labelsSeen].sort((a, b) => a - b);
    const E = this.experts;
    const none = { tokenIds: new Int32Array(0), counts: new Float64Array(0) };
    for (let layer = 0; layer < this.layers; layer++) {
      for (let e = ALL_TOKENS; e < E; e++) {
        const m = this.counts[e === ALL_TOKENS ? this.layers * E + layer : layer * E + e];
        const samples = withSamples && e !== ALL_TOKENS ? this.samples[layer * E + e] : undefined;
        if (!m && !samples) continue;
        for (const label of labels) {
          const sparse = m ? sparseOf(m, label) : null;
          const sample = samples?.get(label + 1)?.occurrences() ?? null;
          if (!sparse && !sample) continue;
          cells.push({ layer, expert: e, label: name(label), ...(sparse ?? none), sample });
        }
      }
    }
    return cells;
  }

  /** The upload's remaining cells with their samples (labels named by `labelNames`, the upload's dictionary) and sequences. */
  result(labelNames: readonly string[]): UploadTokenStats {
    const cells = this.cellsOf(labelNames, true);
    const segments: SequenceSegment[] = [];
    for (const [seq, s] of [...this.seqs].sort((a, b) => a[0] - b[0])) {
      let start = -1;
      for (let p = 0; p <= s.len; p++) {
        const has = p < s.len && s.ids[p] >= 0;
        // Runs of at most 4096 positions: a context reads one or two of them, not a whole book.
        if (has && start < 0) start = p;
        if (start >= 0 && (!has || p - start === 4096)) {
          segments.push({ seq, firstPos: start, tokenIds: s.ids.slice(start, p) });
          start = has ? p : -1;
        }
      }
    }
    return { cells, segments, strings: this.strings };
  }
}

// ---- Reading: merging the cells of several uploads and labels.

/** Sum of sparse counts (exact: integer counts). */
export function mergeCounts(parts: readonly SparseCounts[]): SparseCounts {
  if (parts.length === 1) return parts[0];
  const m = new Map<number, number>();
  for (const p of parts)
    for (let i = 0; i < p.tokenIds.length; i++) m.set(p.tokenIds[i], (m.get(p.tokenIds[i]) ?? 0) + p.counts[i]);
  const ids = Int32Array.from([...m.keys()].sort((a, b) => a - b));
  const counts = new Float64Array(ids.length);
  ids.forEach((id, i) => (counts[i] = m.get(id)!));
  return { tokenIds: ids, counts };
}

/** The count of `id` in sorted sparse counts (0 when absent). */
export function countOf(s: SparseCounts, id: number): number {
  let lo = 0;
  let hi = s.tokenIds.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = s.tokenIds[mid];
    if (v === id) return s.counts[mid];
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}

export interface Occurrence {
  seq: number;
  pos: number;
  tokenId: number;
  /** Gate weight of this expert's slot, null without weights. */
  weight: number | null;
  label: string;
}

/** The k first occurrences by (hash, seq, pos) over several samples: the bottom k of their union. */
export function mergeSamples(parts: readonly { label: string; sample: Occurrences }[], k = SAMPLE_K): Occurrence[] {
  const all: (Occurrence & { h: number })[] = [];
  for (const { label, sample: s } of parts)
    for (let i = 0; i < s.seq.length; i++)
      all.push({
        h: occurrenceHash(s.seq[i], s.pos[i]),
        seq: s.seq[i],
        pos: s.pos[i],
        tokenId: s.tokenId[i],
        weight: Number.isNaN(s.weight[i]) ? null : s.weight[i],
        label,
      });
  all.sort((a, b) => (a.h !== b.h ? a.h - b.h : a.seq !== b.seq ? a.seq - b.seq : a.pos - b.pos));
  const out: Occurrence[] = [];
  for (const o of all) {
    const last = out[out.length - 1];
    if (last && last.seq === o.seq && last.pos === o.pos) continue;
    out.push({ seq: o.seq, pos: o.pos, tokenId: o.tokenId, weight: o.weight, label: o.label });
    if (out.length === k) break;
  }
  return out;
}

export interface RankedToken {
  tokenId: number;
  count: number;
  /** count(v, e) · N / (count(v) · load_e); null when the base count is unknown. */
  lift: number | null;
}

/**
 * An expert's top tokens (A13): by count, or by lift among tokens with count(v, e) ≥ minSupport.
 * N and load_e are the sums of the base and expert counts (tokens with an id). Ties: lower id first.
 */
export function topTokens(
  expert: SparseCounts,
  base: SparseCounts,
  by: "count" | "lift",
  limit: number,
  minSupport = DEFAULT_MIN_SUPPORT,
): RankedToken[] {
  const N = sum(base.counts);
  const load = sum(expert.counts);
  const rows: RankedToken[] = [];
  for (let i = 0; i < expert.tokenIds.length; i++) {
    const id = expert.tokenIds[i];
    const c = expert.counts[i];
    if (by === "lift" && c < minSupport) continue;
    const b = countOf(base, id);
    rows.push({ tokenId: id, count: c, lift: b > 0 && load > 0 ? (c * N) / (b * load) : null });
  }
  rows.sort((a, b) =>
    by === "count"
      ? b.count - a.count || a.tokenId - b.tokenId
      : (b.lift ?? -1) - (a.lift ?? -1) || b.count - a.count || a.tokenId - b.tokenId,
  );
  return rows.slice(0, limit);
}

function sum(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

export interface LayerTokenSpecialization {
  /** Per expert: share of its routed tokens whose id has it as most frequent expert (null without tokens). */
  expert: (number | null)[];
  /** Per expert: EVTC, distinct token ids routed to it. */
  coverage: number[];
  /** Distinct token ids at the layer. */
  vocabulary: number;
  /** Mean token specialization over the layer's occurrences (Σ_v count(v) · spec(v) / N). */
  meanToken: number | null;
  /** The most frequent expert and the specialization of each token id (ascending ids). */
  tokens: { tokenIds: Int32Array; topExpert: Int32Array; specialization: Float64Array; count: Float64Array };
}

/** A13 over a layer: `perExpert[e]` the merged counts of expert e, `base` the layer's own counts. */
export function tokenSpecialization(perExpert: readonly SparseCounts[], base: SparseCounts): LayerTokenSpecialization {
  const V = base.tokenIds.length;
  const best = new Float64Array(V);
  const top = new Int32Array(V).fill(-1);
  const idx = new Map<number, number>();
  base.tokenIds.forEach((id, i) => idx.set(id, i));
  perExpert.forEach((s, e) => {
    for (let i = 0; i < s.tokenIds.length; i++) {
      const j = idx.get(s.tokenIds[i]);
      if (j === undefined) continue;
      if (s.counts[i] > best[j]) {
        best[j] = s.counts[i];
        top[j] = e;
      }
    }
  });
  const spec = new Float64Array(V);
  let weighted = 0;
  let N = 0;
  for (let j = 0; j < V; j++) {
    spec[j] = base.counts[j] > 0 ? best[j] / base.counts[j] : 0;
    weighted += best[j];
    N += base.counts[j];
  }
  const expert = perExpert.map((s, e) => {
    let mine = 0;
    let load = 0;
    for (let i = 0; i < s.tokenIds.length; i++) {
      load += s.counts[i];
      const j = idx.get(s.tokenIds[i]);
      if (j !== undefined && top[j] === e) mine += s.counts[i];
    }
    return load > 0 ? mine / load : null;
  });
  return {
    expert,
    coverage: perExpert.map((s) => {
      let n = 0;
      for (let i = 0; i < s.counts.length; i++) if (s.counts[i] > 0) n++;
      return n;
    }),
    vocabulary: V,
    meanToken: N > 0 ? weighted / N : null,
    tokens: { tokenIds: base.tokenIds, topExpert: top, specialization: spec, count: base.counts },
  };
}

/** Token ids of a sequence window [from, to) from its stored segments (-1 where unknown). */
export function windowOf(segments: readonly SequenceSegment[], from: number, to: number): Int32Array {
  const out = new Int32Array(Math.max(0, to - from)).fill(-1);
  for (const s of segments)
    for (let p = Math.max(from, s.firstPos); p < Math.min(to, s.firstPos + s.tokenIds.length); p++)
      if (out[p - from] < 0) out[p - from] = s.tokenIds[p - s.firstPos];
  return out;
}
