import { maxWeightPerfectMatching } from "./matching";
import { colocatedPairs, contiguousPlacement, expertLoadPerDevice, maxOverMean, type Placement } from "./placement";

/**
 * Occult's greedy collaboration grouping: repeatedly take the largest remaining C_xy and put x and
 * y together (merging their groups while the merged group still fits on a device). Occult's loop
 * never ends when the remaining counts are all 0; here the free slots are then filled in order.
 */
export function greedyPlacement(coactivation: ArrayLike<number>, experts: number, devices: number): Placement {
  const g = experts / devices;
  const groupOf = Array.from({ length: experts }, (_, i) => i);
  const members = Array.from({ length: experts }, (_, i) => [i]);
  // Pairs with C > 0 as x * E + y in a typed array, sorted by C descending, then x, then y (the
  // order of the pair's index): no per-pair arrays, which dominated at 256 experts.
  let n = 0;
  const ids = new Uint32Array((experts * (experts - 1)) / 2);
  for (let x = 0; x < experts; x++)
    for (let y = x + 1; y < experts; y++) if (coactivation[x * experts + y] > 0) ids[n++] = x * experts + y;
  const order = ids.subarray(0, n).sort((a, b) => coactivation[b] - coactivation[a] || a - b);
  for (const id of order) {
    const x = Math.floor(id / experts);
    const y = id % experts;
    const gx = groupOf[x];
    const gy = groupOf[y];
    if (gx === gy || members[gx].length + members[gy].length > g) continue;
    for (const e of members[gy]) groupOf[e] = gx;
    members[gx].push(...members[gy]);
    members[gy] = [];
  }
  return packGroups(
    members.filter((m) => m.length),
    experts,
    devices,
  );
}

/** Puts groups on devices, largest first; a group that fits nowhere whole is split into free slots. */
function packGroups(groups: number[][], experts: number, devices: number): Placement {
  const g = experts / devices;
  const placement: Placement = Array.from({ length: devices }, () => []);
  const leftovers: number[] = [];
  for (const group of [...groups].sort((a, b) => b.length - a.length || a[0] - b[0])) {
    const d = placement.findIndex((dev) => dev.length + group.length <= g);
    if (d >= 0) placement[d].push(...group);
    else leftovers.push(...group);
  }
  for (const e of leftovers) placement.find((dev) => dev.length < g)!.push(e);
  return placement.map((dev) => [...dev].sort((a, b) => a - b));
}

export interface OptimizeOptions {
  /** Start points; the best after local search is returned, so it is never worse than any of them. */
  starts: Placement[];
  /** Largest allowed device load / mean device load (load-aware placement); unbounded if absent. */
  maxImbalance?: number;
  load?: ArrayLike<number>;
  /** Up to this many experts, every placement is tried (8 on 4 devices: 105). */
  exhaustiveUpTo?: number;
}

/**
 * Our optimizer on aggregates: maximize co-located co-activation (which minimizes C_T exactly for
 * top-2, and is a proxy beyond) by pairwise swaps between devices until no swap improves, from each
 * start; exhaustive search where small; the maximum-weight matching with two experts per device.
 * Swaps keep device sizes equal; with `maxImbalance`, swaps that break the load bound are refused.
 */
export function optimizePlacement(
  coactivation: ArrayLike<number>,
  experts: number,
  devices: number,
  opts: OptimizeOptions,
): Placement {
  const E = experts;
  const within = (p: Placement) => colocatedPairs(coactivation, E, p);
  const feasible = (p: Placement) =>
    !opts.maxImbalance || !opts.load || imbalance(p, opts.load) <= opts.maxImbalance + 1e-12;
  // Two experts per device: placements are perfect matchings, and the heaviest matching on the
  // co-activation graph maximizes co-location exactly (C_T's optimum for top-2). With a load bound
  // it is the answer when it meets the bound; otherwise the bounded search below starts from it.
  const matched = E === 2 * devices ? matchingPlacement(coactivation, E) : null;
  if (matched && feasible(matched)) return matched;
  if (E <= (opts.exhaustiveUpTo ?? 10))
    return exhaustive(
      coactivation,
      E,
      devices,
      opts.maxImbalance && opts.load ? { bound: opts.maxImbalance, load: opts.load } : undefined,
    );
  let best: Placement | null = null;
  let bestScore = -Infinity;
  const starts = opts.starts.length ? [...opts.starts] : [contiguousPlacement(E, devices)];
  if (matched) starts.push(matched);
  // Local search never repairs an infeasible start, so load-aware search also starts from the most
  // balanced placement we can build; when even that breaks the bound, it is the answer.
  const balanced = opts.maxImbalance && opts.load ? balancedPlacement(opts.load, E, devices) : null;
  if (balanced) starts.push(balanced);
  for (const start of starts) {
    const p = localSearch(
      coactivation,
      E,
      start.map((d) => [...d]),
      opts,
    );
    const s = within(p);
    if (feasible(p) && s > bestScore) {
      best = p;
      bestScore = s;
    }
  }
  return (best ?? balanced ?? starts[0]).map((d) => [...d].sort((a, b) => a - b));
}

