/**
 * The measuring half of bench/explorer, bundled with esbuild by run.ts (as the server bundles the
 * same code) and run in fresh Node processes:
 *
 *   node measure.mjs ingest FILE                 create a deepseek-v3 run, ingest FILE with ingestUpload (DATABASE_URL)
 *   node measure.mjs inproc RUN_ID OUT_DIR N     route handler called in-process + a stage breakdown; exports
 *                                                aggregates and our answers for the numpy reference; heatmap in Node
 *   node measure.mjs http BASE_URL RUN_ID OUT_DIR N    HTTP client against `next start`
 *
 * Each prints one JSON line (the last line of stdout).
 */
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import zlib from "node:zlib";
import { GET as frameGET } from "@/app/api/runs/[id]/layers/[layer]/frame/route";
import { GET as layerGET } from "@/app/api/runs/[id]/layers/[layer]/route";
import { balanceMetrics } from "@/lib/analysis/balance";
import { NORMALIZATIONS, normalizeCoactivation, offDiagonalExtent } from "@/lib/analysis/coactivation";
import { openDatabase, postgresPoolOf, type Database } from "@/lib/db/client";
import { bytesToF64 } from "@/lib/db/f64";
import { countApiTokens } from "@/lib/db/queries/api-tokens";
import { getLayerAggregate } from "@/lib/db/queries/layer-aggregates";
import { getRun } from "@/lib/db/queries/runs";
import { ingestUpload } from "@/lib/ingest/ingest-upload";
import { createRunFromBody } from "@/lib/runs/create-run";
import { getLayerFrame } from "@/lib/runs/get-layer-frame";
import { getLayerView } from "@/lib/runs/get-layer-view";
import { makeColorScale, minPositiveOffDiagonal, type ScaleKind } from "@/components/viz/color-scale";
import { rasterizeHeatmap } from "@/components/viz/draw-heatmap";
import { LAYERS, requests, stats } from "./stats";

const E = 256;

const out = (o: unknown) => console.log(JSON.stringify(o));
const now = () => performance.now();

async function* read(file: string): AsyncGenerator<Uint8Array> {
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) yield chunk as Uint8Array;
}

async function ingest(file: string) {
  process.env.ATLAS_MAX_UPLOAD_BYTES = String(Number.MAX_SAFE_INTEGER);
  const database = await openDatabase(process.env.DATABASE_URL);
  const run = await createRunFromBody(database.db, {
    name: "bench explorer: DeepSeek-V3, 10M events",
    model: { preset: "deepseek-v3" },
  });
  const t0 = now();
  const result = await ingestUpload(database.db, run, read(file), { fileName: path.basename(file) });
  const seconds = (now() - t0) / 1000;
  await database.close();
  out({
    runId: run.id,
    seconds,
    events: result.events,
    tokens: result.tokens,
    bytes: fs.statSync(file).size,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  });
}

/** 6 significant digits: short JSON numbers, far below what the tooltip and the colors resolve. */
function round6(v: number): number {
  if (v === 0 || !Number.isFinite(v)) return v;
  const scale = 10 ** (5 - Math.floor(Math.log10(Math.abs(v))));
  return Math.round(v * scale) / scale;
}

const toRows = (m: Float64Array, n: number) =>
  Array.from({ length: n }, (_, i) => Array.from(m.subarray(i * n, (i + 1) * n)));

/** What the explorer does with an answer before drawing (layer-explorer.tsx's view memo), then the raster. */
function explorerRaster(normalized: number[][], n: number, scale: ScaleKind) {
  const values = Float64Array.from(normalized.flat());
  const order = Array.from({ length: n }, (_, i) => i);
  const color = makeColorScale(offDiagonalExtent(values, n), scale, minPositiveOffDiagonal(values, n));
  const cell = Math.max(2, Math.min(48, Math.floor(576 / n)));
  return rasterizeHeatmap({ values, n, order, color, cell });
}

