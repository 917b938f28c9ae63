import { liftBaseline } from "./coactivation";

/**
 * A4 (b, c) expert groups (PRODUCT.md §4): Louvain communities on the lift graph of a layer, and a
 * seriation that makes them blocks on the heatmap. "Lift graph" here is the normalized lift graph:
 * lift divided by its top-k chance baseline (see liftGraph). Graphs are dense row-major E x E Float64Arrays,
 * symmetric, non-negative, zero diagonal (E is at most a few hundred experts, so dense is fine).
 */

export const COMMUNITY_DEFINITIONS = {
  graph:
    "Experts are linked when their normalized lift (lift C_ij · N / (load_i · load_j) divided by (k−1)E / (k(E−1)), its value under input-independent top-k routing) exceeds 1; the link weight is normalized lift − 1. Top-1 routing has no co-activation, hence no links.",
  communities:
    "Groups maximizing modularity on that graph: the exact optimum over every partition when at most 10 experts have links (8-expert models), else deterministic Louvain (resolution γ = 1).",
  modularity:
    "Q = Σ_c [L_c / m − γ (d_c / 2m)²]: share of link weight inside groups minus its expectation for random links with the same expert degrees (0 = no group structure).",
} as const;

/**
 * The weighted graph for community detection: with λ_ij = lift_ij / b the normalized lift (b =
 * liftBaseline(k, E) = (k−1)E / (k(E−1)), lift under input-independent top-k routing),
 * w_ij = λ_ij − 1 where λ_ij > 1, else no edge.
 *
 * Why normalize: under top-k two experts cannot share one slot, so routing that ignores the input
 * gives lift b < 1 (0.57 for Mixtral's top-2 of 8): cutting raw lift at 1 asks a pair for 1.75x
 * chance, and on the real Mixtral layers leaves a handful of edges and mostly singleton groups.
 * Why λ − 1 and not λ: the weight is then continuous at the threshold (a pair at 1.01 weighs
 * 0.01, nearly the same as the dropped pair at 0.99) and measures the excess co-activation over
 * chance, so many barely-above-chance pairs cannot outweigh a few strong ones. Experts with load 0
 * have no edges; lift stays noisy for rarely used experts. Top-1 (b undefined): no edges.
 * Reads C_ij for i < j (co-activation is symmetric) and mirrors it.
 */
export function liftGraph(
  coactivation: ArrayLike<number>,
  load: ArrayLike<number>,
  tokens: number,
  experts: number,
  topK: number,
): Float64Array {
  const E = experts;
  if (coactivation.length !== E * E || load.length !== E)
    throw new Error(
      `liftGraph: expected ${E * E} co-activation cells and ${E} loads, got ${coactivation.length} and ${load.length}`,
    );
  const w = new Float64Array(E * E);
  const baseline = liftBaseline(topK, E);
  if (baseline === null) return w;
  for (let i = 0; i < E; i++) {
    if (!(load[i] > 0)) continue;
    for (let j = i + 1; j < E; j++) {
      if (!(load[j] > 0)) continue;
      const normalized = (coactivation[i * E + j] * tokens) / (load[i] * load[j]) / baseline;
      if (normalized > 1) w[i * E + j] = w[j * E + i] = normalized - 1;
    }
  }
  return w;
}

export interface GraphEdge {
  source: number;
  target: number;
  /** Normalized lift of the pair. */
  weight: number;
  /** Raw lift (A2), kept for export. */
  lift: number;
}

/**
 * The collaboration graph's drawn edges: pairs i < j that co-activated at least once and whose
 * normalized lift (lift / baseline) is at least `minNormalizedLift`, strongest first (ties by
 * ids), at most `maxEdges` of them; `total` counts all that qualified. `lift` is the A2 lift
 * matrix as rows; a null baseline (top-1) gives no edges.
 */
export function collaborationEdges(
  lift: readonly (readonly number[])[],
  coactivation: readonly (readonly number[])[],
  baseline: number | null,
  minNormalizedLift: number,
  maxEdges: number,
): { edges: GraphEdge[]; total: number } {
  const E = lift.length;
  const flat = (m: readonly (readonly number[])[]) => {
    const out = new Float64Array(E * E);
    for (let i = 0; i < E; i++) out.set(m[i], i * E);
    return out;
  };
  return collaborationEdgesFlat(flat(lift), flat(coactivation), E, baseline, minNormalizedLift, maxEdges);
}