/** Two experts per device from the maximum-weight perfect matching of the co-activation graph (E even). */
export function matchingPlacement(coactivation: ArrayLike<number>, experts: number): Placement {
  const mate = maxWeightPerfectMatching(coactivation, experts);
  const out: Placement = [];
  for (let e = 0; e < experts; e++) if (e < mate[e]) out.push([e, mate[e]]);
  return out;
}

/** Longest-processing-time first: heaviest expert to the lightest device with a free slot. */
export function balancedPlacement(load: ArrayLike<number>, experts: number, devices: number): Placement {
  const g = experts / devices;
  const order = Array.from({ length: experts }, (_, e) => e).sort((a, b) => load[b] - load[a] || a - b);
  const out: Placement = Array.from({ length: devices }, () => []);
  const sum = new Float64Array(devices);
  for (const e of order) {
    let d = -1;
    for (let i = 0; i < devices; i++) if (out[i].length < g && (d < 0 || sum[i] < sum[d])) d = i;
    out[d].push(e);
    sum[d] += load[e];
  }
  return out.map((dev) => dev.sort((a, b) => a - b));
}

/** Largest device load (Σ of its experts' loads) over the mean device load (1 when nothing is routed). */
export function deviceImbalance(p: Placement, load: ArrayLike<number>): number {
  return imbalance(p, load);
}

function imbalance(p: Placement, load: ArrayLike<number>): number {
  return maxOverMean(expertLoadPerDevice(p, load)) ?? 1;
}

function localSearch(C: ArrayLike<number>, E: number, p: Placement, opts: OptimizeOptions): Placement {
  const dev = new Int32Array(E);
  p.forEach((group, d) => group.forEach((e) => (dev[e] = d)));
  // affinity[e * D + d] = Σ of C_e,x over x on device d
  const D = p.length;
  const aff = new Float64Array(E * D);
  for (let e = 0; e < E; e++) for (let x = 0; x < E; x++) if (x !== e) aff[e * D + dev[x]] += C[e * E + x];
  const devLoad = opts.load ? p.map((group) => group.reduce((s, e) => s + opts.load![e], 0)) : null;
  const bound = opts.maxImbalance && devLoad ? (opts.maxImbalance * devLoad.reduce((s, x) => s + x, 0)) / D : Infinity;
  // No pass cap: every accepted swap gains > 1e-9, so the search ends, and it ends swap-locally optimal.
  for (let improved = true; improved;) {
    improved = false;
    for (let a = 0; a < E; a++) {
      for (let b = a + 1; b < E; b++) {
        const da = dev[a];
        const db = dev[b];
        if (da === db) continue;
        // Gain of swapping a and b: new within-device sums minus old, without double counting C_ab.
        const gain = aff[a * D + db] - aff[a * D + da] + aff[b * D + da] - aff[b * D + db] - 2 * C[a * E + b];
        if (gain <= 1e-9) continue;
        if (devLoad) {
          const la = devLoad[da] - opts.load![a] + opts.load![b];
          const lb = devLoad[db] - opts.load![b] + opts.load![a];
          if (Math.max(la, lb) > bound && Math.max(la, lb) > Math.max(devLoad[da], devLoad[db])) continue;
          devLoad[da] = la;
          devLoad[db] = lb;
        }
        for (let x = 0; x < E; x++) {
          aff[x * D + da] += C[x * E + b] - C[x * E + a];
          aff[x * D + db] += C[x * E + a] - C[x * E + b];
        }
        dev[a] = db;
        dev[b] = da;
        improved = true;
      }
    }
  }
  const out: Placement = Array.from({ length: D }, () => []);
  for (let e = 0; e < E; e++) out[dev[e]].push(e);
  return out;
}

/**
 * Every partition of E experts into D unordered groups of E/D (105 for 8 on 4): the best, or with a
 * load bound the best within it, and when none is within it the most balanced one.
 */
function exhaustive(
  C: ArrayLike<number>,
  E: number,
  D: number,
  limit?: { bound: number; load: ArrayLike<number> },
): Placement {
  const g = E / D;
  let best: Placement | null = null;
  let bestScore = -Infinity;
  let balanced: Placement = contiguousPlacement(E, D);
  let balancedImb = limit ? imbalance(balanced, limit.load) : Infinity;
  const groups: number[][] = [];
  const used = new Array(E).fill(false);
  const rec = () => {
    const first = used.indexOf(false);
    if (first < 0) {
      if (limit) {
        const imb = imbalance(groups, limit.load);
        if (imb < balancedImb - 1e-12) {
          balancedImb = imb;
          balanced = groups.map((x) => [...x]);
        }
        if (imb > limit.bound + 1e-12) return;
      }
      const s = colocatedPairs(C, E, groups);
      if (s > bestScore) {
        bestScore = s;
        best = groups.map((x) => [...x]);
      }
      return;
    }
    used[first] = true;
    const pick = (start: number, group: number[]) => {
      if (group.length === g) {
        groups.push(group);
        rec();
        groups.pop();
        return;
      }
      for (let e = start; e < E; e++) {
        if (used[e]) continue;
        used[e] = true;
        pick(e + 1, [...group, e]);
        used[e] = false;
      }
    };
    pick(first + 1, [first]);
    used[first] = false;
  };
  rec();
  return best ?? balanced;
}
