import { DEMO_VOCABULARY, planTokens, TOKEN_BOOST, TokenDraw } from "./demo-tokens";
import { Prng } from "./prng";
import { checkOptions, labelsOf, planStructure, type PlantedStructure, type SyntheticOptions } from "./plan-structure";

/*
 * Synthetic routing traces with known ("planted") structure, so the demo has something to find and
 * analysis tests can check that they recover it. Only data generation lives here, no analysis.
 */

export { DEFAULT_LABELS, planStructure, type PlantedStructure, type SyntheticOptions } from "./plan-structure";

/** One routing event, field for field the JSONL line syntheticJsonl writes. */
export interface SyntheticEvent {
  seq: number;
  /** Position within the sequence. */
  token: number;
  layer: number;
  label?: string;
  token_id?: number;
  token_str?: string;
  /** Top-k ids by descending gate weight. */
  experts: number[];
  weights?: number[];
  logits?: number[];
}

const HOT_BOOST = 1.5;
const GROUP_BOOST = 2.5;
const LABEL_BOOST = 2;
/** Finite because JSON has no -Infinity; exp(-30) still keeps these experts out of any top-k. */
const DEAD_LOGIT = -30;
/** Chance that a token keeps its group quantile from the previous layer. */
const GROUP_CARRY = 0.5;
const CHUNK_BYTES = 64 * 1024;

/** Keeps files small; 5 significant digits is far below the routing noise. */
const round5 = (x: number) => Number(x.toPrecision(5));

/** Softmax over all experts, restricted to the top-k; repeated argmax yields them already sorted. */
function topKGates(logits: Float64Array, topK: number, renormalize: boolean) {
  const max = logits.reduce((m, x) => Math.max(m, x), -Infinity);
  const z = logits.reduce((s, x) => s + Math.exp(x - max), 0);
  const ids: number[] = [];
  for (let i = 0; i < topK; i++) {
    let best = -1;
    for (let e = 0; e < logits.length; e++) if ((best < 0 || logits[e] > logits[best]) && !ids.includes(e)) best = e;
    ids.push(best);
  }
  const probs = ids.map((e) => Math.exp(logits[e] - max) / z);
  const sum = renormalize ? probs.reduce((s, p) => s + p, 0) : 1;
  return { ids, weights: probs.map((p) => p / sum) };
}

/** Sequence lengths summing to `tokens`, as equal as possible. */
function sequenceLengths(tokens: number, sequences: number | undefined): number[] {
  if (tokens === 0) return [];
  const n = Math.min(tokens, Math.max(1, Math.floor(sequences ?? Math.ceil(tokens / 512))));
  return Array.from({ length: n }, (_, s) => Math.floor(tokens / n) + (s < tokens % n ? 1 : 0));
}

/** Events token-major: each token's layers 0..L-1 together, as a model's forward pass logs them. */
export function* syntheticEvents(
  opts: SyntheticOptions,
  plan: PlantedStructure = planStructure(opts),
): Generator<SyntheticEvent> {
  checkOptions(opts);
  const { layers, experts: E, topK, renormalize } = opts.model;
  if (plan.hot.length !== layers || plan.dead.length !== layers || plan.groups.length !== layers) {
    throw new RangeError(`the planted structure has ${plan.hot.length} layers, the model ${layers}`);
  }
  const labels = labelsOf(opts);
  const withWeights = opts.withWeights ?? true;
  const rng = new Prng(opts.seed, 2);

  // bias[layer][label]: the fixed part of every logit; NaN marks dead experts.
  const bias = plan.hot.map((hot, l) =>
    (labels.length > 0 ? labels : [null]).map((label) => {
      const b = new Float64Array(E);
      for (const e of hot) b[e] += HOT_BOOST;
      if (label !== null) for (const e of plan.labelExperts[label]?.[l] ?? []) b[e] += LABEL_BOOST;
      for (const e of plan.dead[l]) b[e] = Number.NaN;
      return b;
    }),
  );
  // Groups are picked in proportion to their size, so every live expert gets the same share of
  // group boosts and load imbalance comes from the hot experts, not from the partition.
  const cumulative = plan.groups.map((groups) => {
    let sum = 0;
    return groups.map((g) => (sum += g.length)).map((c) => c / sum);
  });

  const planted = opts.withTokens ? planTokens(opts.seed, layers, E, plan.dead) : null;
  const draw = opts.withTokens ? new TokenDraw(opts.seed) : null;
  const logits = new Float64Array(E);
  const lengths = sequenceLengths(opts.tokens, opts.sequences);
  for (let seq = 0; seq < lengths.length; seq++) {
    const labelIndex = labels.length > 0 ? seq % labels.length : 0;
    const label = labels.length > 0 ? { label: labels[labelIndex] } : {};
    for (let token = 0; token < lengths[seq]; token++) {
      // Reusing the previous layer's quantile keeps each layer's group odds exact while correlating
      // consecutive layers' choices: tokens follow routing paths through the stack.
      let quantile = -1;
      let group = -1;
      const tokenId = draw ? draw.next() : -1;
      const plantedAt = planted ? planted.ids.indexOf(tokenId) : -1;
      const tok = draw ? { token_id: tokenId, token_str: DEMO_VOCABULARY[tokenId] } : {};
      for (let layer = 0; layer < layers; layer++) {
        const groups = plan.groups[layer];
        if (groups.length > 0) {
          if (quantile < 0 || rng.next() >= GROUP_CARRY) quantile = rng.next();
          group = cumulative[layer].findIndex((c) => quantile < c);
          if (group < 0) group = groups.length - 1; // rounding left the last bound just below 1
        }
        const b = bias[layer][labelIndex];
        for (let e = 0; e < E; e++) logits[e] = Number.isNaN(b[e]) ? DEAD_LOGIT : b[e] + rng.normal();
        if (group >= 0) for (const e of groups[group]) if (!Number.isNaN(b[e])) logits[e] += GROUP_BOOST;
        if (plantedAt >= 0) logits[planted!.preferred[layer][plantedAt]] += TOKEN_BOOST;

        const { ids, weights } = topKGates(logits, topK, renormalize);
        const ev: SyntheticEvent = { seq, token, layer, ...label, ...tok, experts: ids };
        if (withWeights) ev.weights = weights.map(round5);
        if (opts.withLogits) ev.logits = Array.from(logits, round5);
        yield ev;
      }
    }
  }
}

/** JSONL, one event per line in syntheticEvents order, in chunks of about 64 KiB. */
export async function* syntheticJsonl(
  opts: SyntheticOptions,
  plan: PlantedStructure = planStructure(opts),
): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  let lines: string[] = [];
  let size = 0;
  for (const ev of syntheticEvents(opts, plan)) {
    const line = JSON.stringify(ev) + "\n";
    lines.push(line);
    size += line.length;
    if (size >= CHUNK_BYTES) {
      yield encoder.encode(lines.join(""));
      lines = [];
      size = 0;
    }
  }
  if (size > 0) yield encoder.encode(lines.join(""));
}
