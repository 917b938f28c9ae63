/**
 * bench/ingest: ingest throughput and peak RSS of MoE Atlas beside a numpy reference computing the
 * same aggregates from the same files, in one run, with the ratios.
 *
 *   npx tsx bench/ingest/run.ts [--scale 1] [--only mixtral,deepseek] [--formats npy,npz,...] [--keep]
 *
 * Needs Debian's python3-numpy (/usr/bin/python3) and Postgres 15 binaries (the store path runs
 * against a throwaway server started here). Files go to bench/out/ (git-ignored).
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    scale: { type: "string", default: "1" },
    only: { type: "string", default: "mixtral,deepseek" },
    formats: { type: "string", default: "npy,npz,npz-compressed,safetensors,jsonl" },
    keep: { type: "boolean", default: false },
  },
});
const ROOT = path.resolve(__dirname, "../..");
const OUT = path.join(ROOT, "bench/out");
const PY = process.env.ATLAS_PYTHON ?? "/usr/bin/python3";
const SHAPES: Record<string, [number, number, number]> = { mixtral: [32, 8, 2], deepseek: [58, 256, 8] };
const FILES: Record<string, string> = {
  npy: ".npy",
  npz: ".npz",
  "npz-compressed": "-compressed.npz",
  safetensors: ".safetensors",
  jsonl: ".jsonl",
};

interface Measure {
  seconds: number;
  events: number;
  peakRssMiB: number;
  checksum: Record<string, number>;
}

function json(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Measure {
  const r = spawnSync(cmd, args, { cwd: ROOT, env, encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

function main() {
  fs.mkdirSync(OUT, { recursive: true });
  const scale = values.scale!;
  const only = values.only!.split(",");
  const formats = values.formats!.split(",");
  console.log(`generating traces (scale ${scale}) in ${OUT} ...`);
  execFileSync(
    PY,
    [
      "bench/ingest/generate_traces.py",
      OUT,
      "--scale",
      scale,
      "--only",
      only.join(","),
      "--formats",
      formats.join(","),
    ],
    { cwd: ROOT, stdio: "inherit" },
  );

  // Bundled like the server bundles it: tsx's per-call module getters would slow the hot loops.
  const measure = path.join(OUT, "measure.mjs");
  execFileSync(
    path.join(ROOT, "node_modules/.bin/esbuild"),
    [
      "bench/ingest/measure.ts",
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
  const pgDir = path.join(os.tmpdir(), `atlas-bench-pg-${process.pid}`);
  const url = execFileSync(
    "bash",
    ["scripts/pg-test-server.sh", "start", pgDir, String(25000 + (process.pid % 5000))],
    { cwd: ROOT, encoding: "utf8" },
  ).trim();
  const rows: Record<string, unknown>[] = [];
  try {
    for (const shape of only) {
      const [L, E, K] = SHAPES[shape].map(String);
      for (const f of formats) {
        const file = path.join(OUT, `${shape}${FILES[f]}`);
        const size = fs.statSync(file).size;
        const ref = json(PY, ["bench/ingest/reference_numpy.py", file, L, E, K]);
        const parse = json(process.execPath, [measure, "parse", file, L, E, K]);
        const store = json(process.execPath, [measure, "store", file, L, E, K], { ...process.env, DATABASE_URL: url });
        for (const m of [parse, store]) {
          for (const key of Object.keys(ref.checksum)) {
            // The .npy holds ids only: no weights to sum; otherwise the sums must agree.
            if (Math.abs(m.checksum[key] - ref.checksum[key]) > 1e-6 * Math.max(1, Math.abs(ref.checksum[key]))) {
              throw new Error(`${file}: ${key} differs from numpy: ${m.checksum[key]} vs ${ref.checksum[key]}`);
            }
          }
        }
        const row = {
          shape,
          format: f,
          sizeMiB: Math.round(size / 1048576),
          events: parse.events,
          numpyS: +ref.seconds.toFixed(2),
          parseS: +parse.seconds.toFixed(2),
          storeS: +store.seconds.toFixed(2),
          parseEventsPerS: Math.round(parse.events / parse.seconds),
          parseAssignPerS: Math.round((parse.events * Number(K)) / parse.seconds),
          storeEventsPerS: Math.round(store.events / store.seconds),
          parseVsNumpy: +(ref.seconds / parse.seconds).toFixed(2),
          storeVsNumpy: +(ref.seconds / store.seconds).toFixed(2),
          rssNumpyMiB: Math.round(ref.peakRssMiB),
          rssParseMiB: Math.round(parse.peakRssMiB),
          rssStoreMiB: Math.round(store.peakRssMiB),
        };
        rows.push(row);
        console.log(JSON.stringify(row));
        if (!values.keep) fs.rmSync(file);
      }
    }
  } finally {
    execFileSync("bash", ["scripts/pg-test-server.sh", "stop", pgDir], { cwd: ROOT });
  }
  console.log(
    "\n| shape | format | MiB | events | numpy s | parse s | store s | parse ev/s | parse assign/s | store ev/s | parse ÷ numpy | store ÷ numpy | RSS numpy | RSS parse | RSS store |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const r of rows) console.log(`| ${Object.values(r).join(" | ")} |`);
  console.log(
    "\nratios are speed ratios: numpy time ÷ our time (≥ 1 means we are at least as fast). RSS in MiB (peak, whole process).",
  );
  fs.writeFileSync(path.join(OUT, `ingest-results-scale${scale}.json`), JSON.stringify(rows, null, 2));
}

main();
