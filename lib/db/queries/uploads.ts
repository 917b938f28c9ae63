import { postgresErrorCode } from "../postgres-error";
import { and, eq, inArray, isNull, lt, sql } from "drizzle-orm";
import { conflict, missing } from "@/lib/errors";
import type { LabelLoad, LayerAggregate } from "@/lib/analysis/layer-aggregate";
import {
  addLabelSums,
  addLayerSums,
  ownLabelSums,
  ownLayerSums,
  runTokens,
  type LabelSums,
  type LayerSums,
} from "@/lib/analysis/upload-sums";
import type { UploadTokenStats } from "@/lib/analysis/token-stats";
import { runSummary } from "@/lib/analysis/run-summary";
import type { EncodedChunk } from "@/lib/trace/encode-chunk";
import type { TraceWarning } from "@/lib/trace/warnings";
import { newId } from "@/lib/ids";
import { postgresPoolOf, type Db, type Tx } from "../client";
import { copyChunks } from "../copy-chunks";
import { bytesToF64, f64ToBytes } from "../f64";
import { insertUploadTokenStats } from "./token-stats";
import { eventChunks, labelLoads, layerAggregates, runs, uploadLabelSums, uploadLayerSums, uploads } from "../schema";

/** Starts an upload in "staging": its chunks are stored as they stream in but count for nothing. */
export async function stageUpload(
  db: Db,
  runId: string,
  format: string,
  fileName: string | null,
  clientKey: string | null,
): Promise<string> {
  const id = newId();
  await db.insert(uploads).values({ id, runId, format, fileName, clientKey, status: "staging" });
  return id;
}

/** Records how far a staging upload got; doubles as its heartbeat. */
export async function recordProgress(db: Db, uploadId: string, bytes: number, events: number) {
  await db
    .update(uploads)
    .set({ bytes, events, heartbeatAt: new Date() })
    .where(and(eq(uploads.id, uploadId), eq(uploads.status, "staging")));
}

/** Progress of the upload a client tagged with `clientKey`: bytes read and events parsed so far. */
export async function getUploadProgress(db: Db, runId: string, clientKey: string) {
  const [row] = await db
    .select({ id: uploads.id, status: uploads.status, bytes: uploads.bytes, events: uploads.events })
    .from(uploads)
    .where(and(eq(uploads.runId, runId), eq(uploads.clientKey, clientKey)));
  return row ?? null;
}

export async function insertChunk(
  db: Db,
  uploadId: string,
  runId: string,
  chunkNo: number,
  labelNames: readonly string[],
  c: EncodedChunk,
) {
  try {
    await writeChunk(db, uploadId, runId, chunkNo, labelNames, c);
  } catch (e) {
    // The staging upload's row went with its run (deleted while this body streamed): say so, not a 500.
    if (isForeignKeyViolation(e))
      throw missing(
        "not_found",
        `run "${runId}" was deleted while this upload streamed; nothing of it is stored`,
        "path parameter id",
      );
    throw e;
  }
}

function isForeignKeyViolation(e: unknown): boolean {
  return postgresErrorCode(e) === "23503";
}

async function writeChunk(
  db: Db,
  uploadId: string,
  runId: string,
  chunkNo: number,
  labelNames: readonly string[],
  c: EncodedChunk,
) {
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
  /** Token statistics (issue 15), stored in their own tables; null or absent without token ids. */
  tokenStats?: UploadTokenStats | null;
}

/**
 * Makes a staged upload count, in one transaction: the run row is locked so concurrent commits to
 * one run serialize, the same bytes (or shard) already committed is refused, then the upload's
 * sums are added to the run's aggregates and the upload flips to "committed".
 */
