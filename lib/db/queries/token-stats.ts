import { and, asc, eq, gte, inArray, lte, sql } from "drizzle-orm";
import type {
  Occurrences,
  SequenceSegment,
  SparseCounts,
  TokenCell,
  UploadTokenStats,
} from "@/lib/analysis/token-stats";
import type { Db, Tx } from "../client";
import { runVocabularies, uploads, uploadSequenceTokens, uploadTokenCells, uploadTokenStrings } from "../schema";

/** Token statistics' rows (issue 15): written in the transaction that commits their upload, read for a run. */

const bytes = (a: Int32Array | Float32Array | Float64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
// Copies: driver buffers need not be aligned.
const i32 = (b: Uint8Array) => new Int32Array(new Uint8Array(b).buffer);
const f32 = (b: Uint8Array) => new Float32Array(new Uint8Array(b).buffer);
const f64 = (b: Uint8Array) => new Float64Array(new Uint8Array(b).buffer);

/** Rows per INSERT: a few hundred keeps each statement well under any parameter limit. */
const PER_INSERT = 200;

async function insertAll<T>(rows: T[], write: (part: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += PER_INSERT) await write(rows.slice(i, i + PER_INSERT));
}

/** One part of a staging upload's counts (lib/analysis/token-stats.ts takeCounts): invisible until the upload commits. */
export async function insertTokenCells(
  db: Db | Tx,
  uploadId: string,
  runId: string,
  partNo: number,
  cells: readonly TokenCell[],
) {
  await insertAll([...cells], (part) =>
    db.insert(uploadTokenCells).values(
      part.map((c) => ({
        uploadId,
        runId,
        part: partNo,
        layer: c.layer,
        expert: c.expert,
        label: c.label,
        tokenIds: bytes(c.tokenIds),
        counts: bytes(c.counts),
        sampleSeq: c.sample ? bytes(c.sample.seq) : null,
        samplePos: c.sample ? bytes(c.sample.pos) : null,
        sampleToken: c.sample ? bytes(c.sample.tokenId) : null,
        sampleWeight: c.sample ? bytes(c.sample.weight) : null,
      })),
    ),
  );
}

/**
 * Stores the rest of one upload's token statistics (its last counts, the samples, sequences, strings);
 * called inside commitUpload's transaction, so they count exactly when the upload does.
 */
export async function insertUploadTokenStats(tx: Tx, uploadId: string, runId: string, s: UploadTokenStats) {
  // After every part written while the upload streamed.
  const [{ next }] = await tx
    .select({ next: sql<number>`coalesce(max(${uploadTokenCells.part}), -1) + 1` })
    .from(uploadTokenCells)
    .where(eq(uploadTokenCells.uploadId, uploadId));
  await insertTokenCells(tx, uploadId, runId, Number(next), s.cells);
  await insertAll(s.segments, (part) =>
    tx.insert(uploadSequenceTokens).values(
      part.map((g) => ({
        uploadId,
        runId,
        seq: g.seq,
        firstPos: g.firstPos,
        length: g.tokenIds.length,
        tokenIds: bytes(g.tokenIds),
      })),
    ),
  );
  if (s.strings.size) {
    const ids = [...s.strings.keys()].sort((a, b) => a - b);
    await tx.insert(uploadTokenStrings).values({
      uploadId,
      runId,
      tokenIds: bytes(Int32Array.from(ids)),
      strings: ids.map((id) => s.strings.get(id)!),
    });
  }
}

export interface StoredCell extends SparseCounts {
  expert: number;
  label: string;
  sample: Occurrences | null;
}

/** The run's cells of one layer (all its uploads and labels), for the experts asked (null: all, and the layer's own counts). */
export async function getTokenCells(
  db: Db,
  runId: string,
  layer: number,
  experts: readonly number[] | null,
  withSamples = true,
): Promise<StoredCell[]> {
  const rows = await db
    .select({
      expert: uploadTokenCells.expert,
      label: uploadTokenCells.label,
      tokenIds: uploadTokenCells.tokenIds,
      counts: uploadTokenCells.counts,
      sampleSeq: withSamples ? uploadTokenCells.sampleSeq : sql<null>`null`,
      samplePos: withSamples ? uploadTokenCells.samplePos : sql<null>`null`,
      sampleToken: withSamples ? uploadTokenCells.sampleToken : sql<null>`null`,
      sampleWeight: withSamples ? uploadTokenCells.sampleWeight : sql<null>`null`,
    })
    .from(uploadTokenCells)
    .innerJoin(uploads, eq(uploads.id, uploadTokenCells.uploadId))
    .where(
      and(
        eq(uploadTokenCells.runId, runId),
        eq(uploads.status, "committed"),
        eq(uploadTokenCells.layer, layer),
        experts ? inArray(uploadTokenCells.expert, [...experts]) : undefined,
      ),
    );
  return rows.map((r) => ({
    expert: r.expert,
    label: r.label,
    tokenIds: i32(r.tokenIds),
    counts: f64(r.counts),
    sample:
      r.sampleSeq && r.samplePos && r.sampleToken && r.sampleWeight
        ? { seq: i32(r.sampleSeq), pos: i32(r.samplePos), tokenId: i32(r.sampleToken), weight: f32(r.sampleWeight) }
        : null,
  }));
}

/** Whether any upload of the run carried token ids. */
export async function hasTokenStats(db: Db, runId: string): Promise<boolean> {
  const [row] = await db
    .select({ one: sql<number>`1` })
    .from(uploadTokenCells)
    .innerJoin(uploads, eq(uploads.id, uploadTokenCells.uploadId))
    .where(and(eq(uploadTokenCells.runId, runId), eq(uploads.status, "committed")))
    .limit(1);
  return !!row;
}

/** Stored segments of sequence `seq` that overlap positions [from, to), earliest committed upload first. */
export async function getSequenceSegments(
  db: Db,
  runId: string,
  seq: number,
  from: number,
  to: number,
): Promise<SequenceSegment[]> {
  return (await getSegmentsOf(db, runId, [seq], from, to)).get(seq) ?? [];
}

/** Segments of several sequences overlapping positions [from, to), in one query; per sequence, earliest committed upload first. */
export async function getSegmentsOf(
  db: Db,
  runId: string,
  seqs: readonly number[],
  from: number,
  to: number,
): Promise<Map<number, SequenceSegment[]>> {
  const out = new Map<number, SequenceSegment[]>();
  if (!seqs.length) return out;
  const rows = await db
    .select({
      seq: uploadSequenceTokens.seq,
      firstPos: uploadSequenceTokens.firstPos,
      tokenIds: uploadSequenceTokens.tokenIds,
    })
    .from(uploadSequenceTokens)
    .innerJoin(uploads, eq(uploads.id, uploadSequenceTokens.uploadId))
    .where(
      and(
        eq(uploadSequenceTokens.runId, runId),
        inArray(uploadSequenceTokens.seq, [...seqs]),
        lte(uploadSequenceTokens.firstPos, to - 1),
        gte(sql`${uploadSequenceTokens.firstPos} + ${uploadSequenceTokens.length}`, from + 1),
      ),
    )
    .orderBy(asc(uploads.commitNo), asc(uploadSequenceTokens.firstPos));
  for (const r of rows) {
    const list = out.get(r.seq) ?? [];
    list.push({ seq: r.seq, firstPos: r.firstPos, tokenIds: i32(r.tokenIds) });
    out.set(r.seq, list);
  }
  return out;
}

/** The run's sequences that have token ids: id and number of positions known (largest position + 1). */
export async function listSequences(db: Db, runId: string, limit: number) {
  const rows = await db
    .select({
      seq: uploadSequenceTokens.seq,
      length: sql<number>`max(${uploadSequenceTokens.firstPos} + ${uploadSequenceTokens.length})`,
    })
    .from(uploadSequenceTokens)
    .where(eq(uploadSequenceTokens.runId, runId))
    .groupBy(uploadSequenceTokens.seq)
    .orderBy(asc(uploadSequenceTokens.seq))
    .limit(limit);
  return rows.map((r) => ({ seq: r.seq, length: Number(r.length) }));
}

/** Token strings of the run: the uploaded vocabulary, else what its traces carried (earliest upload first). */
export async function getRunVocabulary(
  db: Db,
  runId: string,
): Promise<{ tokens: Map<number, string>; byteLevel: boolean; source: "uploaded" | "trace" | null; size: number }> {
  const [vocab] = await db.select().from(runVocabularies).where(eq(runVocabularies.runId, runId));
  const tokens = new Map<number, string>();
  if (vocab) {
    vocab.tokens.forEach((t, i) => t && tokens.set(i, t));
    return { tokens, byteLevel: vocab.byteLevel, source: "uploaded", size: vocab.size };
  }
  const rows = await db
    .select({ tokenIds: uploadTokenStrings.tokenIds, strings: uploadTokenStrings.strings })
    .from(uploadTokenStrings)
    .innerJoin(uploads, eq(uploads.id, uploadTokenStrings.uploadId))
    .where(eq(uploadTokenStrings.runId, runId))
    .orderBy(asc(uploads.commitNo));
  for (const r of rows) {
    const ids = i32(r.tokenIds);
    ids.forEach((id, i) => tokens.has(id) || tokens.set(id, r.strings[i]));
  }
  return { tokens, byteLevel: false, source: rows.length ? "trace" : null, size: tokens.size };
}

/** Sets (replaces) the run's vocabulary. */
export async function putRunVocabulary(db: Db, runId: string, tokens: string[], byteLevel: boolean) {
  const values = { runId, size: tokens.length, tokens, byteLevel, createdAt: new Date() };
  await db
    .insert(runVocabularies)
    .values(values)
    .onConflictDoUpdate({
      target: runVocabularies.runId,
      set: { size: values.size, tokens, byteLevel, createdAt: values.createdAt },
    });
}

export async function deleteRunVocabulary(db: Db, runId: string): Promise<boolean> {
  const rows = await db
    .delete(runVocabularies)
    .where(eq(runVocabularies.runId, runId))
    .returning({ id: runVocabularies.runId });
  return rows.length > 0;
}