async function inproc(runId: string, dir: string, n: number) {
  const database: Database = await openDatabase(process.env.DATABASE_URL);
  (globalThis as { __atlasDb?: Promise<Database> }).__atlasDb = Promise.resolve(database);
  const db = database.db;
  const pool = postgresPoolOf(db)!;
  const run = (await getRun(db, runId))!;
  const seq = requests(n);
  const warm = requests(20, 7);

  // 1. The route handler as Next calls it, body read to the end (Response.json serializes eagerly).
  const handler = async (layer: number, norm: string, frame = false) => {
    const t0 = now();
    const res = await (frame ? frameGET : layerGET)(
      new Request(`http://bench/api/runs/${runId}/layers/${layer}${frame ? "/frame" : ""}?normalization=${norm}`),
      {
        params: Promise.resolve({ id: runId, layer: String(layer) }),
      },
    );
    const body = await res.arrayBuffer();
    if (res.status !== 200)
      throw new Error(`handler answered ${res.status}: ${Buffer.from(body).toString().slice(0, 300)}`);
    return { ms: now() - t0, bytes: body.byteLength };
  };
  for (const r of warm) {
    await handler(r.layer, r.norm);
    await handler(r.layer, r.norm, true);
  }
  // JSON and frame side by side: each request of the sequence both ways, in turn.
  const handlerMs: number[] = [];
  const bytes: number[] = [];
  const frameMs: number[] = [];
  const frameBytes: number[] = [];
  for (const r of seq) {
    const h = await handler(r.layer, r.norm);
    handlerMs.push(h.ms);
    bytes.push(h.bytes);
    const f = await handler(r.layer, r.norm, true);
    frameMs.push(f.ms);
    frameBytes.push(f.bytes);
  }

  // 2. Stage by stage, same sequence.
  const st: Record<string, number[]> = {
    getRun: [],
    countApiTokens: [],
    fetchAggregate: [],
    fetchAggregateRawPg: [],
    fetchServerHexOnly: [],
    fetchRawPgBase64: [],
    fetchRawPgNoTransitions: [],
    normalize: [],
    balance: [],
    toRows: [],
    getLayerView: [],
    getLayerFrame: [],
    stringify: [],
    candidate: [],
    gzipDefault: [],
    gzipLevel1: [],
  };
  const candidateBytes: number[] = [];
  const candidateGzBytes: number[] = [];
  const time = async <T>(key: string, f: () => Promise<T> | T): Promise<T> => {
    const t0 = now();
    const v = await f();
    st[key].push(now() - t0);
    return v;
  };
  for (const [i, r] of [...warm, ...seq].entries()) {
    await time("getRun", () => getRun(db, runId));
    await time("countApiTokens", () => countApiTokens(db));
    const agg = await time("fetchAggregate", () => getLayerAggregate(db, runId, r.layer, E));
    const q =
      "select tokens, load, weight_sum, coactivation, transitions from layer_aggregates where run_id = $1 and layer = $2";
    await time("fetchAggregateRawPg", () => pool.query(q, [runId, r.layer]));
    // Where the fetch goes: the server's part alone (detoast, decompress, hex-encode, no transfer),
    // and candidate fixes: base64 instead of hex text (node-postgres cannot read binary results:
    // pg-protocol's parser is text-only), and no transitions (the explorer does not use them).
    await time("fetchServerHexOnly", () =>
      pool.query(
        "select length(encode(load, 'hex')) + length(encode(weight_sum, 'hex')) + length(encode(coactivation, 'hex')) + coalesce(length(encode(transitions, 'hex')), 0) as n from layer_aggregates where run_id = $1 and layer = $2",
        [runId, r.layer],
      ),
    );
    await time("fetchRawPgBase64", async () => {
      const { rows } = await pool.query(
        "select tokens, encode(load, 'base64') as load, encode(weight_sum, 'base64') as weight_sum, encode(coactivation, 'base64') as coactivation, encode(transitions, 'base64') as transitions from layer_aggregates where run_id = $1 and layer = $2",
        [runId, r.layer],
      );
      const b64 = Buffer.from(rows[0].coactivation, "base64");
      if (i === 0 && !b64.equals(Buffer.from(agg.coactivation.buffer))) throw new Error("base64 fetch differs");
      for (const k of ["load", "weight_sum", "transitions"]) if (rows[0][k]) Buffer.from(rows[0][k], "base64");
    });
    await time("fetchRawPgNoTransitions", () =>
      pool.query(
        "select tokens, load, weight_sum, coactivation from layer_aggregates where run_id = $1 and layer = $2",
        [runId, r.layer],
      ),
    );
    const norm = await time("normalize", () => normalizeCoactivation(agg.coactivation, agg.load, agg.tokens, r.norm));
    await time("balance", () => balanceMetrics(agg.load));
    await time("toRows", () => [
      toRows(agg.coactivation, E),
      agg.transitions && toRows(agg.transitions, E),
      toRows(norm, E),
    ]);
    const view = await time("getLayerView", () => getLayerView(db, run, r.layer, r.norm));
    await time("getLayerFrame", () => getLayerFrame(db, run, r.layer, r.norm));
    const body = await time("stringify", () => JSON.stringify(view));
    // What Next's compression middleware (zlib defaults) does to it, and at level 1.
    await time("gzipDefault", () => zlib.gzipSync(body));
    await time("gzipLevel1", () => zlib.gzipSync(body, { level: 1 }));
    // A sketch of the suggested fixes, end to end, in this file (not the app's code): transitions
    // neither fetched nor sent (the explorer does not use them), normalized values rounded to 6
    // significant digits, the body gzipped at level 1 by the handler (Next's compression then leaves
    // an already-encoded body alone).
    const c = await time("candidate", async () => {
      const { rows } = await pool.query(
        "select tokens, load, weight_sum, coactivation from layer_aggregates where run_id = $1 and layer = $2",
        [runId, r.layer],
      );
      const load = bytesToF64(rows[0].load);
      const coactivation = bytesToF64(rows[0].coactivation);
      const normalized = normalizeCoactivation(coactivation, load, rows[0].tokens, r.norm);
      if (r.norm !== "raw") for (let k = 0; k < normalized.length; k++) normalized[k] = round6(normalized[k]); // counts stay exact
      const answer = {
        layer: r.layer,
        modelLayer: r.layer + 3,
        experts: E,
        tokens: rows[0].tokens,
        load: Array.from(load),
        weightSum: Array.from(bytesToF64(rows[0].weight_sum)),
        coactivation: toRows(coactivation, E),
        balance: balanceMetrics(load),
        normalization: r.norm,
        normalized: toRows(normalized, E),
      };
      const json = JSON.stringify(answer);
      return { json: Buffer.byteLength(json), gz: zlib.gzipSync(json, { level: 1 }).length };
    });
    candidateBytes.push(c.json);
    candidateGzBytes.push(c.gz);
    if (i < warm.length) for (const k of Object.keys(st)) st[k].pop(); // warmup rounds are not counted
  }

  // 3. Export for the numpy reference: the stored bytes of 8 layers and our answers for them.
  const refLayers = [0, 7, 14, 21, 28, 35, 42, 57];
  const refDir = path.join(dir, "ref");
  fs.mkdirSync(refDir, { recursive: true });
  for (const layer of refLayers) {
    const { rows } = await pool.query(
      "select tokens, load, weight_sum, coactivation, transitions from layer_aggregates where run_id = $1 and layer = $2",
      [runId, layer],
    );
    const row = rows[0];
    for (const k of ["load", "weight_sum", "coactivation", "transitions"]) {
      // The last layer has no next layer: no transitions.
      if (row[k]) fs.writeFileSync(path.join(refDir, `l${layer}-${k}.f64`), row[k]);
      else fs.rmSync(path.join(refDir, `l${layer}-${k}.f64`), { force: true });
    }
    const ours: Record<string, unknown> = { tokens: row.tokens };
    for (const norm of NORMALIZATIONS) {
      const view = await getLayerView(db, run, layer, norm);
      fs.writeFileSync(path.join(refDir, `l${layer}-ours-${norm}.f64`), Float64Array.from(view.normalized!.flat()));
      ours.balance = view.balance;
      ours[`bytes_${norm}`] = Buffer.byteLength(JSON.stringify(view));
    }
    fs.writeFileSync(path.join(refDir, `l${layer}-ours.json`), JSON.stringify(ours));
  }

  // 4. The heatmap's raster in Node (no canvas): the explorer's view preparation + rasterizeHeatmap.
  const raster: Record<string, number[]> = { linear: [], log: [] };
  const views = await Promise.all(NORMALIZATIONS.map((norm) => getLayerView(db, run, 21, norm)));
  for (const scale of ["linear", "log"] as const) {
    for (let rep = 0; rep < 60; rep++) {
      for (const v of views) {
        const t0 = now();
        explorerRaster(v.normalized!, E, scale);
        if (rep >= 10) raster[scale].push(now() - t0);
      }
    }
  }
  await database.close();
  out({
    handler: stats(handlerMs),
    responseBytes: stats(bytes),
    frameHandler: stats(frameMs),
    frameBytes: stats(frameBytes),
    stages: Object.fromEntries(Object.entries(st).map(([k, v]) => [k, stats(v)])),
    candidateBytes: stats(candidateBytes),
    candidateGzBytes: stats(candidateGzBytes),
    nodeRaster: { linear: stats(raster.linear), log: stats(raster.log) },
    refLayers,
  });
}

