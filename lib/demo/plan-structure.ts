import { Prng } from "./prng";

/*
 * The structure a synthetic trace plants, drawn from the seed alone: the event generator's own
 * random stream never shifts it, so demo runs and tests can rely on it.
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
  /** Give tokens ids and texts (token_id, token_str) with planted token-to-expert preferences (lib/demo/demo-tokens.ts). Defaults to false. */
  withTokens?: boolean;
}

export const DEFAULT_LABELS: readonly string[] = ["code", "math", "prose"];

/** Throws on shapes no model could have, before any structure is planned or event generated. */
export function checkOptions({ model, tokens }: SyntheticOptions) {
  const { layers, experts, topK } = model;
  const ok = (n: number, min: number) => Number.isInteger(n) && n >= min;
  if (!ok(layers, 1) || !ok(experts, 2) || !ok(topK, 1) || topK > experts || !ok(tokens, 0)) {
    throw new RangeError(
      `invalid synthetic trace options: layers ${layers}, experts ${experts}, topK ${topK}, tokens ${tokens}`,
    );
  }
}

/** Duplicates would plant two expert lists under one label. */
export const labelsOf = (opts: SyntheticOptions) => [...new Set(opts.labels ?? DEFAULT_LABELS)];

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
