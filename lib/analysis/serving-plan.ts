import { eplbLayer, type EplbLayer } from "./eplb";
import type { TokenSets } from "./placement-events";

/**
 * A14 serving plans: P physical slots on G GPUs in N nodes, slot p on GPU floor(p / (P/G)), GPU g
 * in node floor(g / (G/N)).
 *
 * Replicas split tokens evenly, as the engines' dispatch does: an expert with c replicas sends each
 * replica 1/c of its tokens, so a slot's load is load_e / c and a GPU's load is the sum of its slots'.
 * For C_T, each token picks one replica of each of its experts, uniformly and independently: it
 * reaches GPU g with probability 1 − Π_{e ∈ K_t} (1 − r_eg / c_e) (r_eg: replicas of e on g), and
 * C_T over GPUs is the expected number of GPUs reached, Σ_g of that, averaged over tokens; the same
 * with nodes for C_T over nodes. Without replicas this is exactly |{dev(e) : e ∈ K_t}| (A5).
 */
export interface PlanShape {
  experts: number;
  slots: number;
  gpus: number;
  nodes: number;
}

export type LayerPlan = EplbLayer;

export const slotsPerGpu = (s: PlanShape) => s.slots / s.gpus;
export const gpusPerNode = (s: PlanShape) => s.gpus / s.nodes;

/** Replica counts from phy2log. */
export function replicaCounts(phy2log: Int32Array, experts: number): Int32Array {
  const c = new Int32Array(experts);
  for (const e of phy2log) c[e]++;
  return c;
}

/** Σ of load_e / c_e over each GPU's slots. */
export function gpuLoads(phy2log: Int32Array, logcnt: Int32Array, load: ArrayLike<number>, shape: PlanShape): number[] {
  const per = slotsPerGpu(shape);
  const out = new Array<number>(shape.gpus).fill(0);
  for (let p = 0; p < phy2log.length; p++) {
    const e = phy2log[p];
    out[Math.floor(p / per)] += load[e] / logcnt[e];
  }
  return out;
}

export function loadBalance(gpuLoad: number[]): {
  balancedness: number | null;
  maxOverMean: number | null;
  max: number;
} {
  let max = 0;
  let sum = 0;
  for (const x of gpuLoad) {
    sum += x;
    if (x > max) max = x;
  }
  if (max <= 0) return { balancedness: null, maxOverMean: null, max };
  const mean = sum / gpuLoad.length;
  return { balancedness: mean / max, maxOverMean: max / mean, max };
}

/**
 * x[e][unit] = share of e's replicas on each GPU (unit = "gpu") or node: the probability that one of
 * e's tokens is served there.
 */
export function replicaShares(phy2log: Int32Array, shape: PlanShape, unit: "gpu" | "node"): Float64Array {
  const { experts: E } = shape;
  const units = unit === "gpu" ? shape.gpus : shape.nodes;
  const perUnit = unit === "gpu" ? slotsPerGpu(shape) : shape.slots / shape.nodes;
  const c = replicaCounts(phy2log, E);
  const x = new Float64Array(E * units);
  for (let p = 0; p < phy2log.length; p++) {
    const e = phy2log[p];
    x[e * units + Math.floor(p / perUnit)] += 1 / c[e];
  }
  return x;
}

/** Per expert, the units it has replicas on and the share of its tokens each gets (sparse x). */
function sparseShares(x: Float64Array, experts: number, units: number) {
  const start = new Int32Array(experts + 1);
  const unit: number[] = [];
  const share: number[] = [];
  for (let e = 0; e < experts; e++) {
    for (let u = 0; u < units; u++) {
      const v = x[e * units + u];
      if (v > 0) {
        unit.push(u);
        share.push(v);
      }
    }
    start[e + 1] = unit.length;
  }
  return { start, unit: Int32Array.from(unit), share: Float64Array.from(share) };
}

