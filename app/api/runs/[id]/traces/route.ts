import { bodyChunks } from "@/lib/api/body-stream";
import { uploadTrace } from "@/lib/api/contracts/runs";
import { apiHandler } from "@/lib/api/handler";
import { ingestUpload } from "@/lib/ingest/ingest-upload";
import { requireWritableRun } from "@/lib/runs/require-run";

export const dynamic = "force-dynamic";
// Large traces take a while; the body streams, so no size limit applies here beyond our own.
export const maxDuration = 3600;

export const POST = apiHandler(uploadTrace, async ({ req, params, query, database, viewer }) => {
  const run = await requireWritableRun(database.db, params.id, await viewer());
  const r = await ingestUpload(database.db, run, bodyChunks(req), {
    format: query.format === "auto" ? undefined : query.format,
    map: query.map ?? null,
    label: query.label ?? null,
    fileName: query.filename ?? req.headers.get("x-file-name"),
    clientKey: query.key ?? null,
    excludeWarmup: query.exclude_warmup,
  });
  const { uploadId, format, bytes, events, tokens, skippedSlots, labels, hasWeights, hasLogits, warnings, warmup } = r;
  return { uploadId, format, bytes, events, tokens, skippedSlots, labels, hasWeights, hasLogits, warnings, warmup };
});
