import { and, eq, inArray, or, sql, type AnyColumn, type SQL } from "drizzle-orm";
import { conflict, missing } from "@/lib/errors";
import { postgresErrorCode } from "../postgres-error";
import type { Viewer } from "@/lib/auth/viewer";
import { newId } from "@/lib/ids";
import type { Db } from "../client";
import { deleteUnusedModels } from "./models";
import { defaultOrder, MAX_RUNS_PAGE, type RunSort } from "@/lib/runs/run-sorts";
import { models, pruningRuns, quantResults, runs, shares, uploads, type ModelRow, type RunRow } from "../schema";
import { runVisible } from "./visibility";

export type RunWithModel = RunRow & { model: ModelRow };

export interface NewRun {
  name: string;
  description?: string;
  tags?: string[];
  visibility?: RunRow["visibility"];
  policy?: string;
  series?: string | null;
  step?: number | null;
  modelId: string;
  ownerTokenId?: string | null;
}

/** Two requests raced for one step of a series: the unique index let one through. */
async function stepRace<T>(write: Promise<T>, input: { series?: string | null; step?: number | null }): Promise<T> {
  try {
    return await write;
  } catch (e) {
    if (postgresErrorCode(e) === "23505" && input.series != null)
      throw conflict("step_taken", `step ${input.step} of series "${input.series}" is already taken`, "step");
    throw e;
  }
}

export async function createRun(db: Db, input: NewRun): Promise<RunRow> {
  const [row] = await stepRace(
    db
      .insert(runs)
      .values({
        id: newId(),
        name: input.name,
        description: input.description ?? "",
        tags: input.tags ?? [],
        visibility: input.visibility ?? "public",
        policy: input.policy ?? "vanilla",
        series: input.series ?? null,
        step: input.step ?? null,
        modelId: input.modelId,
        ownerTokenId: input.ownerTokenId ?? null,
      })
      .returning(),
    input,
  );
  return row;
}

export async function getRun(db: Db, id: string): Promise<RunWithModel | undefined> {
  const [row] = await db.select().from(runs).innerJoin(models, eq(runs.modelId, models.id)).where(eq(runs.id, id));
  return row ? { ...row.runs, model: row.models } : undefined;
}

export async function updateRun(
  db: Db,
  id: string,
  patch: Partial<
    Pick<RunRow, "name" | "description" | "tags" | "visibility" | "policy" | "series" | "step" | "ownerTokenId">
  >,
) {
  await stepRace(
    db
      .update(runs)
      .set({ ...patch, updatedAt: new Date() })
      .where(eq(runs.id, id)),
    patch,
  );
}

export interface RunFilter {
  q?: string;
  model?: string;
  tag?: string;
  /** A policy kind (`c2r`) or a whole policy (`c2r:T=1`). */
  policy?: string;
  series?: string;
  sort?: RunSort;
  order?: "asc" | "desc";
  limit?: number;
  offset?: number;
}

/**
 * What each sort orders by, the id last so equal values keep one order and pages do not overlap.
 * Each matches an index of lib/db/schema.ts ("runs_sort_*") column for column, so a sorted page is
 * an index scan; nullable columns put nulls (no series, no tokens yet) last in both directions.
 * The model's name is on another table: that sort joins and sorts (bench/runs-table measures it).
 */
function orderBy(sort: RunSort, order: "asc" | "desc"): SQL[] {
  const dir = order === "asc" ? sql`asc` : sql`desc`;
  const plain = (col: SQL | AnyColumn) => [sql`${col} ${dir}`, sql`${runs.id} ${dir}`];
  const nullsLast = (...cols: AnyColumn[]) => [
    ...cols.map((c) => sql`${c} ${dir} nulls last`),
    sql`${runs.id} ${dir}${order === "desc" ? sql` nulls last` : sql``}`,
  ];
  switch (sort) {
    case "created":
      return plain(runs.createdAt);
    case "name":
      return plain(sql`lower(${runs.name})`);
    case "model":
      return [sql`lower(${models.name}) ${dir}`, ...plain(sql`lower(${runs.name})`)];
    case "policy":
      return plain(runs.policy);
    case "series":
      return nullsLast(runs.series, runs.step);
    case "tags":
      return plain(runs.tags);
    case "tokens":
      return plain(runs.tokens);
    case "events":
      return plain(runs.events);
    case "balance":
      return nullsLast(runs.meanBalance);
    case "entropy":
      return nullsLast(runs.meanCollabEntropy);
  }
}

