/**
 * bench/placement: A6 routing simulations (C2R, device-limited, expert dropping) and A5 placement
 * search (Occult's greedy grouping, our swap optimizer) of MoE Atlas beside a numpy reference of the
 * same algorithms on the same data, in one run, with the ratios. Every row is checked: both sides
 * must produce the same routing aggregates / the same placements before a number is reported.
 *
 *   npx tsx bench/placement/run.ts [--scale 1] [--only sim,place] [--repeat 3] [--keep]
 *
 * Each measurement runs --repeat times, numpy and ours alternating, each in a fresh process; the
 * fastest of the repeats counts (per layer for placements), which damps noise from other work on
 * the machine. Every repeat is checked.
 *
 * Needs Debian's python3-numpy (/usr/bin/python3). Data goes to bench/out/placement/ (git-ignored).
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    scale: { type: "string", default: "1" },
    only: { type: "string", default: "sim,place" },
    keep: { type: "boolean", default: false },
    repeat: { type: "string", default: "3" },
  },
});
const ROOT = path.resolve(__dirname, "../..");
const OUT = path.join(ROOT, "bench/out");
const DATA = path.join(OUT, "placement");
const PY = process.env.ATLAS_PYTHON ?? "/usr/bin/python3";

/** Simulations per routing shape; ctDevices = the contiguous placement C_T is counted on. */
const SIMS: [string, SimParams][] = [
  ["mixtral", { kind: "c2r", topT: 3, ctDevices: 4 }],
  ["mixtral", { kind: "device-limited", devices: 4, maxDevices: 1, ctDevices: 4 }],
  ["mixtral", { kind: "drop", ctDevices: 4 }],
  ["deepseek", { kind: "c2r", topT: 16, ctDevices: 64 }],
  ["deepseek", { kind: "device-limited", devices: 8, maxDevices: 4, ctDevices: 64 }],
  ["deepseek", { kind: "drop", ctDevices: 64 }],
];
/** Placement searches: co-activation set, devices. */
const PLACES: [string, number, string][] = [
  ["p256", 64, "planted, 256 experts"],
  ["deepseek", 64, "DeepSeek-shape trace, 256 experts"],
  ["p64", 8, "planted, 64 experts"],
];

type SimParams =
  | { kind: "c2r"; topT: number; ctDevices: number }
  | { kind: "device-limited"; devices: number; maxDevices: number; ctDevices: number }
  | { kind: "drop"; ctDevices: number };
/** What measure.ts and reference_numpy.py print for one simulation. */
interface SimResult {
  seconds: number;
  collabSeconds: number;
  events: number;
  tokens: number[];
  flipped: number[];
  massNew: number[];
  massOld: number[];
  load: number[];
  weightSum: number[];
  coSum: number[];
  coCheck: number[];
  reached: number[];
  collab: number[];
}
const EXACT = ["tokens", "flipped", "load", "coSum", "coCheck", "reached", "collab"] as const;
/** ... and for one layer of a placement search. */
interface PlaceLayer {
  greedyMs: number;
  optimizeMs: number;
  totalMs: number;
  total: number;
  contiguous: number;
  roundRobin: number;
  greedy: number;
  optimized: number;
  greedyPlacement: number[][];
  optimizedPlacement: number[][];
}
type Timing = "greedyMs" | "totalMs";
type Objective = "contiguous" | "roundRobin" | "greedy" | "optimized";
type Row = Record<string, string | number | boolean>;

function json<T>(cmd: string, args: string[]): T {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
const mean = (xs: number[]) => sum(xs) / xs.length;
const fmt = (x: number, d = 0) => x.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });

function same(label: string, a: number[], b: number[], rel = 0) {
  if (a.length !== b.length) throw new Error(`${label}: ${a.length} values vs numpy's ${b.length}`);
  for (let i = 0; i < a.length; i++) {
    const tol = rel * Math.max(1, Math.abs(b[i]));
    if (Math.abs(a[i] - b[i]) > tol) throw new Error(`${label}[${i}] differs from numpy: ${a[i]} vs ${b[i]}`);
  }
}

const REPEAT = Math.max(1, Number(values.repeat));

