/**
 * A14 baseline: DeepSeek's EPLB (github.com/deepseek-ai/EPLB, eplb.py, `rebalance_experts`), re-
 * implemented step by step for one layer so the planner can run it on a run's loads. The published
 * code works in float32 (`weight.float()`), and so does this one (every sum and quotient rounded
 * with Math.fround), so the two agree bit for bit wherever the sums are exact.
 *
 * Tie-breaking, as in the published code:
 *  - items are packed in descending weight order, equal weights by ascending index (a stable sort;
 *    the reference's `torch.sort(descending=True)` on CPU, and `np.argsort(-w, kind="stable")` in
 *    bench/planner's numpy transcription);
 *  - an item goes to the lightest pack that still has room, the lowest pack index among equals
 *    (`min(..., key=pack_weights.__getitem__)` returns the first minimum);
 *  - a redundant slot goes to the expert with the largest load per replica, the lowest expert index
 *    among equals (`max(dim=-1).indices` returns the first maximum).
 * Sums of a group's experts are taken left to right; torch may sum in another order, which only
 * matters when float32 sums are inexact (loads beyond 2^24 tokens a group).
 */

export interface EplbLayer {
  /** [P] logical expert of each physical slot; slot p sits on GPU floor(p / (P / G)). */
  phy2log: Int32Array;
  /** [P] replica rank of each slot (0 for an expert's first replica). */
  rank: Int32Array;
  /** [E] replicas of each logical expert (≥ 1). */
  logcnt: Int32Array;
}

const f32 = Math.fround;

/**
 * balanced_packing: n items into m packs of exactly n/m items each, heaviest first, each to the
 * lightest pack with room. Returns each item's pack and its rank (order of arrival) in that pack.
 */
export function balancedPacking(weight: Float32Array, packs: number): { pack: Int32Array; rankInPack: Int32Array } {
  const n = weight.length;
  if (n % packs !== 0) throw new Error(`balancedPacking: ${n} items do not split into ${packs} equal packs`);
  const perPack = n / packs;
  const pack = new Int32Array(n);
  const rankInPack = new Int32Array(n);
  if (perPack === 1) {
    for (let i = 0; i < n; i++) pack[i] = i;
    return { pack, rankInPack };
  }
  const order = stableDescending(weight);
  const packWeight = new Float32Array(packs);
  const packItems = new Int32Array(packs);
  for (const item of order) {
    let best = -1;
    for (let p = 0; p < packs; p++) {
      if (packItems[p] >= perPack) continue;
      if (best < 0 || packWeight[p] < packWeight[best]) best = p;
    }
    pack[item] = best;
    rankInPack[item] = packItems[best];
    packWeight[best] = f32(packWeight[best] + weight[item]);
    packItems[best]++;
  }
  return { pack, rankInPack };
}

/** Indices by descending weight, equal weights by ascending index. */
export function stableDescending(weight: Float32Array): Int32Array {
  const idx = Array.from({ length: weight.length }, (_, i) => i);
  idx.sort((a, b) => weight[b] - weight[a] || a - b);
  return Int32Array.from(idx);
}

/**
 * replicate_experts: E logical experts onto P ≥ E physical slots; slots 0..E-1 hold one replica of
 * each expert, every further slot a replica of the expert whose load per replica is largest.
 */
export function replicateExperts(weight: Float32Array, slots: number): EplbLayer {
  const E = weight.length;
  if (slots < E) throw new Error(`replicateExperts: ${slots} slots for ${E} experts`);
  const phy2log = new Int32Array(slots);
  const rank = new Int32Array(slots);
  const logcnt = new Int32Array(E).fill(1);
  for (let i = 0; i < E; i++) phy2log[i] = i;
  for (let i = E; i < slots; i++) {
    let best = 0;
    let bestValue = f32(weight[0] / logcnt[0]);
    for (let e = 1; e < E; e++) {
      const v = f32(weight[e] / logcnt[e]);
      if (v > bestValue) {
        best = e;
        bestValue = v;
      }
    }
    phy2log[i] = best;
    rank[i] = logcnt[best];
    logcnt[best]++;
  }
  return { phy2log, rank, logcnt };
}

function inverse(perm: Int32Array): Int32Array {
  const inv = new Int32Array(perm.length);
  for (let i = 0; i < perm.length; i++) inv[perm[i]] = i;
  return inv;
}

/**
 * rebalance_experts_hierarchical for one layer: (1) pack the expert groups onto nodes, balanced;
 * (2) replicate experts within each node; (3) pack each node's slots onto its GPUs, balanced.
 */
