/**
 * bench/tokens: the expert page's token answer (GET /api/runs/{id}/experts/{e}/tokens: top tokens
 * by count or lift, 16 example contexts and the same per label, EVTC) on a 256-expert layer of a
 * 10M-event run, against a numpy reference doing the counting from the raw arrays.
 *
 *   npx tsx bench/tokens/run.ts [--tokens 172414] [--requests 200] [--keep]
 *
 * Generates bench/tokens/generate_trace.py's trace (DeepSeek-V3 shape, token ids) into
 * /tmp/atlas-bench-tokens, ingests it with ingestUpload into a throwaway Postgres 15, calls the
 * route handler in-process for random (layer, expert, by) and prints p50/p95 and the ratio to numpy.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { stats } from "../explorer/stats";

const ROOT = path.resolve(__dirname, "../..");
const OUT = "/tmp/atlas-bench-tokens";
const PY = process.env.ATLAS_PYTHON ?? "/usr/bin/python3";
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};

async function* read(file: string): AsyncGenerator<Uint8Array> {
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) yield chunk as Uint8Array;
}

/** Seeded (layer, expert, by) requests: mulberry32 so runs are comparable. */
function requests(n: number) {
  let s = 12345;
  const next = () => {
    let t = (s = (s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: n }, () => ({
    layer: Math.floor(next() * 58),
    expert: Math.floor(next() * 256),
    by: next() < 0.5 ? "count" : "lift",
  }));
}

async function main() {
  const tokens = arg("tokens", 172_414);
  const nReq = arg("requests", 200);
  fs.mkdirSync(OUT, { recursive: true });
  const trace = path.join(OUT, `trace-${tokens}.npz`);
  const results: Record<string, unknown> = {
    tokens,
    events: tokens * 58,
    machine: `${os.cpus().length} x ${os.cpus()[0].model}`,
    node: process.version,
    loadavgStart: os.loadavg(),
  };
  if (!fs.existsSync(trace)) {
    const t0 = Date.now();
    execFileSync(PY, ["bench/tokens/generate_trace.py", trace, "--tokens", String(tokens)], {
      cwd: ROOT,
      stdio: "inherit",
    });
    results.generateS = (Date.now() - t0) / 1000;
  }
  const pgDir = path.join(os.tmpdir(), `atlas-bench-tokens-pg-${process.pid}`);
  const port = 25442 + 100 + (process.pid % 50);
  const url = execFileSync("bash", ["scripts/pg-test-server.sh", "start", pgDir, String(port)], {
    cwd: ROOT,
    encoding: "utf8",
  }).trim();
  process.env.DATABASE_URL = url;
  process.env.ATLAS_MAX_UPLOAD_BYTES = String(Number.MAX_SAFE_INTEGER);
  try {
    const { openDatabase } = await import("@/lib/db/client");
    const { createRunFromBody } = await import("@/lib/runs/create-run");
    const { ingestUpload } = await import("@/lib/ingest/ingest-upload");
    const database = await openDatabase(url);
    (globalThis as { __atlasDb?: Promise<unknown> }).__atlasDb = Promise.resolve(database);
    const run = await createRunFromBody(database.db, {
      name: "bench tokens: DeepSeek-V3, 10M events",
      model: { preset: "deepseek-v3" },
    });
    console.log("ingesting ...");
    let t0 = performance.now();
    const ing = await ingestUpload(database.db, run, read(trace), { fileName: path.basename(trace), format: "npz" });
    results.ingestS = (performance.now() - t0) / 1000;
    results.ingestEvents = ing.events;
    console.log(`  ${ing.events.toLocaleString()} events in ${(results.ingestS as number).toFixed(1)} s`);
    const sizes = execFileSync(
      "psql",
      [
        url,
        "-At",
        "-c",
        "select pg_size_pretty(pg_total_relation_size('upload_token_cells')), pg_size_pretty(pg_total_relation_size('upload_sequence_tokens')), (select count(*) from upload_token_cells)",
      ],
      { encoding: "utf8" },
    );
    results.tokenTables = sizes.trim();

    const { GET } = await import("@/app/api/runs/[id]/experts/[expert]/tokens/route");
    const reqs = requests(nReq);
    const call = async (r: (typeof reqs)[number]) => {
      const res = await GET(
        new Request(`http://bench/api/runs/${run.id}/experts/${r.expert}/tokens?layer=${r.layer}&by=${r.by}&limit=25`),
        {
          params: Promise.resolve({ id: run.id, expert: String(r.expert) }) as Promise<never>,
        },
      );
      if (res.status !== 200) throw new Error(`${res.status}: ${await res.text()}`);
      return res.json();
    };
    for (const r of reqs.slice(0, 10)) await call(r); // warm-up
    const ms: number[] = [];
    const answers: { tokens: { tokenId: number; count: number }[]; coverage: { evtc: number }; examples: unknown[] }[] =
      [];
    for (const r of reqs) {
      t0 = performance.now();
      answers.push(await call(r));
      ms.push(performance.now() - t0);
    }
    results.atlas = stats(ms);
    results.examplesPerAnswer = answers[0].examples.length;
    await database.close();

    const reqFile = path.join(OUT, "requests.json");
    fs.writeFileSync(reqFile, JSON.stringify(reqs));
    execFileSync(PY, ["bench/tokens/reference_numpy.py", trace, reqFile, path.join(OUT, "numpy.json")], {
      cwd: ROOT,
      stdio: "inherit",
    });
    const ref = JSON.parse(fs.readFileSync(path.join(OUT, "numpy.json"), "utf8"));
    results.numpy = stats(ref.ms);
    let mismatches = 0;
    reqs.forEach((r, i) => {
      const a = answers[i];
      const want = ref.answers[i];
      const got = r.by === "count" ? a.tokens.map((t) => [t.tokenId, t.count]) : a.tokens.map((t) => t.tokenId);
      if (
        JSON.stringify(got) !== JSON.stringify(r.by === "count" ? want.count : want.lift) ||
        a.coverage.evtc !== want.evtc
      )
        mismatches++;
    });
    results.mismatches = mismatches;
    results.ratioP95 = (results.atlas as { p95: number }).p95 / (results.numpy as { p95: number }).p95;
    results.loadavgEnd = os.loadavg();
    console.log(JSON.stringify(results, null, 2));
    fs.writeFileSync(path.join(OUT, "results.json"), JSON.stringify(results, null, 2));
  } finally {
    execFileSync("bash", ["scripts/pg-test-server.sh", "stop", pgDir], { cwd: ROOT, stdio: "inherit" });
    if (!process.argv.includes("--keep")) fs.rmSync(pgDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