/** collaborationEdges on row-major E x E typed arrays, as the graph view receives them (lib/wire). */
export function collaborationEdgesFlat(
  lift: ArrayLike<number>,
  coactivation: ArrayLike<number>,
  E: number,
  baseline: number | null,
  minNormalizedLift: number,
  maxEdges: number,
): { edges: GraphEdge[]; total: number } {
  if (baseline === null) return { edges: [], total: 0 };
  const all: GraphEdge[] = [];
  for (let i = 0; i < E; i++) {
    for (let j = i + 1; j < E; j++) {
      const l = lift[i * E + j];
      const weight = l / baseline;
      if (coactivation[i * E + j] > 0 && weight >= minNormalizedLift)
        all.push({ source: i, target: j, weight, lift: l });
    }
  }
  all.sort((a, b) => b.weight - a.weight || a.source - b.source || a.target - b.target);
  return { edges: all.slice(0, maxEdges), total: all.length };
}

function checkGraph(weights: ArrayLike<number>, experts: number) {
  if (weights.length !== experts * experts)
    throw new Error(`expected ${experts * experts} weights, got ${weights.length}`);
  for (let i = 0; i < weights.length; i++) {
    if (!(weights[i] >= 0) || weights[i] === Infinity)
      throw new Error(
        `weight ${i} (${Math.floor(i / experts)}, ${i % experts}) is ${weights[i]}: weights must be finite and ≥ 0`,
      );
  }
}

/**
 * Newman's weighted modularity Q = Σ_c [L_c / m − γ (d_c / 2m)²] (m total edge weight, L_c the
 * weight inside c, d_c the summed degree of c), as networkx computes it. The diagonal is ignored.
 * `community[e]` is a label in [0, E). A graph without edges has Q = 0 by convention.
 */
export function modularity(
  weights: ArrayLike<number>,
  experts: number,
  community: ArrayLike<number>,
  resolution = 1,
): number {
  const E = experts;
  checkGraph(weights, E);
  if (community.length !== E) throw new Error(`expected ${E} community labels, got ${community.length}`);
  const tot = new Float64Array(E);
  let twoM = 0;
  let inside = 0; // Σ over ordered pairs in the same community = 2 Σ_c L_c
  for (let i = 0; i < E; i++) {
    const ci = community[i];
    if (!Number.isInteger(ci) || ci < 0 || ci >= E)
      throw new Error(`expert ${i} has community ${ci}, outside [0, ${E})`);
    for (let j = 0; j < E; j++) {
      if (j === i) continue;
      const w = weights[i * E + j];
      twoM += w;
      tot[ci] += w;
      if (community[j] === ci) inside += w;
    }
  }
  if (twoM === 0) return 0;
  let expected = 0;
  for (let c = 0; c < E; c++) expected += (tot[c] / twoM) ** 2;
  return inside / twoM - resolution * expected;
}

// Gains below this (in units of total weight 1) are rounding noise: treated as ties, so exact
// ties keep a node where it is and the local moving phase always ends.
const EPS = 1e-13;

/** Relabels 0.. in order of first appearance, so communities are numbered by smallest member. */
function renumber(labels: Int32Array): Int32Array {
  const map = new Map<number, number>();
  return labels.map((l) => {
    if (!map.has(l)) map.set(l, map.size);
    return map.get(l)!;
  });
}

/**
 * One Louvain local moving phase on a dense graph of n nodes whose total weight Σ_ij w_ij is 1,
 * from the partition `init` (labels in [0, n)) or singletons. w_ii holds a node's internal weight
 * (ordered pairs of its members), so degrees stay exact after aggregation. Nodes are visited in id
 * order (or reversed); a node moves to the community with the largest gain k_i,c − γ Σtot_c k_i
 * (or to a fresh singleton, gain 0) only if that beats staying. Returns labels renumbered from 0.
 */
function localMoving(
  w: Float64Array,
  n: number,
  gamma: number,
  reverse: boolean,
  init?: Int32Array,
): { label: Int32Array; moved: boolean } {
  const label = init ? Int32Array.from(init) : Int32Array.from({ length: n }, (_, i) => i);
  const size = new Int32Array(n);
  const deg = new Float64Array(n);
  const tot = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) deg[i] += w[i * n + j];
    tot[label[i]] += deg[i];
    size[label[i]]++;
  }
  const kin = new Float64Array(n); // weight from i to each community, reset after each node
  let movedAny = false;
  for (let moved = true; moved;) {
    moved = false;
    for (let step = 0; step < n; step++) {
      const i = reverse ? n - 1 - step : step;
      const own = label[i];
      tot[own] -= deg[i];
      size[own]--;
      for (let j = 0; j < n; j++) if (j !== i) kin[label[j]] += w[i * n + j];
      let best = own;
      let bestGain = kin[own] - gamma * tot[own] * deg[i];
      for (let j = 0; j < n; j++) {
        const c = label[j];
        if (j === i || c === best || kin[c] === 0) continue;
        const gain = kin[c] - gamma * tot[c] * deg[i];
        if (gain > bestGain + EPS) [best, bestGain] = [c, gain];
      }
      if (bestGain < -EPS) best = size.indexOf(0); // alone beats every community
      for (let j = 0; j < n; j++) kin[label[j]] = 0;
      if (best !== own) moved = movedAny = true;
      label[i] = best;
      tot[best] += deg[i];
      size[best]++;
    }
  }
  return { label: renumber(label), moved: movedAny };
}

