/**
 * bench/explorer: the layer explorer at DeepSeek-V3 scale. A 10M-event run (172,414 tokens x 58
 * MoE layers x top-8 of 256) is ingested through the real upload path into a throwaway Postgres 15,
 * then:
 *   - the explorer's API (GET /api/runs/{id}/layers/{layer}?normalization=X) is timed over HTTP
 *     against `next start` (the production server), and the same route handler in-process with a
 *     stage breakdown, beside a numpy reference computing the same answer from the same bytes;
 *   - the heatmap is drawn from real answers with components/viz/draw-heatmap.ts in headless
 *     Chromium, and the real explorer page is timed switching layers.
 *
 *   npx tsx bench/explorer/run.ts [--tokens 172414] [--requests 240] [--switches 30] [--keep] [--no-browser]
 *
 * Needs Debian's python3-numpy (/usr/bin/python3), Postgres 15 binaries, /usr/bin/chromium and a
 * production build in .next (built here with `next build` only when missing). `next start` runs
 * from a snapshot of .next under bench/out/explorer/server, so a concurrent rebuild of .next
 * cannot pull the server out from under the measurement. Files go to bench/out/explorer/.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { stats } from "./stats";

const { values: args } = parseArgs({
  options: {
    tokens: { type: "string", default: "172414" },
    requests: { type: "string", default: "240" },
    switches: { type: "string", default: "30" },
    keep: { type: "boolean", default: false },
    "no-browser": { type: "boolean", default: false },
  },
});
const ROOT = path.resolve(__dirname, "../..");
const OUT = path.join(ROOT, "bench/out/explorer");
const PY = process.env.ATLAS_PYTHON ?? "/usr/bin/python3";
const NODE = process.execPath;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function lastJson(cmd: string, argv: string[], env: NodeJS.ProcessEnv = process.env): Json {
  const r = spawnSync(cmd, argv, { cwd: ROOT, env, encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(" ")} failed:\n${r.stderr}\n${r.stdout}`);
  if (r.stderr.trim()) process.stderr.write(r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

function bundle(entry: string, outfile: string, browser = false) {
  const opts = browser
    ? ["--platform=browser", "--format=iife", "--minify"]
    : ["--platform=node", "--format=esm", "--packages=external"];
  execFileSync(
    path.join(ROOT, "node_modules/.bin/esbuild"),
    [entry, "--bundle", ...opts, `--outfile=${outfile}`, "--alias:@=.", "--log-level=warning"],
    {
      cwd: ROOT,
      stdio: "inherit",
    },
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

/** A snapshot of the production build to serve from (symlinks to everything else it reads). */
function serverDir(): { dir: string; buildId: string; builtAt: string } {
  const next = path.join(ROOT, ".next");
  if (!fs.existsSync(path.join(next, "BUILD_ID"))) {
    console.log("no production build in .next: running `next build` ...");
    execFileSync("npx", ["next", "build"], { cwd: ROOT, stdio: "inherit" });
  }
  const dir = path.join(OUT, "server");
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.cpSync(next, path.join(dir, ".next"), {
    recursive: true,
    filter: (src) => !src.startsWith(path.join(next, "cache")),
  });
  for (const f of ["node_modules", "public", "lib", "package.json", "next.config.js"])
    fs.symlinkSync(path.join(ROOT, f), path.join(dir, f));
  const buildId = fs.readFileSync(path.join(dir, ".next/BUILD_ID"), "utf8").trim();
  return { dir, buildId, builtAt: fs.statSync(path.join(next, "BUILD_ID")).mtime.toISOString() };
}