export async function commitUpload(db: Db, uploadId: string, runId: string, t: UploadTotals) {
  return db.transaction(async (tx) => {
    await lockRun(tx, runId);
    const [dup] = await tx
      .select({ id: uploads.id, committedAt: uploads.committedAt, shard: uploads.shard, sha256: uploads.sha256 })
      .from(uploads)
      .where(
        and(
          eq(uploads.runId, runId),
          eq(uploads.status, "committed"),
          t.shard
            ? sql`(${uploads.sha256} = ${t.sha256} or ${uploads.shard} = ${t.shard})`
            : eq(uploads.sha256, t.sha256),
        ),
      );
    if (dup) {
      const what = dup.sha256 === t.sha256 ? "this identical file" : `shard "${t.shard}"`;
      throw conflict(
        "duplicate_upload",
        `${what} was already ingested into this run (upload ${dup.id} at ${dup.committedAt?.toISOString()}); it is not counted twice`,
        `upload ${dup.id}`,
      );
    }

    // This upload's own sums, kept beside it so a later delete can re-add the rest.
    const add = ownLayerSums(t.layers, t.transitions);
    const totals = new Map(
      (await tx.select().from(layerAggregates).where(eq(layerAggregates.runId, runId))).map((r) => [
        r.layer,
        layerSumsOf(r),
      ]),
    );
    const stored = new Set(totals.keys());
    for (const l of addLayerSums(totals, add)) {
      const values = layerRowValues(totals.get(l)!);
      if (stored.has(l))
        await tx
          .update(layerAggregates)
          .set(values)
          .where(and(eq(layerAggregates.runId, runId), eq(layerAggregates.layer, l)));
      else await tx.insert(layerAggregates).values({ runId, ...values });
    }
    const tokens = runTokens(totals.values());

    const addLabels = ownLabelSums(t.labels, t.labelLoads);
    if (addLabels.length) {
      const rows = await tx
        .select()
        .from(labelLoads)
        .where(
          and(
            eq(labelLoads.runId, runId),
            inArray(
              labelLoads.label,
              addLabels.map((x) => x.label),
            ),
          ),
        );
      const labelTotals = new Map(
        rows.map((r) => [r.label, { label: r.label, tokens: bytesToF64(r.tokens), load: bytesToF64(r.load) }]),
      );
      const have = new Set(labelTotals.keys());
      addLabelSums(labelTotals, addLabels);
      for (const { label } of addLabels) {
        const sum = labelTotals.get(label)!;
        const values = { tokens: f64ToBytes(sum.tokens), load: f64ToBytes(sum.load) };
        if (have.has(label))
          await tx
            .update(labelLoads)
            .set(values)
            .where(and(eq(labelLoads.runId, runId), eq(labelLoads.label, label)));
        else await tx.insert(labelLoads).values({ runId, label, ...values });
      }
    }

    if (t.tokenStats) await insertUploadTokenStats(tx, uploadId, runId, t.tokenStats);
    for (const s of add) await tx.insert(uploadLayerSums).values({ uploadId, ...layerRowValues(s) });
    for (const s of addLabels)
      await tx
        .insert(uploadLabelSums)
        .values({ uploadId, label: s.label, tokens: f64ToBytes(s.tokens), load: f64ToBytes(s.load) });
    const [{ n }] = await tx
      .select({ n: sql<number>`coalesce(max(${uploads.commitNo}), 0) + 1` })
      .from(uploads)
      .where(eq(uploads.runId, runId));

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
        commitNo: Number(n),
        hasSums: true,
      })
      .where(eq(uploads.id, uploadId));
    await tx
      .update(runs)
      .set({
        events: sql`${runs.events} + ${t.events}`,
        tokens,
        ...summaryColumns(totals.values()),
        labels: sql`(select coalesce(array_agg(distinct l order by l), '{}') from unnest(${runs.labels} || ${toTextArray(t.labels)}) as l)`,
        updatedAt: new Date(),
      })
      .where(eq(runs.id, runId));
  });
}

/** The runs table's per-run numbers (lib/analysis/run-summary.ts) from the run's new totals, as run columns. */
function summaryColumns(totals: Iterable<LayerSums>) {
  const s = runSummary(totals);
  return { meanBalance: s.meanBalance, meanCollabEntropy: s.meanCollaborationEntropy };
}

/**
 * Runs with tokens but no stored summary (committed before migration 0009 added the columns): their
 * summary from their stored totals, once, at server start. Returns how many were filled in.
 */
export async function backfillRunSummaries(db: Db): Promise<number> {
  const todo = await db
    .select({ id: runs.id })
    .from(runs)
    .where(and(sql`${runs.tokens} > 0`, isNull(runs.meanBalance), isNull(runs.meanCollabEntropy)));
  for (const { id } of todo) {
    await db.transaction(async (tx) => {
      await lockRun(tx, id);
      const rows = await tx.select().from(layerAggregates).where(eq(layerAggregates.runId, id));
      await tx
        .update(runs)
        .set(summaryColumns(rows.map(layerSumsOf)))
        .where(eq(runs.id, id));
    });
  }
  return todo.length;
}

type LayerRow = {
  layer: number;
  tokens: number;
  load: Uint8Array;
  weightSum: Uint8Array;
  coactivation: Uint8Array;
  transitions: Uint8Array | null;
};

export function layerSumsOf(r: LayerRow): LayerSums {
  return {
    layer: r.layer,
    tokens: r.tokens,
    load: bytesToF64(r.load),
    weightSum: bytesToF64(r.weightSum),
    coactivation: bytesToF64(r.coactivation),
    transitions: r.transitions ? bytesToF64(r.transitions) : null,
  };
}