/** The graph of communities: w'_cd = Σ w_ij over i in c, j in d (c = d included). */
function aggregate(w: Float64Array, n: number, label: Int32Array, c: number): Float64Array {
  const next = new Float64Array(c * c);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) next[label[i] * c + label[j]] += w[i * n + j];
  return next;
}

/**
 * Louvain levels (local moving, then each community becomes one node) until a level merges
 * nothing; then, as in Rotta & Noack's multilevel refinement, single experts move once more on
 * the original graph (aggregation freezes a node that belongs half here, half there) and, if any
 * moved, the levels run again from there. Modularity only rises, so this ends.
 */
function louvainPass(w0: Float64Array, E: number, gamma: number, reverse: boolean): Int32Array {
  let community: Int32Array = Int32Array.from({ length: E }, (_, i) => i);
  for (;;) {
    let n = Math.max(...community) + 1;
    let w = aggregate(w0, E, community, n);
    for (;;) {
      const { label } = localMoving(w, n, gamma, reverse);
      const c = Math.max(...label) + 1;
      if (c === n) break;
      community = community.map((node) => label[node]);
      [w, n] = [aggregate(w, n, label, c), c];
    }
    const refined = localMoving(w0, E, gamma, reverse, renumber(community));
    community = refined.label;
    if (!refined.moved) return community;
  }
}

/**
 * Deterministic Louvain (Blondel et al. 2008) with multilevel refinement. Its result depends on the
 * order nodes are visited in; networkx shuffles that order with a seed, here two fixed orders run
 * (ascending and descending expert id) and the higher modularity wins (ties: ascending). No
 * randomness: the same graph always gives the same partition. On the real LLaMA-MoE and Mixtral
 * layers (8 experts) it misses the exact optimum on 6 of 288 normalized lift graphs (by up to
 * 0.049; ascending order alone did worse), which is why expertCommunities searches every partition
 * for small E and uses Louvain beyond (tests/communities-real-data.test.ts).
 * Communities are numbered 0.. by smallest expert id; `modularity` is recomputed on the input
 * graph. Experts without edges stay singletons; a graph without edges gives all singletons, Q = 0.
 */
export function louvain(
  weights: ArrayLike<number>,
  experts: number,
  opts: { resolution?: number } = {},
): { community: Int32Array; modularity: number } {
  const E = experts;
  const gamma = opts.resolution ?? 1;
  checkGraph(weights, E);
  let total = 0;
  for (let i = 0; i < E; i++) for (let j = 0; j < E; j++) if (i !== j) total += weights[i * E + j];
  if (total === 0) return { community: Int32Array.from({ length: E }, (_, i) => i), modularity: 0 };

  const w0 = new Float64Array(E * E);
  for (let i = 0; i < E; i++) for (let j = 0; j < E; j++) if (i !== j) w0[i * E + j] = weights[i * E + j] / total;
  let best: { community: Int32Array; modularity: number } = { community: new Int32Array(0), modularity: -Infinity };
  for (const reverse of [false, true]) {
    const community = louvainPass(w0, E, gamma, reverse);
    const q = modularity(weights, E, community, gamma);
    if (q > best.modularity + 1e-12) best = { community, modularity: q };
  }
  return best;
}

/** Up to this many experts with links, every partition is tried (Bell(10) = 115,975): exact. */
export const EXACT_COMMUNITIES_MAX = 10;

/**
 * The modularity optimum over every partition of the linked experts (restricted growth strings,
 * modularity kept incrementally), for E ≤ EXACT_COMMUNITIES_MAX. Experts without links stay
 * singletons (joining any group would leave Q unchanged); among partitions tied within 1e-12 the
 * first in lexicographic order wins, so the answer is deterministic.
 */