/** Runs numpy and ours REPEAT times, alternating; returns every result of each. */
function repeated<T>(args: string[], measure: string): [T[], T[]] {
  const refs: T[] = [];
  const ours: T[] = [];
  for (let i = 0; i < REPEAT; i++) {
    refs.push(json<T>(PY, ["bench/placement/reference_numpy.py", ...args]));
    ours.push(json<T>(process.execPath, [measure, ...args]));
  }
  return [refs, ours];
}

const fastest = (runs: SimResult[]) => runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));

const retained = (r: SimResult): number[] => r.massNew.map((x, l) => x / r.massOld[l]);

/** Integer results must be identical; float sums agree to rounding. */
function simCheck(tag: string, ours: SimResult, ref: SimResult) {
  for (const k of EXACT) same(`${tag} ${k}`, ours[k], ref[k]);
  same(`${tag} weightSum`, ours.weightSum, ref.weightSum, 1e-6);
  same(`${tag} massRetained`, retained(ours), retained(ref), 1e-6);
}

function simRow(shape: string, params: SimParams, measure: string): Row {
  const p = JSON.stringify(params);
  const [refs, ourRuns] = repeated<SimResult>(["sim", DATA, shape, p], measure);
  const tag = `${shape} ${params.kind}`;
  for (const r of [...refs, ...ourRuns]) simCheck(tag, r, refs[0]);
  const ref = fastest(refs);
  const ours = fastest(ourRuns);
  const rOurs = retained(ours);
  const rRef = retained(ref);
  const maxDiff = Math.max(...rOurs.map((x, l) => Math.abs(x - rRef[l])));
  const flipRate = mean(ours.flipped.map((f, l) => f / ours.tokens[l]));
  const row = {
    shape,
    simulation:
      params.kind +
      (params.kind === "c2r"
        ? ` T=${params.topT}`
        : params.kind === "device-limited"
          ? ` ${params.maxDevices} of ${params.devices}`
          : ""),
    events: ours.events,
    numpyS: +ref.seconds.toFixed(2),
    oursS: +ours.seconds.toFixed(2),
    numpyEvPerS: Math.round(ref.events / ref.seconds),
    oursEvPerS: Math.round(ours.events / ours.seconds),
    ratio: +(ref.seconds / ours.seconds).toFixed(2),
    topTms:
      params.kind === "c2r"
        ? `${(ours.collabSeconds * 1000).toFixed(1)} / ${(ref.collabSeconds * 1000).toFixed(1)}`
        : "",
    flipRate: +flipRate.toFixed(4),
    massRetained: +mean(rOurs).toFixed(4),
    maxRetainedDiff: maxDiff.toExponential(1),
  };
  console.log(JSON.stringify(row));
  return row;
}

