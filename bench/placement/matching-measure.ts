/**
 * Two experts per device (E = 2D), A5's exact case: the maximum-weight perfect matching on the
 * co-activation (lib/analysis/matching.ts) beside Occult's greedy grouping, on seeded random co-activation of E experts (heavy-tailed integer counts):
 *   npx esbuild bench/placement/matching-measure.ts --bundle --platform=node --alias:@=. --outfile=bench/out/matching.mjs && node bench/out/matching.mjs
 * Prints, per E, the times and each one's co-located sum (the matching's is the optimum).
 */
import { colocatedPairs, contiguousPlacement, roundRobinPlacement } from "@/lib/analysis/placement";
import { greedyPlacement, matchingPlacement, optimizePlacement } from "@/lib/analysis/placement-search";

for (const E of [16, 64, 128, 256]) {
  let x = E * 7 + 1;
  const r = () => (x = (x * 48271) % 2147483647) / 2147483647;
  const C = new Float64Array(E * E);
  for (let i = 0; i < E; i++)
    for (let j = i + 1; j < E; j++) C[i * E + j] = C[j * E + i] = Math.floor(r() ** 4 * 10000);
  const D = E / 2;
  const t0 = performance.now();
  const m = matchingPlacement(C, E);
  const t1 = performance.now();
  const g = greedyPlacement(C, E, D);
  const t2 = performance.now();
  // The "optimized" strategy as the API runs it (its E = 2D path is the matching).
  const all = optimizePlacement(C, E, D, { starts: [g, contiguousPlacement(E, D), roundRobinPlacement(E, D)] });
  const t3 = performance.now();
  console.log(
    JSON.stringify({
      experts: E,
      matchingMs: +(t1 - t0).toFixed(1),
      greedyMs: +(t2 - t1).toFixed(1),
      optimizedMs: +(t3 - t2).toFixed(1),
      matching: colocatedPairs(C, E, m),
      greedy: colocatedPairs(C, E, g),
      optimized: colocatedPairs(C, E, all),
    }),
  );
}