export function eplbHierarchical(load: ArrayLike<number>, slots: number, groups: number, nodes: number, gpus: number) {
  const E = load.length;
  const w = Float32Array.from(load);
  if (E % groups !== 0) throw new Error(`eplb: ${groups} groups do not divide ${E} experts`);
  if (groups % nodes !== 0) throw new Error(`eplb: ${nodes} nodes do not divide ${groups} groups`);
  if (gpus % nodes !== 0) throw new Error(`eplb: ${nodes} nodes do not divide ${gpus} GPUs`);
  if (slots % gpus !== 0) throw new Error(`eplb: ${gpus} GPUs do not divide ${slots} slots`);
  const groupSize = E / groups;
  const groupsPerNode = groups / nodes;
  const slotsPerGpu = slots / gpus;
  const expertsPerNode = E / nodes;
  const slotsPerNode = slots / nodes;

  // Step 1: groups onto nodes.
  const groupLoad = new Float32Array(groups);
  for (let g = 0; g < groups; g++) {
    let s = 0;
    for (let j = 0; j < groupSize; j++) s = f32(s + w[g * groupSize + j]);
    groupLoad[g] = s;
  }
  const groupPack = balancedPacking(groupLoad, nodes);
  // log2mlog: where each logical expert lands in the node-major ("middle") numbering.
  const log2mlog = new Int32Array(E);
  for (let g = 0; g < groups; g++) {
    const base = (groupPack.pack[g] * groupsPerNode + groupPack.rankInPack[g]) * groupSize;
    for (let j = 0; j < groupSize; j++) log2mlog[g * groupSize + j] = base + j;
  }
  const mlog2log = inverse(log2mlog);

  const phy2log = new Int32Array(slots);
  const rank = new Int32Array(slots);
  const mlogcnt = new Int32Array(E);
  for (let n = 0; n < nodes; n++) {
    // Step 2: replicas within the node.
    const nodeLoad = new Float32Array(expertsPerNode);
    for (let i = 0; i < expertsPerNode; i++) nodeLoad[i] = w[mlog2log[n * expertsPerNode + i]];
    const rep = replicateExperts(nodeLoad, slotsPerNode);
    for (let i = 0; i < expertsPerNode; i++) mlogcnt[n * expertsPerNode + i] = rep.logcnt[i];
    // Step 3: the node's slots onto its GPUs, each slot weighing its expert's load per replica.
    const slotLoad = new Float32Array(slotsPerNode);
    for (let i = 0; i < slotsPerNode; i++) slotLoad[i] = f32(nodeLoad[rep.phy2log[i]] / rep.logcnt[rep.phy2log[i]]);
    const gpuPack = balancedPacking(slotLoad, gpus / nodes);
    const phy2pphy = new Int32Array(slotsPerNode);
    for (let i = 0; i < slotsPerNode; i++) phy2pphy[i] = gpuPack.pack[i] * slotsPerGpu + gpuPack.rankInPack[i];
    const pphy2phy = inverse(phy2pphy);
    for (let j = 0; j < slotsPerNode; j++) {
      const src = pphy2phy[j];
      phy2log[n * slotsPerNode + j] = mlog2log[rep.phy2log[src] + n * expertsPerNode];
      rank[n * slotsPerNode + j] = rep.rank[src];
    }
  }
  const logcnt = new Int32Array(E);
  for (let e = 0; e < E; e++) logcnt[e] = mlogcnt[log2mlog[e]];
  return { phy2log, rank, logcnt } satisfies EplbLayer;
}

/** Which of EPLB's two policies applies: hierarchical when the nodes divide the groups, global otherwise. */
export function eplbPolicy(groups: number, nodes: number): "hierarchical" | "global" {
  return groups % nodes === 0 ? "hierarchical" : "global";
}

/** rebalance_experts for one layer: the hierarchical policy, or the global one (1 group, 1 node). */
export function eplbLayer(load: ArrayLike<number>, slots: number, groups: number, nodes: number, gpus: number) {
  return eplbPolicy(groups, nodes) === "hierarchical"
    ? eplbHierarchical(load, slots, groups, nodes, gpus)
    : eplbHierarchical(load, slots, 1, 1, gpus);
}

/**
 * log2phy [E][width]: each expert's slots by replica rank, −1 padded; width = the largest logcnt
 * (over all layers of a plan, as the reference pads to one width).
 */
export function logToPhy(plan: { phy2log: Int32Array; rank: Int32Array }, experts: number, width: number): number[][] {
  const out = Array.from({ length: experts }, () => new Array<number>(width).fill(-1));
  for (let p = 0; p < plan.phy2log.length; p++) out[plan.phy2log[p]][plan.rank[p]] = p;
  return out;
}