async function startNext(dir: string, port: number, databaseUrl: string): Promise<ChildProcess> {
  const child = spawn(
    NODE,
    [path.join(ROOT, "node_modules/next/dist/bin/next"), "start", "-H", "127.0.0.1", "-p", String(port)],
    {
      cwd: dir,
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        ATLAS_DEMO: "0",
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  const log = fs.createWriteStream(path.join(OUT, "next-start.log"));
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  for (let i = 0; i < 120; i++) {
    if (child.exitCode !== null)
      throw new Error(`next start exited with ${child.exitCode}; see ${path.join(OUT, "next-start.log")}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/models/presets`);
      if (res.ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("next start did not answer in 60 s");
}

const f = (x: number, d = 1) =>
  x === undefined || Number.isNaN(x)
    ? "–"
    : x.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
const row = (name: string, s: Json, extra = "") =>
  `| ${name} | ${s.n} | ${f(s.p50)} | ${f(s.p95)} | ${f(s.p99)} | ${f(s.max)} | ${extra} |`;

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  const tokens = Number(args.tokens);
  const nReq = Number(args.requests);
  const trace = path.join(OUT, `deepseek-v3-${tokens}.npy`);
  const results: Json = {
    tokens,
    events: tokens * 58,
    machine: `${os.cpus().length} x ${os.cpus()[0].model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    loadavgStart: os.loadavg(),
  };

  if (!fs.existsSync(trace)) {
    console.log(`generating ${trace} ...`);
    const t0 = Date.now();
    execFileSync(PY, ["bench/explorer/generate_trace.py", trace, "--tokens", String(tokens)], {
      cwd: ROOT,
      stdio: "inherit",
    });
    results.generateS = (Date.now() - t0) / 1000;
  }
  const measure = path.join(OUT, "measure.mjs");
  const browserJs = path.join(OUT, "browser.mjs");
  const pageJs = path.join(OUT, "heatmap-page.js");
  bundle("bench/explorer/measure.ts", measure);
  bundle("bench/explorer/browser.ts", browserJs);
  bundle("bench/explorer/heatmap-page.ts", pageJs, true);

  const pgDir = path.join(os.tmpdir(), `atlas-bench-explorer-pg-${process.pid}`);
  const pgPort = await freePort();
  const url = execFileSync("bash", ["scripts/pg-test-server.sh", "start", pgDir, String(pgPort)], {
    cwd: ROOT,
    encoding: "utf8",
  }).trim();
  const env = { ...process.env, DATABASE_URL: url };
  let server: ChildProcess | undefined;
  try {
    console.log("ingesting through ingestUpload into Postgres 15 ...");
    const ingest = lastJson(NODE, [measure, "ingest", trace], env);
    results.ingest = ingest;
    console.log(
      `  ${ingest.events.toLocaleString()} events, ${ingest.tokens.toLocaleString()} tokens in ${ingest.seconds.toFixed(1)} s (run ${ingest.runId})`,
    );
    const pgSize = execFileSync(
      "psql",
      [
        url,
        "-At",
        "-c",
        "select pg_size_pretty(pg_total_relation_size('layer_aggregates')), pg_size_pretty(pg_total_relation_size('event_chunks'))",
      ],
      { encoding: "utf8" },
    );
    results.pgSizes = pgSize.trim();

    console.log("in-process: route handler and stages ...");
    results.inproc = lastJson(NODE, [measure, "inproc", ingest.runId, OUT, String(nReq)], env);
    console.log("numpy reference ...");
    results.numpy = lastJson(PY, [
      "bench/explorer/reference_numpy.py",
      path.join(OUT, "ref"),
      ...results.inproc.refLayers.map(String),
    ]);

    const snap = serverDir();
    results.build = { buildId: snap.buildId, builtAt: snap.builtAt };
    const port = await freePort();
    console.log(`next start on :${port} (build ${snap.buildId}, built ${snap.builtAt}) ...`);
    server = await startNext(snap.dir, port, url);
    const base = `http://127.0.0.1:${port}`;
    console.log("HTTP ...");
    results.http = lastJson(NODE, [measure, "http", base, ingest.runId, OUT, String(nReq)]);
    if (!args["no-browser"]) {
      console.log("Chromium: heatmap draws ...");
      results.heatmap = lastJson(NODE, [browserJs, "heatmap", OUT, pageJs]);
      // The explorer page both ways in the same run: JSON answers (the old path), then binary frames,
      // then both again, so a burst of load on the shared machine does not land on one side only.
      console.log("Chromium: the explorer page, layer switches, JSON and frames ...");
      const env2 = { ...process.env, ATLAS_BENCH_OUT: OUT };
      const half = String(Math.ceil(Number(args.switches) / 2) + 2);
      // A run that fails (a switch never drawn) is recorded with its error, not allowed to lose the rest.
      const runs = ["json", "frame", "json", "frame"].flatMap((t) => {
        try {
          return [lastJson(NODE, [browserJs, "explorer", base, ingest.runId, half, t], env2)];
        } catch (e) {
          (results.explorerErrors ??= []).push(`${t}: ${(e as Error).message.slice(0, 2000)}`);
          console.error(`explorer run (${t}) failed: ${(e as Error).message.slice(0, 2000)}`);
          return [];
        }
      });
      results.explorer = Object.fromEntries(
        (["json", "frame"] as const).map((t) => {
          const mine = runs.filter((r) => r.transport === t);
          if (mine.length === 0) return [t, null];
          const pool = (k: string) => stats(mine.flatMap((r) => r.raw[k]));
          return [
            t,
            {
              transport: t,
              switches: mine.reduce((s, r) => s + r.raw.toDrawn.length, 0),
              size: mine[0].size,
              toDrawn: pool("toDrawn"),
              toNextFrame: pool("toNextFrame"),
              fetch: pool("fetch"),
              beforeFetch: pool("beforeFetch"),
              afterFetch: pool("afterFetch"),
              longTasks: pool("longTasks"),
            },
          ];
        }),
      );
    }
  } finally {
    if (server?.pid) {
      try {
        process.kill(-server.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
    execFileSync("bash", ["scripts/pg-test-server.sh", "stop", pgDir], { cwd: ROOT });
    fs.rmSync(path.join(OUT, "server"), { recursive: true, force: true });
    if (!args.keep) fs.rmSync(trace, { force: true });
  }
  results.loadavgEnd = os.loadavg();
  results.finishedAt = new Date().toISOString();
  fs.writeFileSync(path.join(OUT, "results.json"), JSON.stringify(results, null, 2));
  // Every run is kept too: on a shared machine, runs differ with what else is running.
  fs.writeFileSync(
    path.join(OUT, `results-${results.finishedAt.replace(/[:.]/g, "-")}.json`),
    JSON.stringify(results, null, 2),
  );
  report(results);
}

function report(r: Json) {
  const lines: string[] = [];
  const p = (s = "") => lines.push(s);
  p(
    `${r.events.toLocaleString()} events (${r.tokens.toLocaleString()} tokens x 58 layers, top-8 of 256); ingest ${r.ingest.seconds.toFixed(1)} s; ${r.machine}, Node ${r.node}; load average at start ${r.loadavgStart.map((x: number) => x.toFixed(2)).join(" ")}, at end ${r.loadavgEnd.map((x: number) => x.toFixed(2)).join(" ")}`,
  );
  p();
  p("| what (ms) | n | p50 | p95 | p99 | max | notes |");
  p("|---|---|---|---|---|---|---|");
  const h = r.http;
  if (h) {
    p(
      row(
        "HTTP layer, `next start`, gzip JSON",
        h.layer.ms,
        `${f(h.layer.wireBytes.p50 / 1024, 0)} KiB on the wire (${h.layer.encoding}); cold first request ${f(h.cold.ms)} ms`,
      ),
    );
    for (const [norm, s] of Object.entries(h.layer.byNorm as Json))
      p(row(`  normalization=${norm}`, s.ms, `${f(s.wireBytes.p50 / 1024, 0)} KiB`));
    p(
      row(
        "HTTP layer frame (binary), same sequence, interleaved",
        h.frame.ms,
        `${f(h.frame.wireBytes.p50 / 1024, 0)} KiB on the wire (${h.frame.encoding}); cold first request ${f(h.coldFrame.ms)} ms`,
      ),
    );
    for (const [norm, s] of Object.entries(h.frame.byNorm as Json))
      p(row(`  normalization=${norm}`, s.ms, `${f(s.wireBytes.p50 / 1024, 0)} KiB`));
    p(row("HTTP layer, identity JSON", h.layerIdentity.ms, `${f(h.layerIdentity.wireBytes.p50 / 1024, 0)} KiB`));
    p(
      row(
        "HTTP experts?layer=",
        h.experts.ms,
        `${f(h.experts.wireBytes.p50 / 1024, 0)} KiB ${h.experts.encoding} (${f(h.experts.decodedBytes / 1024, 0)} KiB JSON)`,
      ),
    );
    p(
      row(
        "HTTP balance",
        h.balance.ms,
        `${f(h.balance.wireBytes.p50 / 1024, 0)} KiB ${h.balance.encoding} (${f(h.balance.decodedBytes / 1024, 0)} KiB JSON)`,
      ),
    );
    p(row("HTTP explorer page (HTML)", h.page.ms, `${f(h.page.wireBytes.p50 / 1024, 0)} KiB ${h.page.encoding}`));
  }
  const i = r.inproc;
  p(row("in-process route handler, JSON", i.handler, `${f(i.responseBytes.p50 / 1024, 0)} KiB JSON`));
  p(row("in-process route handler, frame", i.frameHandler, `${f(i.frameBytes.p50 / 1024, 0)} KiB frame`));
  for (const [k, s] of Object.entries(i.stages as Json))
    p(
      row(
        `  stage ${k}`,
        s,
        k === "candidate"
          ? `sketch of the fixes: ${f(i.candidateBytes.p50 / 1024, 0)} KiB JSON, ${f(i.candidateGzBytes.p50 / 1024, 0)} KiB gzip -1`
          : "",
      ),
    );
  const n = r.numpy.stages;
  for (const [k, s] of Object.entries(n as Json)) p(row(`  numpy ${k}`, s));
  const ours = {
    compute: i.stages.normalize.p50 + i.stages.balance.p50,
    serialize: i.stages.toRows.p50 + i.stages.stringify.p50,
  };
  p();
  p(
    `numpy ÷ ours (p50, ≥ 1: we are faster): compute ${f(n.compute.p50 / ours.compute, 2)}; build + serialize the JSON ${f(n.serialize.p50 / ours.serialize, 2)}; JSON bytes numpy ${r.numpy.jsonBytes.numpy} vs ours ${r.numpy.jsonBytes.ours}`,
  );
  if (r.heatmap) {
    const m = r.heatmap;
    p();
    p(
      `Chromium ${m.chromium}, ${m.geometry.size}x${m.geometry.size} px canvas (cell ${m.geometry.cell} px); probe pixel ${m.probe}`,
    );
    p("| what (ms) | n | p50 | p95 | p99 | max | notes |");
    p("|---|---|---|---|---|---|---|");
    for (const scale of ["linear", "log", "frameLinear", "frameLog"]) {
      p(
        row(
          `full draw, ${scale}`,
          m.full[scale],
          scale.startsWith("frame")
            ? "view prep on the frame's typed array + drawHeatmap"
            : "view prep (flatten the JSON rows) + drawHeatmap",
        ),
      );
      p(row(`  drawHeatmap only, ${scale}`, m.drawOnly[scale]));
      p(row(`  full draw + getImageData, ${scale}`, m.fullWithReadback[scale]));
      p(row(`  first draw in a fresh page, ${scale}`, m.cold[scale]));
    }
    p(row("JSON.parse of the answer", m.parseAnswer));
    p(row("decodeLayerFrame of the frame", m.decodeFrame));
    p(row("Node: view prep + rasterize, linear", r.inproc.nodeRaster.linear));
    p(row("Node: view prep + rasterize, log", r.inproc.nodeRaster.log));
  }
  for (const e of r.explorerErrors ?? []) p(`explorer run failed: ${e}`);
  for (const x of Object.values((r.explorer ?? {}) as Json).filter(Boolean)) {
    p(
      row(
        `explorer page (${x.transport}): ArrowRight → canvas drawn`,
        x.toDrawn,
        `${x.switches} switches in 2 runs, first 2 of each dropped; ${f(x.size.transfer / 1024, 0)} KiB transferred, ${f(x.size.decoded / 1024, 0)} KiB decoded`,
      ),
    );
    p(row("  … → next frame", x.toNextFrame));
    p(row("  keypress → request starts", x.beforeFetch));
    p(row("  request (resource timing)", x.fetch));
    p(row("  response end → canvas drawn", x.afterFetch, "decode, React render, draw"));
    p(row("  long tasks (> 50 ms) per switch", x.longTasks, "main thread blocked"));
  }
  const text = lines.join("\n");
  console.log(`\n${text}`);
  fs.writeFileSync(path.join(OUT, "results.md"), `${text}\n`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
