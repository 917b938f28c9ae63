import { asc, eq, sql } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { eventChunks, labelLoads, layerAggregates, runs, uploads } from "@/lib/db/schema";

/** Everything stored for a run, to check that a failed upload left it exactly as it was. */
export async function snapshotRun(db: Db, runId: string) {
  const [run] = await db.select().from(runs).where(eq(runs.id, runId));
  const layers = await db
    .select()
    .from(layerAggregates)
    .where(eq(layerAggregates.runId, runId))
    .orderBy(asc(layerAggregates.layer));
  const labels = await db.select().from(labelLoads).where(eq(labelLoads.runId, runId)).orderBy(asc(labelLoads.label));
  const ups = await db.select().from(uploads).where(eq(uploads.runId, runId)).orderBy(asc(uploads.id));
  const [chunks] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(eventChunks)
    .where(eq(eventChunks.runId, runId));
  const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
  return JSON.stringify({
    run: { ...run, updatedAt: undefined },
    layers: layers.map((l) => ({
      ...l,
      load: hex(l.load),
      weightSum: hex(l.weightSum),
      coactivation: hex(l.coactivation),
    })),
    labels: labels.map((l) => ({ ...l, tokens: hex(l.tokens), load: hex(l.load) })),
    uploads: ups,
    chunks: chunks.n,
  });
}

/** Feeds bytes as a stream of small chunks, as a network body would arrive. */
export async function* chunked(bytes: Uint8Array, size = 65536): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, Math.min(bytes.length, i + size));
}
