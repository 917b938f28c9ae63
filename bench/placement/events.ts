/**
 * bench/placement/events.ts: A5's C_T search on raw events beyond top-2 (lib/analysis/placement-events.ts)
 * at real scale, 256 experts, top-8, 1e5 to 1e6 tokens a layer, beside a reference, with ratios:
 *
 *   npx tsx bench/placement/events.ts [--tokens 100000,1000000] [--naive-tokens 20000]
 *
 * For each size: the lab's "optimized" search (starts: Occult's greedy grouping and the co-location
 * optimum, as strategyPlacement runs it) timed, C_T of contiguous / greedy / co-location / optimized
 * counted on the events; numpy (bench/placement/events_check_numpy.py) recounts C_T of the result
 * and checks that no swap lowers it, from per-token device counts it builds itself. At --naive-tokens
 * the same search from the greedy start runs beside the reference (the same move rule with each
 * swap's change counted directly on the tokens of the two experts), which must reach the same end
 * point; the ratio is its time over ours. Data goes to bench/out/placement-events/ (removed after).
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    tokens: { type: "string", default: "100000,1000000" },
    "naive-tokens": { type: "string", default: "20000" },
    experts: { type: "string", default: "256" },
    devices: { type: "string", default: "32,64" },
    k: { type: "string", default: "8" },
  },
});
const ROOT = path.resolve(__dirname, "../..");
const OUT = path.join(ROOT, "bench/out");
const DATA = path.join(OUT, "placement-events");
const PY = process.env.ATLAS_PYTHON ?? "/usr/bin/python3";

function run(args: string[], input?: string) {
  const r = spawnSync(args[0], args.slice(1), { cwd: ROOT, encoding: "utf8", input, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${args.join(" ")} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

function main() {
  fs.mkdirSync(DATA, { recursive: true });
  const measure = path.join(OUT, "placement-events-measure.mjs");
  execFileSync(
    path.join(ROOT, "node_modules/.bin/esbuild"),
    [
      "bench/placement/events-measure.ts",
      "--bundle",
      "--platform=node",
      "--format=esm",
      `--outfile=${measure}`,
      "--alias:@=.",
      "--packages=external",
      "--log-level=warning",
    ],
    { cwd: ROOT, stdio: "inherit" },
  );
  const E = Number(values.experts);
  const K = Number(values.k);
  const rows: Record<string, unknown>[] = [];
  const sizes: [number, boolean][] = [
    ...values["naive-tokens"]!.split(",").map((n) => [Number(n), true] as [number, boolean]),
    ...values.tokens!.split(",").map((n) => [Number(n), false] as [number, boolean]),
  ];
  for (const D of values.devices!.split(",").map(Number)) {
    for (const [N, naive] of sizes) {
      const r = run([
        process.execPath,
        "--max-old-space-size=4096",
        measure,
        DATA,
        String(E),
        String(D),
        String(K),
        String(N),
        "7",
        ...(naive ? ["naive"] : []),
      ]);
      const check = run(
        [
          PY,
          "bench/placement/events_check_numpy.py",
          path.join(DATA, `tokens-${E}-${K}-${N}.i16`),
          String(E),
          String(D),
          String(K),
          String(N),
        ],
        JSON.stringify(r.optimized),
      );
      if (Math.abs(check.ct - r.ctOptimized) > 1e-12)
        throw new Error(`C_T differs from numpy's recount: ${r.ctOptimized} vs ${check.ct}`);
      if (check.minDelta < 0) throw new Error(`numpy finds a swap lowering C_T by ${-check.minDelta / N}`);
      if (r.ctOptimized > r.ctGreedy) throw new Error("optimized is worse than greedy");
      if (naive && !r.sameEndPoint) throw new Error("the reference search ended elsewhere");
      const row = {
        experts: E,
        devices: D,
        k: K,
        tokens: N,
        ctContiguous: +r.ctContiguous.toFixed(4),
        ctGreedy: +r.ctGreedy.toFixed(4),
        ctColocation: +r.ctColocation.toFixed(4),
        ctOptimized: +r.ctOptimized.toFixed(4),
        vsGreedy: `${(((r.ctOptimized - r.ctGreedy) / r.ctGreedy) * 100).toFixed(1)}%`,
        aggregateMs: Math.round(r.aggregateMs),
        eventsMs: Math.round(r.eventsMs),
        swaps: r.swaps,
        fromRoundRobin: `${Math.round(r.fromRoundRobinMs)} ms, ${r.fromRoundRobinSwaps} swaps, C_T ${r.ctFromRoundRobin.toFixed(4)}`,
        numpyCheck: `ok (${check.pairs} swaps, min Δ ${check.minDelta})`,
        oursFromGreedyMs: naive ? Math.round(r.oursFromGreedyMs) : "",
        referenceFromGreedyMs: naive ? Math.round(r.naiveFromGreedyMs) : "",
        ratio: naive ? +(r.naiveFromGreedyMs / r.oursFromGreedyMs).toFixed(1) : "",
      };
      console.log(JSON.stringify(row));
      rows.push(row);
    }
  }
  console.log(
    `\n| ${Object.keys(rows[0]).join(" | ")} |\n|${Object.keys(rows[0])
      .map(() => "---")
      .join("|")}|`,
  );
  for (const r of rows) console.log(`| ${Object.values(r).join(" | ")} |`);
  fs.writeFileSync(path.join(OUT, "placement-events-results.json"), JSON.stringify(rows, null, 2));
  fs.rmSync(DATA, { recursive: true });
}

main();
