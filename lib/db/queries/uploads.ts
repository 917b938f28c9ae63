import { and, eq, inArray, lt, sql } from "drizzle-orm";
import { ApiError } from "@/lib/api/api-error";
import { mergeLayerAggregate, type LabelLoad, type LayerAggregate } from "@/lib/analysis/layer-aggregate";
import type { EncodedChunk } from "@/lib/trace/encode-chunk";
import type { TraceWarning } from "@/lib/trace/warnings";
import { newId } from "@/lib/ids";
import { postgresPoolOf, type Db } from "../client";
import { copyChunks } from "../copy-chunks";
import { bytesToF64, f64ToBytes } from "../f64";
import { eventChunks, labelLoads, layerAggregates, runs, uploads } from "../schema";

/** Starts an upload in "staging": its chunks are stored as they stream in but count for nothing. */
export async function stageUpload(db: Db, runId: string, format: string, fileName: string | null, clientKey: string | null): Promise<string> {
  const id = newId();
  await db.insert(uploads).values({ id, runId, format, fileName, clientKey, status: "staging" });
  return id;
}

/** Records how far a staging upload got; doubles as its heartbeat. */
export async function recordProgress(db: Db, uploadId: string, bytes: number, events: number) {
  await db.update(uploads).set({ bytes, events, heartbeatAt: new Date() }).where(and(eq(uploads.id, uploadId), eq(uploads.status, "staging")));
}

/** Progress of the upload a client tagged with `clientKey`: bytes read and events parsed so far. */
export async function getUploadProgress(db: Db, runId: string, clientKey: string) {
  const [row] = await db
    .select({ id: uploads.id, status: uploads.status, bytes: uploads.bytes, events: uploads.events })
    .from(uploads)
    .where(and(eq(uploads.runId, runId), eq(uploads.clientKey, clientKey)));
  return row ?? null;
}

export async function insertChunk(db: Db, uploadId: string, runId: string, chunkNo: number, labelNames: readonly string[], c: EncodedChunk) {
  const pool = postgresPoolOf(db);
  if (pool) return copyChunks(pool, [{ uploadId, runId, chunkNo, labelNames, chunk: c }]);
  await db.insert(eventChunks).values({
    uploadId,
    runId,
    chunkNo,
    count: c.count,
    k: c.k,
    labelNames: [...labelNames],
    layers: c.layers,
    experts: c.experts,
    weights: c.weights,
    logits: c.logits,
    seq: c.seq,
    pos: c.pos,
    tokenIds: c.tokenIds,
    labels: c.labels,
  });
}

export interface UploadTotals {
  format: string;
  sha256: string;
  shard?: string | null;
  bytes: number;
  events: number;
  tokens: number;
  labels: string[];
  hasWeights: boolean;
  hasLogits: boolean;
  warnings: TraceWarning[];
  layers: LayerAggregate[];
  labelLoads: LabelLoad[];
  /** Per layer l < L-1: counts from l to l + 1, or null where the upload cannot tell. */
  transitions: (Float64Array | null)[] | null;
}

/**
 * Makes a staged upload count, in one transaction: the run row is locked so concurrent commits to
 * one run serialize, the same bytes (or shard) already committed is refused, then the upload's
 * sums are added to the run's aggregates and the upload flips to "committed".
 */
