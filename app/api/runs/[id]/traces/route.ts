import { bodyChunks } from "@/lib/api/body-stream";
import { apiHandler } from "@/lib/api/handler";
import { ingestUpload } from "@/lib/ingest/ingest-upload";
import { requireWritableRun } from "@/lib/runs/require-run";
import { badRequest } from "@/lib/errors";
import { parseFormat } from "@/lib/trace/detect-format";

export const dynamic = "force-dynamic";
// Large traces take a while; the body streams, so no size limit applies here beyond our own.
export const maxDuration = 3600;

export const POST = apiHandler<{ id: string }>(async (req, { params, database, viewer }) => {
  const run = await requireWritableRun(database.db, params.id, await viewer());
  const q = new URL(req.url).searchParams;
  const result = await ingestUpload(database.db, run, bodyChunks(req), {
    format: parseFormat(q.get("format")),
    map: q.get("map"),
    label: q.get("label"),
    fileName: q.get("filename") ?? req.headers.get("x-file-name"),
    clientKey: q.get("key"),
    excludeWarmup: flag(q.get("exclude_warmup"), "exclude_warmup"),
  });
  return {
    uploadId: result.uploadId,
    format: result.format,
    bytes: result.bytes,
    events: result.events,
    tokens: result.tokens,
    skippedSlots: result.skippedSlots,
    labels: result.labels,
    hasWeights: result.hasWeights,
    hasLogits: result.hasLogits,
    warnings: result.warnings,
    warmup: result.warmup,
  };
});

function flag(value: string | null, name: string): boolean {
  if (value === null || value === "" || value === "0" || value === "false") return false;
  if (value === "1" || value === "true") return true;
  throw badRequest("invalid_field", `${name} must be 1/true or 0/false, got ${JSON.stringify(value.slice(0, 40))}`, `query parameter ${name}`);
}