/** One GET over a keep-alive connection; body bytes as sent (not decompressed). */
function get(
  agent: http.Agent,
  url: string,
  headers: Record<string, string>,
): Promise<{ ms: number; status: number; wire: number; encoding: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const t0 = now();
    http
      .get(url, { agent, headers }, (res) => {
        const parts: Buffer[] = [];
        res.on("data", (c: Buffer) => parts.push(c));
        res.on("end", () => {
          const body = Buffer.concat(parts);
          resolve({
            ms: now() - t0,
            status: res.statusCode ?? 0,
            wire: body.length,
            encoding: String(res.headers["content-encoding"] ?? "identity"),
            body,
          });
        });
        res.on("error", reject);
      })
      .on("error", reject);
  });
}

async function httpBench(base: string, runId: string, dir: string, n: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const chromium = { "accept-encoding": "gzip, deflate, br, zstd", accept: "*/*" };
  const identity = { "accept-encoding": "identity", accept: "*/*" };
  const layerUrl = (l: number, norm: string) => `${base}/api/runs/${runId}/layers/${l}?normalization=${norm}`;
  const check = <T extends { status: number; body: Buffer }>(r: T, what: string): T => {
    if (r.status !== 200) throw new Error(`${what}: HTTP ${r.status} ${r.body.toString().slice(0, 300)}`);
    return r;
  };

  const frameUrl = (l: number, norm: string) => `${base}/api/runs/${runId}/layers/${l}/frame?normalization=${norm}`;
  const cold = check(await get(agent, layerUrl(3, "raw"), chromium), "cold layer request");
  const coldFrame = check(await get(agent, frameUrl(3, "raw"), chromium), "cold frame request");
  for (const r of requests(20, 7)) {
    check(await get(agent, layerUrl(r.layer, r.norm), chromium), "warmup");
    check(await get(agent, frameUrl(r.layer, r.norm), chromium), "warmup frame");
  }

  const seq = requests(n);
  const rec = (rs: { ms: number; wire: number }[]) => ({
    ms: stats(rs.map((r) => r.ms)),
    wireBytes: stats(rs.map((r) => r.wire)),
  });
  const compressed: { ms: number; wire: number; norm: string }[] = [];
  const frames: { ms: number; wire: number; norm: string }[] = [];
  let encoding = "";
  let frameEncoding = "";
  // The JSON answer (gzip, as Chromium asks) and the binary frame side by side: each request of the
  // sequence both ways, in turn, so both see the same machine load.
  for (const r of seq) {
    const res = check(await get(agent, layerUrl(r.layer, r.norm), chromium), "layer");
    encoding = res.encoding;
    compressed.push({ ms: res.ms, wire: res.wire, norm: r.norm });
    const fr = check(await get(agent, frameUrl(r.layer, r.norm), chromium), "frame");
    frameEncoding = fr.encoding;
    frames.push({ ms: fr.ms, wire: fr.wire, norm: r.norm });
  }
  const plain: { ms: number; wire: number }[] = [];
  for (const r of seq.slice(0, Math.min(n, 120)))
    plain.push(check(await get(agent, layerUrl(r.layer, r.norm), identity), "layer identity"));
  const byNorm = Object.fromEntries(
    NORMALIZATIONS.map((norm) => [norm, rec(compressed.filter((c) => c.norm === norm))]),
  );

  // The answers the browser benchmark draws (decoded JSON text), layer 21 in every normalization.
  for (const norm of NORMALIZATIONS)
    fs.writeFileSync(
      path.join(dir, `layer21-${norm}.json`),
      check(await get(agent, layerUrl(21, norm), identity), "export").body,
    );
  for (const norm of NORMALIZATIONS)
    fs.writeFileSync(
      path.join(dir, `layer21-${norm}.frame`),
      check(await get(agent, frameUrl(21, norm), identity), "export frame").body,
    );

  const other = async (url: (l: number) => string) => {
    for (let i = 0; i < 5; i++) check(await get(agent, url(i), chromium), "warmup");
    const rs = [];
    for (const r of requests(60, 11)) rs.push(check(await get(agent, url(r.layer), chromium), url(r.layer)));
    return { ...rec(rs), encoding: rs[0].encoding, decodedBytes: (await get(agent, url(0), identity)).wire };
  };
  const experts = await other((l) => `${base}/api/runs/${runId}/experts?layer=${l}`);
  const balance = await other(() => `${base}/api/runs/${runId}/balance`);
  // The explorer page itself: the server prefetches the layer into the HTML (informational).
  const pages = [];
  for (let i = 0; i < 12; i++)
    pages.push(check(await get(agent, `${base}/runs/${runId}/layers/${(i * 5) % LAYERS}`, chromium), "page"));
  agent.destroy();
  out({
    cold: { ms: Math.round(cold.ms * 10) / 10, wire: cold.wire },
    coldFrame: { ms: Math.round(coldFrame.ms * 10) / 10, wire: coldFrame.wire },
    layer: { ...rec(compressed), encoding, byNorm },
    frame: {
      ...rec(frames),
      encoding: frameEncoding,
      byNorm: Object.fromEntries(NORMALIZATIONS.map((norm) => [norm, rec(frames.filter((c) => c.norm === norm))])),
    },
    layerIdentity: rec(plain),
    experts,
    balance,
    page: { ...rec(pages.slice(2)), encoding: pages[0].encoding },
  });
}

async function main() {
  const [mode, ...args] = process.argv.slice(2);
  if (mode === "ingest") await ingest(args[0]);
  else if (mode === "inproc") await inproc(args[0], args[1], Number(args[2]));
  else if (mode === "http") await httpBench(args[0], args[1], args[2], Number(args[3]));
  else throw new Error(`unknown mode ${mode}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