/** Expected units reached per token (C_T over GPUs or nodes), counted on the raw top-k sets. */
export function ctOnEvents(tokens: TokenSets, x: Float64Array, experts: number, units: number): number | null {
  if (tokens.count === 0) return null;
  const sp = sparseShares(x, experts, units);
  const miss = new Float64Array(units).fill(1);
  const touched = new Int32Array(units);
  const { ids, k, count } = tokens;
  let total = 0;
  for (let t = 0; t < count; t++) {
    let nt = 0;
    for (let a = 0; a < k; a++) {
      const e = ids[t * k + a];
      if (e < 0) continue;
      for (let i = sp.start[e]; i < sp.start[e + 1]; i++) {
        const u = sp.unit[i];
        if (miss[u] === 1) touched[nt++] = u;
        miss[u] *= 1 - sp.share[i];
      }
    }
    for (let i = 0; i < nt; i++) {
      total += 1 - miss[touched[i]];
      miss[touched[i]] = 1;
    }
  }
  return total / count;
}

/**
 * C_T from the co-activation alone, by inclusion-exclusion to pairs:
 *   (1/N) Σ_u [Σ_e load_e x_eu − Σ_{e<f} C_ef x_eu x_fu].
 * Exact for top-1 and top-2 (a token's experts are at most a pair); beyond top-2 a lower bound.
 */
export function ctPairwise(
  coactivation: ArrayLike<number>,
  load: ArrayLike<number>,
  tokens: number,
  x: Float64Array,
  experts: number,
  units: number,
): number | null {
  if (tokens <= 0) return null;
  let s = 0;
  for (let e = 0; e < experts; e++) {
    for (let u = 0; u < units; u++) s += load[e] * x[e * units + u];
    for (let f = e + 1; f < experts; f++) {
      const c = coactivation[e * experts + f];
      if (c === 0) continue;
      let both = 0;
      for (let u = 0; u < units; u++) both += x[e * units + u] * x[f * units + u];
      s -= c * both;
    }
  }
  return s / tokens;
}

/** Loads and co-activation (E×E, zero diagonal) of a set of tokens: a window's own statistics. */
export function tokenStatistics(tokens: TokenSets, experts: number) {
  const load = new Float64Array(experts);
  const coactivation = new Float64Array(experts * experts);
  const { ids, k, count } = tokens;
  for (let t = 0; t < count; t++) {
    for (let a = 0; a < k; a++) {
      const e = ids[t * k + a];
      if (e < 0) continue;
      load[e]++;
      for (let b = a + 1; b < k; b++) {
        const f = ids[t * k + b];
        if (f < 0 || f === e) continue;
        coactivation[e * experts + f]++;
        coactivation[f * experts + e]++;
      }
    }
  }
  return { load, coactivation, tokens: count };
}

/** Tokens [from, to) of a layer's top-k sets. */
export function sliceTokens(tokens: TokenSets, from: number, to: number): TokenSets {
  const a = Math.max(0, Math.min(from, tokens.count));
  const b = Math.max(a, Math.min(to, tokens.count));
  return { ids: tokens.ids.subarray(a * tokens.k, b * tokens.k), k: tokens.k, count: b - a };
}

/** The engines' default before any plan: slot p holds logical expert p mod E, replica rank floor(p / E). */
export function trivialPlan(shape: PlanShape): LayerPlan {
  const phy2log = new Int32Array(shape.slots);
  const rank = new Int32Array(shape.slots);
  for (let p = 0; p < shape.slots; p++) {
    phy2log[p] = p % shape.experts;
    rank[p] = Math.floor(p / shape.experts);
  }
  return { phy2log, rank, logcnt: replicaCounts(phy2log, shape.experts) };
}

export interface OptimizeOptions {
  /** Allowed max GPU load as a multiple of EPLB's on the same layer (≥ 1; 1 = never less balanced). */
  maxLoadRatio?: number;
  /** Raw top-k sets of the planning tokens: when given, the result is never worse than EPLB's on them. */
  tokens?: TokenSets | null;
  /** Weight of GPU co-location against node co-location in the search objective. */
  gpuWeight?: number;
}

/**
 * Our planner for one layer. It keeps EPLB's replica counts (so its slots carry the same loads) and
 * starts from EPLB's packing, then swaps pairs of slots between GPUs while (1) every GPU's load stays
 * at most maxLoadRatio × EPLB's max GPU load and (2) co-located co-activation rises:
 *   S_node = Σ_{e≠f} C_ef Σ_n x_en x_fn  +  gpuWeight · the same over GPUs,
 * the pairwise part of C_T (ctPairwise: Σ_t C_T = Σ load − S/2), so raising S lowers C_T over nodes
 * and GPUs. A swap of slot a (expert e, unit A) and slot b (expert f, unit B) changes S by
 *   2 δe (R[e][B] − R[e][A]) + 2 δf (R[f][A] − R[f][B]) − 4 C_ef δe δf · [A≠B]
 * with R[e][u] = Σ_f C_ef x_fu and δ = 1/c, O(1) per candidate; R is updated in O(E) per accepted
 * swap. Best-improvement per slot, in passes, until a pass gains nothing or under 1% of what the
 * search has gained so far (at most 50 passes). With the planning tokens the
 * result is checked on them and EPLB's own packing kept when ours is not better on nodes (or, on one
 * node, on GPUs): never worse on the data it planned on.
 */
