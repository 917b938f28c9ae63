import { and, asc, eq, gt } from "drizzle-orm";
import type { EncodedChunk } from "@/lib/trace/encode-chunk";
import type { Db } from "../client";
import { eventChunks, uploads } from "../schema";

/**
 * The raw events of a run's committed uploads, chunk by chunk in upload order, a few chunks per
 * query so memory stays bounded however many events the run holds.
 */
export async function* runEventChunks(
  db: Db,
  runId: string,
  perQuery = 4,
): AsyncGenerator<EncodedChunk & { labelNames: string[] }> {
  let after = 0;
  for (;;) {
    const rows = await db
      .select({ chunk: eventChunks })
      .from(eventChunks)
      .innerJoin(uploads, eq(eventChunks.uploadId, uploads.id))
      .where(and(eq(eventChunks.runId, runId), eq(uploads.status, "committed"), gt(eventChunks.id, after)))
      .orderBy(asc(eventChunks.id))
      .limit(perQuery);
    if (!rows.length) return;
    for (const { chunk: c } of rows) {
      after = c.id;
      yield {
        labelNames: c.labelNames,
        count: c.count,
        k: c.k,
        layers: c.layers,
        experts: c.experts,
        weights: c.weights,
        logits: c.logits,
        seq: c.seq,
        pos: c.pos,
        tokenIds: c.tokenIds,
        labels: c.labels,
      };
    }
  }
}
