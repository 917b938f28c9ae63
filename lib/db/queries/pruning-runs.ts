import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { Viewer } from "@/lib/auth/viewer";
import type { Db } from "../client";
import { models, pruningRuns, type ModelRow, type PruningRunRow } from "../schema";
import { deleteUnusedModels } from "./models";
import { derivedVisible } from "./visibility";

export type PruningRunWithModel = PruningRunRow & { model: ModelRow };

export async function insertPruningRun(db: Db, row: typeof pruningRuns.$inferInsert) {
  const [out] = await db.insert(pruningRuns).values(row).returning();
  return out;
}

export interface PruningFilter {
  model?: string;
  criterion?: string;
  schedule?: string;
  ids?: string[];
}

/**
 * Newest first; `model` is a preset id or model name, `criterion` matches "EAN" or "Min-EAN". A
 * pruning run computed on a trace is as visible as that run: listed where the run would be listed,
 * or, asked for by `ids`, where the run could be opened.
 */
export async function listPruningRuns(db: Db, viewer: Viewer, f: PruningFilter = {}): Promise<PruningRunWithModel[]> {
  const m = f.criterion ? /^(min|max)[-_ ](.+)$/i.exec(f.criterion) : null;
  const where = and(
    f.model ? sql`(${models.presetId} = ${f.model} or ${models.name} = ${f.model})` : undefined,
    f.criterion
      ? m
        ? and(
            sql`lower(${pruningRuns.criterion}) = lower(${m[2]})`,
            eq(pruningRuns.direction, m[1].toLowerCase() as "min" | "max"),
          )
        : sql`lower(${pruningRuns.criterion}) = lower(${f.criterion})`
      : undefined,
    f.schedule ? eq(pruningRuns.schedule, f.schedule as PruningRunRow["schedule"]) : undefined,
    f.ids ? inArray(pruningRuns.id, f.ids) : undefined,
    derivedVisible(viewer, f.ids ? "read" : "list", pruningRuns.runId),
  );
  const rows = await db
    .select()
    .from(pruningRuns)
    .innerJoin(models, eq(pruningRuns.modelId, models.id))
    .where(where)
    .orderBy(desc(pruningRuns.createdAt), pruningRuns.id);
  return rows.map((r) => ({ ...r.pruning_runs, model: r.models }));
}

/** One pruning run, when it exists and the viewer may read the run it was computed on. */
export async function getPruningRun(db: Db, viewer: Viewer, id: string): Promise<PruningRunWithModel | undefined> {
  const [r] = await db
    .select()
    .from(pruningRuns)
    .innerJoin(models, eq(pruningRuns.modelId, models.id))
    .where(and(eq(pruningRuns.id, id), derivedVisible(viewer, "read", pruningRuns.runId)));
  return r ? { ...r.pruning_runs, model: r.models } : undefined;
}

/** Deletes a pruning run and its model row (each pruning run owns one). */
export async function deletePruningRun(db: Db, id: string) {
  await db.transaction(async (tx) => {
    const [gone] = await tx
      .delete(pruningRuns)
      .where(eq(pruningRuns.id, id))
      .returning({ modelId: pruningRuns.modelId });
    if (gone) await deleteUnusedModels(tx, [gone.modelId]);
  });
}