export function exactCommunities(
  weights: ArrayLike<number>,
  experts: number,
  opts: { resolution?: number } = {},
): { community: Int32Array; modularity: number } {
  const E = experts;
  const gamma = opts.resolution ?? 1;
  checkGraph(weights, E);
  const deg = new Float64Array(E);
  for (let i = 0; i < E; i++) for (let j = 0; j < E; j++) if (i !== j) deg[i] += weights[i * E + j];
  const active = [...deg.keys()].filter((i) => deg[i] > 0);
  if (active.length > EXACT_COMMUNITIES_MAX)
    throw new Error(`exactCommunities: ${active.length} linked experts, at most ${EXACT_COMMUNITIES_MAX}`);
  const twoM = deg.reduce((a, b) => a + b, 0);
  if (twoM === 0) return { community: Int32Array.from({ length: E }, (_, i) => i), modularity: 0 };
  const n = active.length;
  const label = new Int32Array(n);
  const tot = new Float64Array(n);
  let best = -Infinity;
  let bestLabel = new Int32Array(n);
  // inside: Σ over ordered pairs in the same community; squares: Σ_c tot_c².
  const visit = (i: number, groups: number, inside: number, squares: number) => {
    if (i === n) {
      const q = inside / twoM - (gamma * squares) / (twoM * twoM);
      if (q > best + 1e-12) [best, bestLabel] = [q, Int32Array.from(label)];
      return;
    }
    const a = active[i];
    for (let c = 0; c <= groups && c < n; c++) {
      let link = 0;
      for (let j = 0; j < i; j++) if (label[j] === c) link += weights[a * E + active[j]];
      const before = tot[c];
      label[i] = c;
      tot[c] += deg[a];
      visit(i + 1, Math.max(groups, c + 1), inside + 2 * link, squares - before * before + tot[c] * tot[c]);
      tot[c] = before;
    }
  };
  visit(0, 0, 0, 0);
  const community = Int32Array.from({ length: E }, (_, i) => n + i); // singletons for the unlinked
  active.forEach((e, i) => (community[e] = bestLabel[i]));
  const out = renumber(community);
  return { community: out, modularity: modularity(weights, E, out, gamma) };
}

/**
 * A layer's expert groups: the exact modularity optimum when at most EXACT_COMMUNITIES_MAX experts
 * have links (8-expert models such as Mixtral: 4,140 partitions), otherwise deterministic Louvain.
 * Why both: on the normalized lift graphs of the 288 real 8-expert layers Louvain ends below the
 * optimum on 6 (by up to 0.049, tests/communities-real-data.test.ts); with few experts the optimum
 * is cheap, and it is what Louvain approximates.
 */
export function expertCommunities(
  weights: ArrayLike<number>,
  experts: number,
  opts: { resolution?: number } = {},
): { community: Int32Array; modularity: number; method: "exact" | "louvain" } {
  checkGraph(weights, experts);
  let linked = 0;
  for (let i = 0; i < experts; i++) {
    for (let j = 0; j < experts; j++) {
      if (i !== j && weights[i * experts + j] > 0) {
        linked++;
        break;
      }
    }
  }
  return linked <= EXACT_COMMUNITIES_MAX
    ? { ...exactCommunities(weights, experts, opts), method: "exact" }
    : { ...louvain(weights, experts, opts), method: "louvain" };
}

/**
 * A heatmap order (a permutation of expert ids) in which every community is one contiguous block:
 * communities by size (largest first), then smallest id. Inside a block, a greedy chain: start at
 * the member with the largest weight to its community, then repeatedly append the unplaced member
 * most strongly linked to the last one (ties: larger weight to the community, then lower id), so
 * strong pairs sit next to each other along the diagonal.
 */
export function seriate(weights: ArrayLike<number>, experts: number, community: ArrayLike<number>): Int32Array {
  const E = experts;
  if (weights.length !== E * E || community.length !== E)
    throw new Error(`seriate: expected ${E * E} weights and ${E} labels`);
  const groups = new Map<number, number[]>();
  for (let e = 0; e < E; e++) {
    const g = groups.get(community[e]);
    if (g) g.push(e);
    else groups.set(community[e], [e]);
  }
  const order: number[] = [];
  for (const members of [...groups.values()].sort((a, b) => b.length - a.length || a[0] - b[0])) {
    const within = new Map(
      members.map((i) => [i, members.reduce((s, j) => s + (j === i ? 0 : weights[i * E + j]), 0)]),
    );
    const rest = new Set(members);
    let last = -1;
    while (rest.size) {
      let pick = -1;
      for (const j of rest) {
        if (pick < 0) {
          pick = j;
          continue;
        }
        const link = last < 0 ? 0 : weights[last * E + j] - weights[last * E + pick];
        if (link > 0 || (link === 0 && within.get(j)! > within.get(pick)!)) pick = j;
      }
      order.push(pick);
      rest.delete(pick);
      last = pick;
    }
  }
  return Int32Array.from(order);
}
