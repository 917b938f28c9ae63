import { Prng } from "./prng";
import { planStructure, type PlantedStructure } from "./plan-structure";
import type { SyntheticEvent } from "./synthetic-trace";

/*
 * A demo series: checkpoints of one model routing the same tokens while it trains. Each token's
 * logits at checkpoint c are s · F + (1 − s) · N_c with s = c / (checkpoints − 1): F is the final
 * router (co-activation groups, a little noise), fixed per token and layer; N_c is that
 * checkpoint's own noise plus a strong bias towards a few hot experts. So, with training, balance
 * improves (the hot bias fades), groups form (F's group boost takes over), routing converges to the
 * final checkpoint's (router saturation reaches 1 at c = final, where the logits are F exactly),
 * and one expert per series dies: its logit sinks step by step and is out of every top-k from
 * `dyingFrom` of the way on.
 */

export interface SeriesTraceOptions {
  model: { layers: number; experts: number; topK: number };
  tokens: number;
  /** Tokens per sequence. */
  sequenceLength: number;
  checkpoints: number;
  seed: number;
}

const HOT_BIAS = 3;
const GROUP_BOOST = 2.5;
const FINAL_NOISE = 0.6;
/** Chance a token keeps its group quantile from the previous layer: routing paths through the stack. */
const GROUP_CARRY = 0.6;
const DEAD_LOGIT = -30;
/** Share of training after which the dying expert is never chosen. */
const DYING_FROM = 0.75;

export interface SeriesPlan {
  groups: PlantedStructure["groups"];
  hot: number[][];
  /** The expert that dies (the same in every layer). */
  dying: number;
}

export function planSeries(opts: SeriesTraceOptions): SeriesPlan {
  const { layers, experts, topK } = opts.model;
  const plan = planStructure({ model: { layers, experts, topK, renormalize: false }, tokens: 0, seed: opts.seed });
  const rng = new Prng(opts.seed, 7);
  const dying = rng.int(experts);
  const hot = Array.from({ length: layers }, () =>
    rng.shuffle(Array.from({ length: experts }, (_, e) => e)).slice(0, 3),
  );
  // planStructure leaves one expert out of the groups in some layers (its dead one); here every
  // expert is alive until the dying one dies, so the left-out experts join the last group.
  const groups = plan.groups.map((gs) => {
    const inGroups = new Set(gs.flat());
    const rest = Array.from({ length: experts }, (_, e) => e).filter((e) => !inGroups.has(e));
    return rest.length ? [...gs.slice(0, -1), [...gs[gs.length - 1], ...rest].sort((a, b) => a - b)] : gs;
  });
  return { groups, hot: hot.map((h) => h.filter((e) => e !== dying)), dying };
}

/** The events of checkpoint `c` (0-based), token-major; the same tokens (seq, position) at every checkpoint. */
export function* seriesCheckpointEvents(opts: SeriesTraceOptions, c: number, plan = planSeries(opts)) {
  const { layers, experts: E, topK } = opts.model;
  if (!Number.isInteger(c) || c < 0 || c >= opts.checkpoints)
    throw new RangeError(`checkpoint ${c} is outside [0, ${opts.checkpoints})`);
  const s = opts.checkpoints > 1 ? c / (opts.checkpoints - 1) : 1;
  const dyingPenalty = s >= DYING_FROM ? DEAD_LOGIT : -1.2 * (s / DYING_FROM);
  // The final router's stream is drawn identically at every checkpoint; each checkpoint adds its own.
  const final = new Prng(opts.seed, 11);
  const own = new Prng(opts.seed + 1000 * (c + 1), 13);
  const logits = new Float64Array(E);
  const sizes = plan.groups.map((gs) => gs.map((g) => g.length));
  for (let token = 0; token < opts.tokens; token++) {
    const seq = Math.floor(token / opts.sequenceLength);
    const pos = token % opts.sequenceLength;
    let quantile = -1;
    for (let layer = 0; layer < layers; layer++) {
      if (quantile < 0 || final.next() >= GROUP_CARRY) quantile = final.next();
      const group = plan.groups[layer][pickGroup(sizes[layer], quantile)];
      for (let e = 0; e < E; e++) logits[e] = s * FINAL_NOISE * final.normal();
      for (const e of group) logits[e] += s * GROUP_BOOST;
      for (let e = 0; e < E; e++) logits[e] += (1 - s) * own.normal();
      for (const e of plan.hot[layer]) logits[e] += (1 - s) * (1 - s) * HOT_BIAS;
      logits[plan.dying] += dyingPenalty;
      const ev: SyntheticEvent = { seq, token: pos, layer, experts: topIds(logits, topK) };
      yield ev;
    }
  }
}

/** The group a quantile falls in, groups weighted by size (so every expert gets the same share of boosts). */
function pickGroup(sizes: number[], quantile: number): number {
  const total = sizes.reduce((a, b) => a + b, 0);
  let acc = 0;
  for (let g = 0; g < sizes.length; g++) {
    acc += sizes[g] / total;
    if (quantile < acc) return g;
  }
  return sizes.length - 1;
}

/** Top-k ids by descending logit, ties to the lower id (`logits` is consumed). */
function topIds(logits: Float64Array, k: number): number[] {
  const ids: number[] = [];
  for (let i = 0; i < k; i++) {
    let best = 0;
    for (let e = 1; e < logits.length; e++) if (logits[e] > logits[best]) best = e;
    ids.push(best);
    logits[best] = -Infinity;
  }
  return ids;
}

/** JSONL of checkpoint `c`, in chunks of about 64 KiB. */
export async function* seriesCheckpointJsonl(opts: SeriesTraceOptions, c: number, plan = planSeries(opts)) {
  const encoder = new TextEncoder();
  let lines: string[] = [];
  let size = 0;
  for (const ev of seriesCheckpointEvents(opts, c, plan)) {
    const line = JSON.stringify(ev) + "\n";
    lines.push(line);
    size += line.length;
    if (size >= 64 * 1024) {
      yield encoder.encode(lines.join(""));
      lines = [];
      size = 0;
    }
  }
  if (size > 0) yield encoder.encode(lines.join(""));
}
