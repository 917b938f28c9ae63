/**
 * bench/adversarial: does anyone feel a hostile or huge upload? `/api/health` is timed every 25 ms
 * on fresh connections while each upload runs against a production server (`next start`, embedded
 * database), beside the same probe on the idle server as the reference, with the ratios.
 *
 *   npx tsx bench/adversarial/run.ts [--port 3470] [--mb 100] [--db pglite,postgres]
 *
 * Needs a build (`npx next build`), and Postgres 15 binaries for the Postgres server it starts. Uploads: one line of 100 MB (refused as too long), one of
 * 32 MB, a DeepSeek-V3 aggregate shard with co-activation and transitions (accepted), a JSONL of
 * lines just under the 4 MiB limit (accepted), and a 530 MiB aggregate (an extra field of 530
 * numbers 1 MiB of whitespace apart: past V8's 512 MiB string limit).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { stats, type Stats } from "../explorer/stats";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "3470" },
    mb: { type: "string", default: "100" },
    db: { type: "string", default: "pglite,postgres" },
  },
});
const ROOT = path.resolve(__dirname, "../..");
const PORT = Number(values.port);
const BASE = `http://127.0.0.1:${PORT}`;

function request(
  method: string,
  url: string,
  body?: AsyncIterable<Uint8Array> | string,
): Promise<{ status: number; text: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method,
        agent: false,
        headers:
          body && typeof body !== "string"
            ? { "transfer-encoding": "chunked" }
            : { "content-type": "application/json" },
      },
      (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode!, text, ms: performance.now() - t0 }));
      },
    );
    req.on("error", reject);
    if (typeof body === "string") req.end(body);
    else if (body) {
      (async () => {
        try {
          for await (const c of body) if (!req.write(c)) await new Promise((r) => req.once("drain", r));
          req.end();
        } catch (e) {
          req.destroy(e as Error);
        }
      })();
    } else req.end();
  });
}

/** Health latencies while `work` runs (and at least `minMs`). */
async function probeDuring(work: Promise<unknown>, minMs = 0): Promise<Stats> {
  let done = false;
  const settled = work.finally(() => (done = true));
  const t0 = performance.now();
  const lat: number[] = [];
  while (!done || performance.now() - t0 < minMs) {
    lat.push((await request("GET", `${BASE}/api/health`)).ms);
    await new Promise((r) => setTimeout(r, 25));
  }
  await settled.catch(() => undefined);
  return stats(lat);
}

async function* repeat(chunk: Uint8Array, bytes: number, head?: Uint8Array, tail?: Uint8Array) {
  if (head) yield head;
  for (let sent = 0; sent < bytes; sent += chunk.length) yield chunk;
  if (tail) yield tail;
}

async function* padded() {
  yield Buffer.from(
    '{"format": "moe-atlas.aggregate.v1", "shard": "pad", "layers": [{"layer": 0, "load": [' +
      "1, ".repeat(255) +
      '1]}], "pad": [',
  );
  const gap = new Uint8Array(1 << 20).fill(0x20);
  for (let k = 0; k < 530; k++) {
    yield gap;
    yield Buffer.from("0,");
  }
  yield Buffer.from("0]}");
}

function deepseekAggregate(): string {
  const L = 58;
  const E = 256;
  let seed = 1;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const layers = Array.from({ length: L }, (_, l) => {
    const load = Array.from({ length: E }, () => 100_000 + Math.floor(rand() * 10_000));
    const co = Array.from({ length: E }, () => new Array<number>(E).fill(0));
    for (let i = 0; i < E; i++) for (let j = i + 1; j < E; j++) co[i][j] = co[j][i] = Math.floor(rand() * 2000);
    const tr =
      l < L - 1
        ? Array.from({ length: E }, () => Array.from({ length: E }, () => Math.floor(rand() * 3000)))
        : undefined;
    return { layer: l, load, coactivation: co, ...(tr ? { transitions: tr } : {}) };
  });
  return JSON.stringify({ format: "moe-atlas.aggregate.v1", shard: "bench", layers });
}

async function main() {
  if (!fs.existsSync(path.join(ROOT, ".next/BUILD_ID")))
    throw new Error("no production build: run `npx next build` first");
  for (const db of values.db!.split(",")) await bench(db);
}

