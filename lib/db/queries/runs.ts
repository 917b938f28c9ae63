import { and, desc, eq, sql } from "drizzle-orm";
import type { Viewer } from "@/lib/auth/viewer";
import { newId } from "@/lib/ids";
import type { Db } from "../client";
import { models, runs, uploads, type ModelRow, type RunRow } from "../schema";
import { runVisible } from "./visibility";

export type RunWithModel = RunRow & { model: ModelRow };

export interface NewRun {
  name: string;
  description?: string;
  tags?: string[];
  visibility?: RunRow["visibility"];
  policy?: string;
  modelId: string;
  ownerTokenId?: string | null;
}

export async function createRun(db: Db, input: NewRun): Promise<RunRow> {
  const [row] = await db
    .insert(runs)
    .values({
      id: newId(),
      name: input.name,
      description: input.description ?? "",
      tags: input.tags ?? [],
      visibility: input.visibility ?? "public",
      policy: input.policy ?? "vanilla",
      modelId: input.modelId,
      ownerTokenId: input.ownerTokenId ?? null,
    })
    .returning();
  return row;
}

export async function getRun(db: Db, id: string): Promise<RunWithModel | undefined> {
  const [row] = await db.select().from(runs).innerJoin(models, eq(runs.modelId, models.id)).where(eq(runs.id, id));
  return row ? { ...row.runs, model: row.models } : undefined;
}

export async function updateRun(db: Db, id: string, patch: Partial<Pick<RunRow, "name" | "description" | "tags" | "visibility" | "ownerTokenId">>) {
  await db.update(runs).set({ ...patch, updatedAt: new Date() }).where(eq(runs.id, id));
}

export interface RunFilter {
  q?: string;
  model?: string;
  tag?: string;
}

/**
 * The index: public runs, plus the viewer's own (all of them for an admin token or on an open
 * server, where visibility only keeps runs off other people's lists).
 */
export async function listRuns(db: Db, filter: RunFilter, viewer: Viewer): Promise<RunWithModel[]> {
  const where = and(
    runVisible(viewer, "list", sql`${runs.visibility}`, sql`${runs.ownerTokenId}`),
    filter.q ? sql`(${runs.name} ilike ${"%" + filter.q + "%"} or ${runs.description} ilike ${"%" + filter.q + "%"})` : undefined,
    filter.model ? sql`(${models.presetId} = ${filter.model} or ${models.name} = ${filter.model})` : undefined,
    filter.tag ? sql`${filter.tag} = any(${runs.tags})` : undefined,
  );
  const rows = await db.select().from(runs).innerJoin(models, eq(runs.modelId, models.id)).where(where).orderBy(desc(runs.createdAt));
  return rows.map((r) => ({ ...r.runs, model: r.models }));
}

export async function listCommittedUploads(db: Db, runId: string) {
  return db
    .select()
    .from(uploads)
    .where(and(eq(uploads.runId, runId), eq(uploads.status, "committed")))
    .orderBy(uploads.committedAt);
}