export function optimizeLayer(
  load: ArrayLike<number>,
  coactivation: ArrayLike<number>,
  start: LayerPlan,
  shape: PlanShape,
  options: OptimizeOptions = {},
): LayerPlan {
  const { experts: E, slots: P, gpus: G, nodes: N } = shape;
  const perGpu = slotsPerGpu(shape);
  const perNodeGpus = gpusPerNode(shape);
  const gw = options.gpuWeight ?? (N > 1 ? 0.25 : 1);
  const nw = N > 1 ? 1 : 0;
  const phy2log = Int32Array.from(start.phy2log);
  const rank = Int32Array.from(start.rank);
  const logcnt = start.logcnt;
  const gl = gpuLoads(phy2log, logcnt, load, shape);
  const eplbMax = Math.max(...gl);
  const bound = eplbMax * (options.maxLoadRatio ?? 1) * (1 + 1e-12);
  const delta = new Float64Array(E);
  for (let e = 0; e < E; e++) delta[e] = 1 / logcnt[e];
  const slotLoad = new Float64Array(P);
  for (let p = 0; p < P; p++) slotLoad[p] = load[phy2log[p]] * delta[phy2log[p]];

  // R over GPUs and nodes.
  const Rg = new Float64Array(E * G);
  const Rn = new Float64Array(E * N);
  const Cm = coactivation instanceof Float64Array ? coactivation : Float64Array.from(coactivation);
  const C = (e: number, f: number) => (e === f ? 0 : Cm[e * E + f]);
  const addReplica = (f: number, gpu: number, sign: number) => {
    const node = Math.floor(gpu / perNodeGpus);
    const d = sign * delta[f];
    for (let e = 0; e < E; e++) {
      const c = C(e, f);
      if (c === 0) continue;
      Rg[e * G + gpu] += c * d;
      Rn[e * N + node] += c * d;
    }
  };
  for (let p = 0; p < P; p++) addReplica(phy2log[p], Math.floor(p / perGpu), 1);

  const gpuOf = new Int32Array(P);
  const nodeOf = new Int32Array(P);
  for (let p = 0; p < P; p++) {
    gpuOf[p] = Math.floor(p / perGpu);
    nodeOf[p] = Math.floor(gpuOf[p] / perNodeGpus);
  }

  let scale = 0;
  for (let i = 0; i < E * E; i++) scale += coactivation[i];
  const eps = 1e-9 * (scale || 1);
  let total = 0;
  for (let pass = 0; pass < 50; pass++) {
    let passGain = 0;
    for (let a = 0; a < P; a++) {
      const ga = gpuOf[a];
      const na = nodeOf[a];
      const e = phy2log[a];
      const de = delta[e];
      const la = slotLoad[a];
      // The room each side has: a slot b fits when gl[ga] + (w_b − w_a) ≤ bound and gl[gb] − (w_b − w_a) ≤ bound.
      const roomA = bound - gl[ga] + la;
      let best = -1;
      let bestGain = eps;
      // Per target GPU, a's own part of the gain once; then each slot b there adds b's part.
      for (let gb = 0; gb < G; gb++) {
        if (gb === ga) continue;
        const nb = Math.floor(gb / perNodeGpus);
        const crossNode = nw !== 0 && nb !== na;
        const eTerm =
          gw * 2 * de * (Rg[e * G + gb] - Rg[e * G + ga]) +
          (crossNode ? 2 * de * (Rn[e * N + nb] - Rn[e * N + na]) : 0);
        const crossWeight = crossNode ? gw + 1 : gw;
        const room = bound - gl[gb];
        for (let b = gb * perGpu, end = b + perGpu; b < end; b++) {
          const lb = slotLoad[b];
          if (lb > roomA || la - lb > room) continue;
          const f = phy2log[b];
          if (f === e) continue;
          const df = delta[f];
          let g = eTerm + gw * 2 * df * (Rg[f * G + ga] - Rg[f * G + gb]) - crossWeight * 4 * Cm[e * E + f] * de * df;
          if (crossNode) g += 2 * df * (Rn[f * N + na] - Rn[f * N + nb]);
          if (g > bestGain) {
            bestGain = g;
            best = b;
          }
        }
      }
      if (best < 0) continue;
      const b = best;
      const gb = gpuOf[b];
      const f = phy2log[b];
      addReplica(e, ga, -1);
      addReplica(f, gb, -1);
      addReplica(e, gb, 1);
      addReplica(f, ga, 1);
      const d = slotLoad[b] - la;
      gl[ga] += d;
      gl[gb] -= d;
      phy2log[a] = f;
      phy2log[b] = e;
      [rank[a], rank[b]] = [rank[b], rank[a]];
      slotLoad[a] = slotLoad[b];
      slotLoad[b] = la;
      passGain += bestGain;
    }
    total += passGain;
    // Stop when a pass finds nothing, or adds less than 1% of what the search has gained so far.
    if (passGain <= eps || passGain < 0.01 * total) break;
  }
  const plan = { phy2log, rank, logcnt };
  const tokens = options.tokens;
  if (tokens && tokens.count > 0) {
    const unit = N > 1 ? "node" : "gpu";
    const units = N > 1 ? N : G;
    const ours = ctOnEvents(tokens, replicaShares(phy2log, shape, unit), E, units)!;
    const theirs = ctOnEvents(tokens, replicaShares(start.phy2log, shape, unit), E, units)!;
    if (ours > theirs) return { phy2log: Int32Array.from(start.phy2log), rank: Int32Array.from(start.rank), logcnt };
  }
  return plan;
}

