import { Prng } from "./prng";

/*
 * Synthetic routing traces with known ("planted") structure, so the demo has something to find and
 * analysis tests can check that they recover it. Only data generation lives here, no analysis.
 */

/** Per MoE layer (outer index = layer), the structure the generator plants. */
export interface PlantedStructure {
  /** Experts with a logit bias, so their load is clearly above the layer mean. */
  hot: number[][];
  /** Experts that are never selected. */
  dead: number[][];
  /** Experts that co-activate: each token boosts one whole group per layer. */
  groups: number[][][];
  /** labelExperts[label][layer]: experts specialized for tokens of that label. */
  labelExperts: Record<string, number[][]>;
}

export interface SyntheticOptions {
  model: { layers: number; experts: number; topK: number; renormalize: boolean };
  /** Total over all sequences. */
  tokens: number;
  /** Defaults to one sequence per 512 tokens. */
  sequences?: number;
  seed: number;
  /** Assigned to sequences round-robin; defaults to DEFAULT_LABELS, [] for an unlabeled trace. */
  labels?: string[];
  /** Defaults to false: logits add E numbers per event and dominate the file size. */
  withLogits?: boolean;
  /** Defaults to true. */
  withWeights?: boolean;
}

/** One routing event, field for field the JSONL line syntheticJsonl writes. */
export interface SyntheticEvent {
  seq: number;
  /** Position within the sequence. */
  token: number;
  layer: number;
  label?: string;
  /** Top-k ids by descending gate weight. */
  experts: number[];
  weights?: number[];
  logits?: number[];
}

export const DEFAULT_LABELS: readonly string[] = ["code", "math", "prose"];

const HOT_BOOST = 1.5;
const GROUP_BOOST = 2.5;
const LABEL_BOOST = 2;
/** Finite because JSON has no -Infinity; exp(-30) still keeps these experts out of any top-k. */
const DEAD_LOGIT = -30;
/** Chance that a token keeps its group quantile from the previous layer. */
const GROUP_CARRY = 0.5;
const CHUNK_BYTES = 64 * 1024;

function checkOptions({ model, tokens }: SyntheticOptions) {
  const { layers, experts, topK } = model;
  const ok = (n: number, min: number) => Number.isInteger(n) && n >= min;
  if (!ok(layers, 1) || !ok(experts, 2) || !ok(topK, 1) || topK > experts || !ok(tokens, 0)) {
    throw new RangeError(`invalid synthetic trace options: layers ${layers}, experts ${experts}, topK ${topK}, tokens ${tokens}`);
  }
}

const labelsOf = (opts: SyntheticOptions) => [...new Set(opts.labels ?? DEFAULT_LABELS)];

/**
 * Splits `items` into groups of lo..hi members (hi >= 2*lo - 1 keeps the last one >= lo). `first`
 * go to the largest groups: in a group no bigger than top-k all members are picked whenever the
 * group is, so a hot expert there would stand out no more than its group mates.
 */
function partition(rng: Prng, items: number[], lo: number, hi: number, first: number[]): number[][] {
  const sizes: number[] = [];
  for (let left = items.length; left > 0; left -= sizes[sizes.length - 1]) {
    sizes.push(left <= hi ? left : lo + rng.int(Math.min(hi, left - lo) - lo + 1));
  }
  const queue = [...first, ...items.filter((e) => !first.includes(e))];
  const groups: number[][] = sizes.map(() => []);
  for (const g of sizes.map((_, i) => i).sort((a, b) => sizes[b] - sizes[a])) {
    groups[g] = queue.splice(0, sizes[g]).sort((a, b) => a - b);
  }
  return groups;
}

export function planStructure(opts: SyntheticOptions): PlantedStructure {
  checkOptions(opts);
  const { layers, experts, topK } = opts.model;
  const labels = labelsOf(opts);
  const rng = new Prng(opts.seed, 1);
  const canDie = experts >= 8 && experts > topK; // the rest must still fill every top-k
  const forcedDead = rng.int(layers);
  const lo = Math.max(topK, 2);
  const hi = Math.max(2 * topK, 2 * lo - 1);
  // fromEntries defines own properties, so even a label named "__proto__" is safe.
  const labelExperts: Record<string, number[][]> = Object.fromEntries(labels.map((label) => [label, []]));
  const plan: PlantedStructure = { hot: [], dead: [], groups: [], labelExperts };

  for (let l = 0; l < layers; l++) {
    const alive = rng.shuffle(Array.from({ length: experts }, (_, e) => e));
    plan.dead.push(canDie && (l === forcedDead || rng.next() < 0.5) ? alive.splice(0, 1) : []);
    // With few experts a second hot or label expert crowds the top-k until the planted effects
    // blur into each other, so those come only with 16 or more live experts.
    const roomy = alive.length >= 16;
    const hot = alive.slice(0, roomy ? 1 + rng.int(2) : 1);
    plan.hot.push([...hot].sort((a, b) => a - b));
    plan.groups.push(partition(rng, alive, lo, hi, hot));

    // Label experts avoid the hot ones (one role per expert), get distinct primaries while they
    // last so labels stay distinguishable, and a second expert only from unused ones.
    const order = rng.shuffle(alive.length > hot.length ? alive.slice(hot.length) : [...alive]);
    const used = new Set(labels.map((_, i) => order[i % order.length]));
    labels.forEach((label, i) => {
      const own = [order[i % order.length]];
      const free = order.filter((e) => !used.has(e));
      if (roomy && free.length > 0 && rng.next() < 0.5) {
        own.push(free[rng.int(free.length)]);
        used.add(own[1]);
      }
      labelExperts[label].push(own.sort((a, b) => a - b));
    });
  }
  return plan;
}

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
export function* syntheticEvents(opts: SyntheticOptions, plan: PlantedStructure = planStructure(opts)): Generator<SyntheticEvent> {
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

        const { ids, weights } = topKGates(logits, topK, renormalize);
        const ev: SyntheticEvent = { seq, token, layer, ...label, experts: ids };
        if (withWeights) ev.weights = weights.map(round5);
        if (opts.withLogits) ev.logits = Array.from(logits, round5);
        yield ev;
      }
    }
  }
}

/** JSONL, one event per line in syntheticEvents order, in chunks of about 64 KiB. */
export async function* syntheticJsonl(opts: SyntheticOptions, plan: PlantedStructure = planStructure(opts)): AsyncGenerator<Uint8Array> {
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
