/**
 * One measurement in a fresh process (so peak RSS is this file's alone):
 *   tsx bench/ingest/measure.ts parse FILE LAYERS EXPERTS TOPK   parse + aggregate, nothing stored
 *   tsx bench/ingest/measure.ts store FILE LAYERS EXPERTS TOPK   the full upload path into DATABASE_URL
 * Prints one JSON line with seconds, events, peak RSS and checksums of the aggregates.
 */
import fs from "node:fs";
import { openDatabase } from "@/lib/db/client";
import type { LayerAggregate } from "@/lib/analysis/layer-aggregate";
import { ingestUpload } from "@/lib/ingest/ingest-upload";
import { createRunFromBody } from "@/lib/runs/create-run";
import { ingestTrace, type IngestResult } from "@/lib/trace/ingest-trace";

const [mode, file, L, E, K] = process.argv.slice(2);
const model = {
  name: "bench",
  layers: Number(L),
  experts: Number(E),
  topK: Number(K),
  renormalize: true,
  sharedExperts: 0,
  router: "softmax" as const,
};

async function* read(path: string): AsyncGenerator<Uint8Array> {
  for await (const chunk of fs.createReadStream(path, { highWaterMark: 1 << 20 })) yield chunk as Uint8Array;
}

const sum = (xs: Float64Array) => xs.reduce((s, x) => s + x, 0);

function checksum(r: IngestResult) {
  const total = (f: (l: LayerAggregate) => Float64Array) => r.layers.reduce((s, l) => s + sum(f(l)), 0);
  return {
    load: total((l) => l.load),
    weightSum: Math.round(total((l) => l.weightSum) * 1000) / 1000,
    coactivation: total((l) => l.coactivation),
    transitions: (r.transitions ?? []).reduce((s, t) => s + (t ? sum(t) : 0), 0),
  };
}

async function main() {
  const t0 = performance.now();
  let result: IngestResult;
  if (mode === "parse") {
    result = await ingestTrace(read(file), { model, maxBytes: Number.MAX_SAFE_INTEGER }, async () => undefined);
  } else {
    process.env.ATLAS_MAX_UPLOAD_BYTES = String(Number.MAX_SAFE_INTEGER);
    const database = await openDatabase(process.env.DATABASE_URL);
    const run = await createRunFromBody(database.db, { name: `bench ${file}`, model });
    const t1 = performance.now();
    result = await ingestUpload(database.db, run, read(file), {});
    const seconds = (performance.now() - t1) / 1000;
    await database.close();
    return report(result, seconds);
  }
  report(result, (performance.now() - t0) / 1000);
}

function report(r: IngestResult, seconds: number) {
  console.log(
    JSON.stringify({
      seconds,
      events: r.events,
      assignments: r.events * Number(K),
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      checksum: checksum(r),
    }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