export async function commitUpload(db: Db, uploadId: string, runId: string, t: UploadTotals) {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select id from runs where id = ${runId} for update`);
    const [dup] = await tx
      .select({ id: uploads.id, committedAt: uploads.committedAt, shard: uploads.shard, sha256: uploads.sha256 })
      .from(uploads)
      .where(
        and(
          eq(uploads.runId, runId),
          eq(uploads.status, "committed"),
          t.shard ? sql`(${uploads.sha256} = ${t.sha256} or ${uploads.shard} = ${t.shard})` : eq(uploads.sha256, t.sha256),
        ),
      );
    if (dup) {
      const what = dup.sha256 === t.sha256 ? "this identical file" : `shard "${t.shard}"`;
      throw new ApiError(
        409,
        "duplicate_upload",
        `${what} was already ingested into this run (upload ${dup.id} at ${dup.committedAt?.toISOString()}); it is not counted twice`,
        `upload ${dup.id}`,
      );
    }

    const existing = await tx.select().from(layerAggregates).where(eq(layerAggregates.runId, runId));
    const byLayer = new Map(existing.map((r) => [r.layer, r]));
    let tokens = 0;
    for (let l = 0; l < t.layers.length; l++) {
      const add = t.layers[l];
      const row = byLayer.get(l);
      const addTransitions = t.transitions?.[l] ?? null;
      if (add.tokens === 0 && !addTransitions) {
        tokens = Math.max(tokens, row?.tokens ?? 0);
        continue;
      }
      const merged = row
        ? mergeLayerAggregate(
            {
              experts: add.experts,
              tokens: row.tokens,
              load: bytesToF64(row.load),
              weightSum: bytesToF64(row.weightSum),
              coactivation: bytesToF64(row.coactivation),
            },
            add,
          )
        : add;
      tokens = Math.max(tokens, merged.tokens);
      const values = {
        tokens: merged.tokens,
        load: f64ToBytes(merged.load),
        weightSum: f64ToBytes(merged.weightSum),
        coactivation: f64ToBytes(merged.coactivation),
        transitions: mergeTransitions(row?.transitions ?? null, addTransitions),
      };
      if (row) await tx.update(layerAggregates).set(values).where(and(eq(layerAggregates.runId, runId), eq(layerAggregates.layer, l)));
      else await tx.insert(layerAggregates).values({ runId, layer: l, ...values });
    }

    const labelsPresent = t.labels.map((name, i) => ({ name, load: t.labelLoads[i] })).filter((x) => x.load);
    if (labelsPresent.length) {
      const rows = await tx
        .select()
        .from(labelLoads)
        .where(and(eq(labelLoads.runId, runId), inArray(labelLoads.label, labelsPresent.map((x) => x.name))));
      const have = new Map(rows.map((r) => [r.label, r]));
      for (const { name, load } of labelsPresent) {
        const row = have.get(name);
        if (row) {
          const tok = bytesToF64(row.tokens);
          const ld = bytesToF64(row.load);
          for (let i = 0; i < tok.length; i++) tok[i] += load.tokens[i];
          for (let i = 0; i < ld.length; i++) ld[i] += load.load[i];
          await tx
            .update(labelLoads)
            .set({ tokens: f64ToBytes(tok), load: f64ToBytes(ld) })
            .where(and(eq(labelLoads.runId, runId), eq(labelLoads.label, name)));
        } else {
          await tx.insert(labelLoads).values({ runId, label: name, tokens: f64ToBytes(load.tokens), load: f64ToBytes(load.load) });
        }
      }
    }

    await tx
      .update(uploads)
      .set({
        status: "committed",
        committedAt: new Date(),
        sha256: t.sha256,
        shard: t.shard ?? null,
        format: t.format,
        bytes: t.bytes,
        events: t.events,
        tokens: t.tokens,
        labels: t.labels,
        hasWeights: t.hasWeights,
        hasLogits: t.hasLogits,
        warnings: t.warnings,
      })
      .where(eq(uploads.id, uploadId));
    await tx
      .update(runs)
      .set({
        events: sql`${runs.events} + ${t.events}`,
        tokens,
        labels: sql`(select coalesce(array_agg(distinct l order by l), '{}') from unnest(${runs.labels} || ${toTextArray(t.labels)}) as l)`,
        updatedAt: new Date(),
      })
      .where(eq(runs.id, runId));
  });
}

function mergeTransitions(stored: Uint8Array | null, add: Float64Array | null): Uint8Array | null {
  if (!add) return stored;
  if (!stored) return f64ToBytes(add);
  const sum = bytesToF64(stored);
  for (let i = 0; i < sum.length; i++) sum[i] += add[i];
  return f64ToBytes(sum);
}

function toTextArray(values: string[]) {
  return sql`array[${sql.join(values.map((v) => sql`${v}`), sql`, `)}]::text[]`;
}

/** Removes a failed upload and its chunks: the run is exactly as before it started. */
export async function discardUpload(db: Db, uploadId: string) {
  await db.delete(uploads).where(and(eq(uploads.id, uploadId), eq(uploads.status, "staging")));
}

/**
 * Staged uploads whose heartbeat is older than `silentForMs` belong to a process that died (a
 * killed server): drop them and their chunks. They were never visible, so no count changes.
 */
export async function sweepStaleUploads(db: Db, silentForMs: number) {
  const cutoff = new Date(Date.now() - silentForMs);
  const gone = await db
    .delete(uploads)
    .where(and(eq(uploads.status, "staging"), lt(uploads.heartbeatAt, cutoff)))
    .returning({ id: uploads.id });
  return gone.length;
}