/** EPLB, or ours starting from EPLB, for one layer. */
export function planLayer(
  strategy: "eplb" | "optimized",
  stats: { load: ArrayLike<number>; coactivation: ArrayLike<number> },
  shape: PlanShape,
  groups: number,
  options: OptimizeOptions = {},
): LayerPlan {
  const eplb = eplbLayer(stats.load, shape.slots, groups, shape.nodes, shape.gpus);
  return strategy === "eplb" ? eplb : optimizeLayer(stats.load, stats.coactivation, eplb, shape, options);
}

/**
 * Interconnect model for the all-to-all. One copy of a token's hidden state (hidden · dtypeBytes
 * bytes) crosses InfiniBand once per remote node it reaches and NVLink once per GPU it reaches
 * other than the node's receiving one (DeepEP-style two hops); tokens start evenly on all GPUs, so
 * a reached node is remote with probability (N−1)/N and a reached GPU needs an NVLink hop with
 * probability 1 − N/G. Every GPU sends its share at once over its own links; the two hops run one
 * after the other, dispatch and combine move the same bytes: time = 2 · tokensPerGpu · bytes ·
 * (ibCopies / ibBandwidth + nvlinkCopies / nvlinkBandwidth), with copies per token.
 */
export interface CostSettings {
  hidden: number;
  dtypeBytes: number;
  /** Per GPU, per direction, bytes/s. */
  nvlinkBytesPerSecond: number;
  ibBytesPerSecond: number;
  tokensPerGpu: number;
}

/** H100/H800-class defaults: NVLink 450 GB/s per direction, one 400 Gb/s (50 GB/s) InfiniBand NIC per GPU, bf16, 4096 tokens per GPU. */
export const COST_DEFAULTS = { dtypeBytes: 2, nvlinkGBps: 450, ibGBps: 50, tokensPerGpu: 4096 } as const;

export function allToAllSeconds(ctGpu: number, ctNode: number, shape: PlanShape, cost: CostSettings) {
  const bytes = cost.hidden * cost.dtypeBytes;
  const ibCopies = shape.nodes > 1 ? (ctNode * (shape.nodes - 1)) / shape.nodes : 0;
  const nvCopies = ctGpu * (1 - shape.nodes / shape.gpus);
  const seconds =
    2 * cost.tokensPerGpu * bytes * (ibCopies / cost.ibBytesPerSecond + nvCopies / cost.nvlinkBytesPerSecond);
  return { ibBytesPerToken: 2 * ibCopies * bytes, nvlinkBytesPerToken: 2 * nvCopies * bytes, seconds };
}
