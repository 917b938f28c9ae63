/**
 * MoE Atlas's side of bench/placement/events.ts, bundled with esbuild and run in a fresh process:
 *   node events-measure.mjs DIR EXPERTS DEVICES K TOKENS SEED [naive]
 * Generates one layer of top-k token sets (seeded, clustered), writes them to DIR/tokens-*.i16,
 * runs the lab's "optimized" search on them as strategyPlacement does (starts: greedy, the
 * co-location optimum) and, with "naive", the reference search below; prints one JSON line.
 */
import fs from "node:fs";
import path from "node:path";
import { contiguousPlacement, deviceOf, roundRobinPlacement, type Placement } from "@/lib/analysis/placement";
import { devicesReached, optimizeOnEvents, type TokenSets } from "@/lib/analysis/placement-events";
import { greedyPlacement, optimizePlacement } from "@/lib/analysis/placement-search";

const [dir, eArg, dArg, kArg, nArg, seedArg, naiveArg] = process.argv.slice(2);
const E = Number(eArg);
const D = Number(dArg);
const K = Number(kArg);
const N = Number(nArg);

/** Tokens in 4E/K latent clusters; each cluster prefers 3K random experts, 75% of picks from them. */
function generate(seed: number): TokenSets {
  let x = seed;
  const r = () => (x = (x * 48271) % 2147483647) / 2147483647;
  const perm = Array.from({ length: E }, (_, i) => i);
  for (let i = E - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  const clusters = Math.max(2, Math.round((4 * E) / K));
  // Overlapping preferences, each a random 3K experts: no clean tiling for the greedy grouping to find.
  const pref = Array.from({ length: clusters }, () => {
    const set = new Set<number>();
    while (set.size < 3 * K) set.add(perm[Math.floor(r() * E)]);
    return [...set];
  });
  const ids = new Int16Array(N * K);
  const seen = new Int32Array(E).fill(-1);
  for (let t = 0; t < N; t++) {
    const p = pref[Math.floor(r() * clusters)];
    let n = 0;
    while (n < K) {
      const e = r() < 0.75 ? p[Math.floor(r() * p.length)] : Math.floor(r() * E);
      if (seen[e] === t) continue;
      seen[e] = t;
      ids[t * K + n++] = e;
    }
  }
  return { ids, k: K, count: N };
}

/** Co-activation from the token sets (what the aggregates hold). */
function coactivation(tok: TokenSets): Float64Array {
  const C = new Float64Array(E * E);
  for (let t = 0; t < tok.count; t++)
    for (let a = 0; a < K; a++)
      for (let b = 0; b < K; b++) if (a !== b) C[tok.ids[t * K + a] * E + tok.ids[t * K + b]]++;
  return C;
}

/**
 * The reference: the same move rule (for each a, the partner b lowering Σ_t |devices| most, until a
 * pass finds none), each Δ(a, b) counted directly on the tokens of a and of b with per-token device
 * counts (an E·D-free, obvious implementation): O(load_a + load_b) per candidate instead of O(1).
 */
function naiveSearch(tok: TokenSets, start: Placement): { dev: Int32Array; reached: number; swaps: number } {
  const dev = deviceOf(start, E);
  const tokOf: number[][] = Array.from({ length: E }, () => []);
  for (let t = 0; t < tok.count; t++) for (let a = 0; a < K; a++) tokOf[tok.ids[t * K + a]].push(t);
  const cnt = new Uint8Array(tok.count * D);
  for (let t = 0; t < tok.count; t++) for (let a = 0; a < K; a++) cnt[t * D + dev[tok.ids[t * K + a]]]++;
  const has = (t: number, e: number) => {
    for (let a = 0; a < K; a++) if (tok.ids[t * K + a] === e) return true;
    return false;
  };
  const delta = (a: number, b: number) => {
    const A = dev[a];
    const B = dev[b];
    let d = 0;
    for (const t of tokOf[a]) if (!has(t, b)) d += (cnt[t * D + B] === 0 ? 1 : 0) - (cnt[t * D + A] === 1 ? 1 : 0);
    for (const t of tokOf[b]) if (!has(t, a)) d += (cnt[t * D + A] === 0 ? 1 : 0) - (cnt[t * D + B] === 1 ? 1 : 0);
    return d;
  };
  let swaps = 0;
  for (let improved = true; improved;) {
    improved = false;
    for (let a = 0; a < E; a++) {
      for (;;) {
        let best = -1;
        let bestDelta = 0;
        for (let b = 0; b < E; b++) {
          if (dev[b] === dev[a]) continue;
          const d = delta(a, b);
          if (d < bestDelta) {
            best = b;
            bestDelta = d;
          }
        }
        if (best < 0) break;
        const A = dev[a];
        const B = dev[best];
        for (const t of tokOf[a])
          if (!has(t, best)) {
            cnt[t * D + A]--;
            cnt[t * D + B]++;
          }
        for (const t of tokOf[best])
          if (!has(t, a)) {
            cnt[t * D + B]--;
            cnt[t * D + A]++;
          }
        dev[a] = B;
        dev[best] = A;
        swaps++;
        improved = true;
      }
    }
  }
  return { dev, reached: devicesReached(tok, dev, D), swaps };
}

const tok = generate(Number(seedArg));
fs.writeFileSync(path.join(dir, `tokens-${E}-${K}-${N}.i16`), Buffer.from(tok.ids.buffer));
const C = coactivation(tok);
const t0 = performance.now();
const greedy = greedyPlacement(C, E, D);
const colocation = optimizePlacement(C, E, D, {
  starts: [greedy, contiguousPlacement(E, D), roundRobinPlacement(E, D)],
});
const t1 = performance.now();
const res = optimizeOnEvents(tok, E, D, { starts: [greedy, colocation] });
const t2 = performance.now();
const out: Record<string, unknown> = {
  experts: E,
  devices: D,
  k: K,
  tokens: N,
  aggregateMs: t1 - t0,
  eventsMs: t2 - t1,
  swaps: res.swaps,
  ctContiguous: devicesReached(tok, deviceOf(contiguousPlacement(E, D), E), D) / N,
  ctGreedy: devicesReached(tok, deviceOf(greedy, E), D) / N,
  ctColocation: devicesReached(tok, deviceOf(colocation, E), D) / N,
  ctOptimized: res.reached / N,
  fromStart: res.start,
  optimized: Array.from(deviceOf(res.placement, E)),
};
{
  // The worst start we know: round-robin ignores routing, so the search has the most swaps to make.
  const s0 = performance.now();
  const rr = optimizeOnEvents(tok, E, D, { starts: [roundRobinPlacement(E, D)] });
  Object.assign(out, {
    fromRoundRobinMs: performance.now() - s0,
    fromRoundRobinSwaps: rr.swaps,
    ctFromRoundRobin: rr.reached / N,
  });
}
if (naiveArg === "naive") {
  // Same start (greedy), ours and the reference: same move rule, so the same swaps and end point.
  const s0 = performance.now();
  const ours = optimizeOnEvents(tok, E, D, { starts: [greedy] });
  const s1 = performance.now();
  const ref = naiveSearch(tok, greedy);
  const s2 = performance.now();
  Object.assign(out, {
    oursFromGreedyMs: s1 - s0,
    naiveFromGreedyMs: s2 - s1,
    sameEndPoint: ref.dev.every((d, e) => d === deviceOf(ours.placement, E)[e]),
    oursSwaps: ours.swaps,
    naiveSwaps: ref.swaps,
  });
}
console.log(JSON.stringify(out));