async function bench(db: string) {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), "atlas-adversarial-"));
  const pgDir = path.join(os.tmpdir(), `atlas-adversarial-pg-${process.pid}`);
  const url =
    db === "postgres"
      ? execFileSync("bash", ["scripts/pg-test-server.sh", "start", pgDir, String(PORT + 1000)], {
          cwd: ROOT,
          encoding: "utf8",
        }).trim()
      : "";
  const server: ChildProcess = spawn(
    path.join(ROOT, "node_modules/.bin/next"),
    ["start", "-H", "127.0.0.1", "-p", String(PORT)],
    {
      cwd: ROOT,
      env: { ...process.env, ATLAS_DATA_DIR: path.join(data, "db"), ATLAS_DEMO: "0", DATABASE_URL: url },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await request("GET", `${BASE}/api/health`)).status === 200) break;
      } catch {
        if (i > 200) throw new Error("the server did not start");
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const mixtral = JSON.parse(
      (await request("POST", `${BASE}/api/runs`, JSON.stringify({ name: "bench", model: { preset: "mixtral-8x7b" } })))
        .text,
    ).id;
    const deepseek = JSON.parse(
      (await request("POST", `${BASE}/api/runs`, JSON.stringify({ name: "bench", model: { preset: "deepseek-v3" } })))
        .text,
    ).id;
    const space = new Uint8Array(1 << 20).fill(0x20);
    const head = Buffer.from('{"layer": 0, "experts": [0, 1], "pad": "');
    const nearLimit = Buffer.from(`{"layer": 0, "experts": [0, 1], "pad": "${" ".repeat(4 * 1024 * 1024 - 64)}"}\n`);
    const aggregate = deepseekAggregate();
    const cases: [string, () => AsyncIterable<Uint8Array>, string][] = [
      [`one JSONL line of ${values.mb} MB (refused)`, () => repeat(space, Number(values.mb) << 20, head), mixtral],
      ["one JSONL line of 32 MB (refused)", () => repeat(space, 32 << 20, head), mixtral],
      [
        "40 JSONL lines of 4 MiB, each just under the limit (accepted)",
        () => repeat(nearLimit, nearLimit.length * 40),
        mixtral,
      ],
      [
        `DeepSeek-V3 aggregate, co-activation and transitions, ${Math.round(aggregate.length / 1048576)} MiB (accepted)`,
        () => repeat(Buffer.from(aggregate), 1),
        deepseek,
      ],
      ["530 MiB aggregate: 530 numbers 1 MiB of whitespace apart (accepted)", () => padded(), deepseek],
    ];
    const idle = await probeDuring(Promise.resolve(), 3000);
    const rows = [
      {
        upload: "none (idle server: the reference)",
        status: "-",
        seconds: "-",
        p50: idle.p50,
        p99: idle.p99,
        max: idle.max,
        ratioP99: 1,
      },
    ];
    for (const [name, body, run] of cases) {
      let answer: { status: number; text: string; ms: number } | undefined;
      const work = request("POST", `${BASE}/api/runs/${run}/traces`, body()).then((a) => (answer = a));
      const s = await probeDuring(work);
      rows.push({
        upload: name,
        status:
          `${answer?.status} ${answer?.status === 200 ? "" : (JSON.parse(answer?.text ?? "{}").error?.code ?? "")}`.trim(),
        seconds: ((answer?.ms ?? 0) / 1000).toFixed(2),
        p50: s.p50,
        p99: s.p99,
        max: s.max,
        ratioP99: s.p99 / idle.p99,
      });
    }
    const f = (x: number) => x.toFixed(1);
    console.log(
      `\n/api/health latency (ms) while each upload runs, database ${db}, ${os.cpus().length} cores, Node ${process.version}\n`,
    );
    console.log("| upload | answer | upload s | health p50 | p99 | max | p99 / idle p99 |");
    console.log("|---|---|---|---|---|---|---|");
    for (const r of rows)
      console.log(
        `| ${r.upload} | ${r.status} | ${r.seconds} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.max)} | ${r.ratioP99.toFixed(2)} |`,
      );
  } finally {
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
    if (url) execFileSync("bash", ["scripts/pg-test-server.sh", "stop", pgDir], { cwd: ROOT });
    fs.rmSync(data, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
