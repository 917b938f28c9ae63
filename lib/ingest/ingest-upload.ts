import type { Db } from "@/lib/db/client";
import type { RunWithModel } from "@/lib/db/queries/runs";
import { insertTokenCells } from "@/lib/db/queries/token-stats";
import { commitUpload, discardUpload, insertChunk, recordProgress, stageUpload } from "@/lib/db/queries/uploads";
import type { ModelConfig } from "@/lib/models/model-config";
import type { TraceFormat } from "@/lib/trace/detect-format";
import { encodeChunk } from "@/lib/trace/encode-chunk";
import { ingestTrace, UPLOAD_BATCH_SIZE, type IngestResult } from "@/lib/trace/ingest-trace";

export interface UploadOptions {
  format?: TraceFormat;
  map?: string | null;
  label?: string | null;
  fileName?: string | null;
  /** A key of the client's choosing, to ask for progress while the body streams. */
  clientKey?: string | null;
  /** Leave out runs of identical routing (warm-up passes). */
  excludeWarmup?: boolean;
}

/** Upload size limit: ATLAS_MAX_UPLOAD_BYTES, 16 GiB unless set. */
export function maxUploadBytes(): number {
  const v = Number(process.env.ATLAS_MAX_UPLOAD_BYTES ?? 16 * 1024 ** 3);
  return Number.isFinite(v) && v > 0 ? v : 16 * 1024 ** 3;
}

/**
 * Ingests one upload into a run: raw events are staged chunk by chunk while the body streams, and
 * the upload counts only when commitUpload succeeds. On any failure the staged rows are deleted,
 * so the run is exactly as before.
 */
export async function ingestUpload(
  db: Db,
  run: RunWithModel,
  body: AsyncIterable<Uint8Array>,
  opts: UploadOptions,
): Promise<IngestResult & { uploadId: string }> {
  const config: ModelConfig = run.model.config;
  const uploadId = await stageUpload(db, run.id, opts.format ?? "auto", opts.fileName ?? null, opts.clientKey ?? null);
  try {
    let chunkNo = 0;
    let tokenPart = 0;
    let lastBeat = 0;
    const result = await ingestTrace(
      body,
      // 64k events a chunk: per-chunk round trips, not bytes, were the cost of storing small events.
      {
        model: config,
        format: opts.format,
        map: opts.map,
        label: opts.label,
        maxBytes: maxUploadBytes(),
        batchSize: UPLOAD_BATCH_SIZE,
        excludeWarmup: opts.excludeWarmup,
      },
      async (batch, labels, progress) => {
        await insertChunk(db, uploadId, run.id, chunkNo++, labels, encodeChunk(batch, config.layers, config.experts));
        // Progress doubles as the heartbeat; twice a second is plenty against a 10-minute timeout.
        if (Date.now() - lastBeat > 500) {
          lastBeat = Date.now();
          await recordProgress(db, uploadId, progress.bytes, progress.events);
        }
      },
      // A large upload's token counts are staged in parts, like its chunks (issue 15).
      (cells) => insertTokenCells(db, uploadId, run.id, tokenPart++, cells),
    );
    await commitUpload(db, uploadId, run.id, result);
    return { ...result, uploadId };
  } catch (e) {
    await discardWithRetry(db, uploadId);
    throw e;
  }
}

/**
 * Removes a failed upload's staged rows now, not at the next sweep: when the failure was the
 * database connection itself, the first attempts may fail too, so it retries on fresh connections
 * for a few seconds before leaving the rows to the sweep (they count for nothing either way).
 */
async function discardWithRetry(db: Db, uploadId: string, delaysMs = [0, 100, 500, 2000]) {
  for (const [attempt, delay] of delaysMs.entries()) {
    if (delay) await new Promise((r) => setTimeout(r, delay));
    try {
      await discardUpload(db, uploadId);
      return;
    } catch (err) {
      if (attempt === delaysMs.length - 1)
        console.error(`[ingest] could not discard staged upload ${uploadId}; the periodic sweep will`, err);
    }
  }
}