/**
 * The index: public runs, plus the viewer's own (all of them for an admin token or on an open
 * server, where visibility only keeps runs off other people's lists), one page of them in the
 * order asked, and how many match in all.
 */
export async function listRuns(
  db: Db,
  filter: RunFilter,
  viewer: Viewer,
): Promise<{ runs: RunWithModel[]; total: number }> {
  const where = and(
    runVisible(viewer, "list", sql`${runs.visibility}`, sql`${runs.ownerTokenId}`),
    filter.q
      ? sql`(${runs.name} ilike ${"%" + filter.q + "%"} or ${runs.description} ilike ${"%" + filter.q + "%"})`
      : undefined,
    filter.model ? sql`(${models.presetId} = ${filter.model} or ${models.name} = ${filter.model})` : undefined,
    filter.tag ? sql`${filter.tag} = any(${runs.tags})` : undefined,
    filter.series ? eq(runs.series, filter.series) : undefined,
    filter.policy
      ? or(eq(runs.policy, filter.policy), sql`${runs.policy} like ${filter.policy.replace(/[\\%_]/g, "\\$&") + ":%"}`)
      : undefined,
  );
  // Newest first unless asked.
  const sort = filter.sort ?? "created";
  const [rows, [{ total }]] = await Promise.all([
    db
      .select()
      .from(runs)
      .innerJoin(models, eq(runs.modelId, models.id))
      .where(where)
      .orderBy(...orderBy(sort, filter.order ?? defaultOrder(sort)))
      .limit(filter.limit ?? MAX_RUNS_PAGE)
      .offset(filter.offset ?? 0),
    db
      .select({ total: sql<number>`count(*)::int` })
      .from(runs)
      .innerJoin(models, eq(runs.modelId, models.id))
      .where(where),
  ]);
  return { runs: rows.map((r) => ({ ...r.runs, model: r.models })), total: Number(total) };
}

export async function listCommittedUploads(db: Db, runId: string) {
  return db
    .select()
    .from(uploads)
    .where(and(eq(uploads.runId, runId), eq(uploads.status, "committed")))
    .orderBy(uploads.committedAt);
}

export interface DeletedRun {
  id: string;
  name: string;
  uploads: number;
  pruningRuns: number;
  quantResults: number;
  shares: number;
}

/**
 * Deletes a run and everything derived from it, in one transaction under the run's row lock:
 * uploads, event chunks, aggregates and label loads, pruning runs computed on it and quantization
 * results tied to it (ON DELETE CASCADE), shares that show it (also those that name it only as a
 * comparison's second run), and the model rows nothing uses any more (each record owns one).
 */
export async function deleteRun(db: Db, id: string): Promise<DeletedRun> {
  return db.transaction(async (tx) => {
    const [run] = await tx
      .select({ id: runs.id, name: runs.name, modelId: runs.modelId })
      .from(runs)
      .where(eq(runs.id, id))
      .for("update");
    if (!run) throw missing("not_found", `run "${id}" was not found`, "path parameter id");
    const pr = await tx
      .select({ id: pruningRuns.id, modelId: pruningRuns.modelId })
      .from(pruningRuns)
      .where(eq(pruningRuns.runId, id));
    const qr = await tx
      .select({ id: quantResults.id, modelId: quantResults.modelId })
      .from(quantResults)
      .where(or(eq(quantResults.runId, id), eq(quantResults.fpRunId, id), eq(quantResults.quantRunId, id)));
    const [{ n: uploadCount }] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(uploads)
      .where(and(eq(uploads.runId, id), eq(uploads.status, "committed")));
    const gone = await tx
      .delete(shares)
      .where(or(eq(shares.runId, id), sql`${id} = any(${shares.runIds})`))
      .returning({ id: shares.id });
    await tx.delete(runs).where(eq(runs.id, id));
    await deleteUnusedModels(tx, [run.modelId, ...pr.map((r) => r.modelId), ...qr.map((r) => r.modelId)]);
    return {
      id,
      name: run.name,
      uploads: Number(uploadCount),
      pruningRuns: pr.length,
      quantResults: qr.length,
      shares: gone.length,
    };
  });
}

/** Runs by id (for permission checks on records that derive from several). */
export async function getRunsByIds(db: Db, ids: string[]): Promise<RunRow[]> {
  return ids.length ? db.select().from(runs).where(inArray(runs.id, ids)) : [];
}