export function layerRowValues(s: LayerSums): LayerRow {
  return {
    layer: s.layer,
    tokens: s.tokens,
    load: f64ToBytes(s.load),
    weightSum: f64ToBytes(s.weightSum),
    coactivation: f64ToBytes(s.coactivation),
    transitions: s.transitions ? f64ToBytes(s.transitions) : null,
  };
}

function toTextArray(values: string[]) {
  return sql`array[${sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )}]::text[]`;
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

/** Takes the run's row lock (commits and deletes of one run serialize on it); 404 when the run is gone. */
async function lockRun(tx: Tx, runId: string) {
  const locked = await tx.select({ id: runs.id }).from(runs).where(eq(runs.id, runId)).for("update");
  if (!locked.length)
    throw missing("not_found", `run "${runId}" was not found (deleted meanwhile?)`, "path parameter id");
}

/**
 * Deletes one committed upload, under the run's row lock as a commit: its raw event chunks and
 * its own sums go with it (ON DELETE CASCADE), its SHA-256 and shard key are free again, and the
 * run's aggregates become the remaining uploads' sums re-added in commit order (lib/analysis/upload-sums.ts),
 * which is bit for bit what a run that never had this upload holds.
 */
export async function deleteUpload(db: Db, runId: string, uploadId: string) {
  return db.transaction(async (tx) => {
    await lockRun(tx, runId);
    const [target] = await tx
      .select({ id: uploads.id, status: uploads.status, fileName: uploads.fileName, events: uploads.events })
      .from(uploads)
      .where(and(eq(uploads.id, uploadId), eq(uploads.runId, runId)));
    if (!target)
      throw missing("not_found", `upload "${uploadId}" was not found in run "${runId}"`, "path parameter uploadId");
    if (target.status !== "committed")
      throw conflict(
        "upload_in_progress",
        `upload "${uploadId}" is still streaming in; it counts for nothing until it commits, and is removed if it fails`,
        "path parameter uploadId",
      );
    const remaining = await tx
      .select({ id: uploads.id, hasSums: uploads.hasSums, fileName: uploads.fileName, events: uploads.events })
      .from(uploads)
      .where(and(eq(uploads.runId, runId), eq(uploads.status, "committed"), sql`${uploads.id} <> ${uploadId}`))
      .orderBy(uploads.commitNo, uploads.committedAt, uploads.id);
    const legacy = remaining.filter((u) => !u.hasSums);
    if (legacy.length) {
      throw conflict(
        "upload_sums_missing",
        `cannot remove upload "${uploadId}" exactly: ${legacy.length} other upload(s) of this run (${legacy
          .map((u) => u.fileName ?? u.id)
          .slice(0, 3)
          .join(", ")}) were committed before uploads kept their own sums; delete the run and ingest again instead`,
        "path parameter uploadId",
      );
    }
    await tx.delete(uploads).where(eq(uploads.id, uploadId));

    const totals = new Map<number, LayerSums>();
    const labelTotals = new Map<string, LabelSums>();
    for (const u of remaining) {
      addLayerSums(
        totals,
        (
          await tx
            .select()
            .from(uploadLayerSums)
            .where(eq(uploadLayerSums.uploadId, u.id))
            .orderBy(uploadLayerSums.layer)
        ).map(layerSumsOf),
      );
      const labels = await tx.select().from(uploadLabelSums).where(eq(uploadLabelSums.uploadId, u.id));
      addLabelSums(
        labelTotals,
        labels.map((r) => ({ label: r.label, tokens: bytesToF64(r.tokens), load: bytesToF64(r.load) })),
      );
    }
    await tx.delete(layerAggregates).where(eq(layerAggregates.runId, runId));
    for (const s of totals.values()) await tx.insert(layerAggregates).values({ runId, ...layerRowValues(s) });
    await tx.delete(labelLoads).where(eq(labelLoads.runId, runId));
    for (const s of labelTotals.values())
      await tx
        .insert(labelLoads)
        .values({ runId, label: s.label, tokens: f64ToBytes(s.tokens), load: f64ToBytes(s.load) });
    await tx
      .update(runs)
      .set({
        events: remaining.reduce((n, u) => n + u.events, 0),
        tokens: runTokens(totals.values()),
        ...summaryColumns(totals.values()),
        labels: sql`(select coalesce(array_agg(distinct l order by l), '{}') from "uploads" "u", unnest("u"."labels") as l where "u"."run_id" = ${runId} and "u"."status" = 'committed')`,
        updatedAt: new Date(),
      })
      .where(eq(runs.id, runId));
    return { id: target.id, fileName: target.fileName, events: target.events };
  });
}