function placeRow(set: string, devices: number, what: string, measure: string): Row {
  const [refs, ourRuns] = repeated<{ layers: PlaceLayer[] }>(["place", DATA, set, String(devices)], measure);
  const ours = ourRuns[0];
  const ref = refs[0];
  const L = ours.layers.length;
  let beatsGreedy = 0;
  for (const run of [...refs.slice(1), ...ourRuns.slice(1)]) {
    run.layers.forEach((x, l) => {
      if (JSON.stringify(x.optimizedPlacement) !== JSON.stringify(ref.layers[l].optimizedPlacement))
        throw new Error(`${set}/${devices} layer ${l}: a repeat differs`);
    });
  }
  ours.layers.forEach((o, l) => {
    const r = ref.layers[l];
    for (const k of ["contiguous", "roundRobin", "greedy", "optimized"] as const)
      same(`${set}/${devices} layer ${l} ${k}`, [o[k]], [r[k]], 1e-12);
    if (JSON.stringify(o.greedyPlacement) !== JSON.stringify(r.greedyPlacement))
      throw new Error(`${set}/${devices} layer ${l}: greedy placement differs from numpy`);
    if (JSON.stringify(o.optimizedPlacement) !== JSON.stringify(r.optimizedPlacement))
      throw new Error(`${set}/${devices} layer ${l}: optimized placement differs from numpy`);
    if (o.optimized < o.greedy) throw new Error(`${set}/${devices} layer ${l}: optimized is worse than greedy`);
    if (o.optimized > o.greedy) beatsGreedy++;
  });
  // Per layer, the fastest of the repeats.
  const col = (runs: { layers: PlaceLayer[] }[], k: Timing) =>
    ours.layers.map((_, l) => Math.min(...runs.map((x) => x.layers[l][k])));
  const worst = Math.max(...ourRuns.flatMap((r) => r.layers.map((x) => x.totalMs)));
  const share = (k: Objective) => mean(ours.layers.map((x) => x[k] / x.total));
  const row = {
    set: what,
    experts: set === "p64" ? 64 : 256,
    devices,
    layers: L,
    greedyMsNumpy: +mean(col(refs, "greedyMs")).toFixed(1),
    greedyMsOurs: +mean(col(ourRuns, "greedyMs")).toFixed(1),
    greedyRatio: +(mean(col(refs, "greedyMs")) / mean(col(ourRuns, "greedyMs"))).toFixed(2),
    optimizedMsNumpy: +mean(col(refs, "totalMs")).toFixed(1),
    optimizedMsOurs: +mean(col(ourRuns, "totalMs")).toFixed(1),
    // worst layer of any repeat (the first layer of each process includes V8's warm-up)
    optimizedMaxMsOurs: +worst.toFixed(1),
    optimizedRatio: +(mean(col(refs, "totalMs")) / mean(col(ourRuns, "totalMs"))).toFixed(2),
    colocatedContiguous: +share("contiguous").toFixed(4),
    colocatedGreedy: +share("greedy").toFixed(4),
    colocatedOptimized: +share("optimized").toFixed(4),
    layersBeatingGreedy: `${beatsGreedy}/${L}`,
    underOneSecond: worst < 1000,
  };
  console.log(JSON.stringify(row));
  return row;
}

function table(rows: Row[], head: string[]) {
  console.log(`\n| ${head.join(" | ")} |`);
  console.log(`|${head.map(() => "---").join("|")}|`);
  for (const r of rows)
    console.log(
      `| ${Object.values(r)
        .map((v) => (typeof v === "number" && Math.abs(v) >= 1000 ? fmt(v) : v))
        .join(" | ")} |`,
    );
}

function main() {
  fs.mkdirSync(OUT, { recursive: true });
  const only = values.only!.split(",");
  console.log(`generating data (scale ${values.scale}) in ${DATA} ...`);
  execFileSync(PY, ["bench/placement/generate.py", DATA, "--scale", values.scale!], { cwd: ROOT, stdio: "inherit" });
  // Bundled like the server bundles it: tsx's per-call module getters would slow the hot loops.
  const measure = path.join(OUT, "placement-measure.mjs");
  execFileSync(
    path.join(ROOT, "node_modules/.bin/esbuild"),
    [
      "bench/placement/measure.ts",
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
  const sims = only.includes("sim") ? SIMS.map(([shape, p]) => simRow(shape, p, measure)) : [];
  const places = only.includes("place") ? PLACES.map(([set, d, what]) => placeRow(set, d, what, measure)) : [];
  if (sims.length) {
    table(sims, [
      "shape",
      "simulation",
      "events",
      "numpy s",
      "ours s",
      "numpy ev/s",
      "ours ev/s",
      "numpy ÷ ours",
      "TopT ms ours / numpy",
      "flip rate",
      "mass retained",
      "max Δ retained",
    ]);
  }
  if (places.length) {
    table(places, [
      "co-activation",
      "experts",
      "devices",
      "layers",
      "greedy ms numpy",
      "greedy ms ours",
      "greedy numpy ÷ ours",
      "optimized ms numpy",
      "optimized ms ours",
      "optimized max ms ours",
      "optimized numpy ÷ ours",
      "co-located contiguous",
      "co-located greedy",
      "co-located optimized",
      "layers optimized > greedy",
      "< 1 s/layer",
    ]);
  }
  console.log(
    "\nratios are numpy time ÷ our time (≥ 1: we are at least as fast). Both sides' results were checked equal.",
  );
  fs.writeFileSync(
    path.join(OUT, `placement-results-scale${values.scale}.json`),
    JSON.stringify({ sims, places }, null, 2),
  );
  if (!values.keep) fs.rmSync(DATA, { recursive: true });
}

main();
