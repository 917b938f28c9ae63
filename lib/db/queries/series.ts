import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Viewer } from "@/lib/auth/viewer";
import type { Db } from "../client";
import { models, runs, seriesStepMetrics, uploads } from "../schema";
import type { RunWithModel } from "./runs";
import { runVisible } from "./visibility";

/**
 * The runs of a series the viewer may read (canRead: all but other people's private runs), in step
 * order. A series is reached by its name as a run is by its id, so unlisted steps are in it.
 */
export async function listSeriesRuns(db: Db, series: string, viewer: Viewer): Promise<RunWithModel[]> {
  const rows = await db
    .select()
    .from(runs)
    .innerJoin(models, eq(runs.modelId, models.id))
    .where(and(eq(runs.series, series), runVisible(viewer, "read", sql`${runs.visibility}`, sql`${runs.ownerTokenId}`)))
    .orderBy(asc(runs.step));
  return rows.map((r) => ({ ...r.runs, model: r.models }));
}

/**
 * What a run's sums derive from: its committed uploads (ids in order). Any commit or delete changes
 * it, so a cached answer with another fingerprint is stale. One query for all the runs.
 */
export async function uploadFingerprints(db: Db, runIds: string[]): Promise<Map<string, string>> {
  const out = new Map(runIds.map((id) => [id, ""]));
  if (!runIds.length) return out;
  const rows = await db
    .select({ runId: uploads.runId, ids: sql<string>`string_agg(${uploads.id}, ',' order by ${uploads.id})` })
    .from(uploads)
    .where(and(inArray(uploads.runId, runIds), eq(uploads.status, "committed")))
    .groupBy(uploads.runId);
  for (const r of rows) out.set(r.runId, r.ids);
  return out;
}

export async function getSeriesStepMetrics(db: Db, runIds: string[], key: string) {
  if (!runIds.length) return new Map<string, { fingerprint: string; answer: unknown }>();
  const rows = await db
    .select()
    .from(seriesStepMetrics)
    .where(and(inArray(seriesStepMetrics.runId, runIds), eq(seriesStepMetrics.key, key)));
  return new Map(rows.map((r) => [r.runId, { fingerprint: r.fingerprint, answer: r.answer }]));
}

export async function putSeriesStepMetrics(db: Db, runId: string, key: string, fingerprint: string, answer: unknown) {
  await db
    .insert(seriesStepMetrics)
    .values({ runId, key, fingerprint, answer })
    .onConflictDoUpdate({
      target: [seriesStepMetrics.runId, seriesStepMetrics.key],
      set: { fingerprint, answer, computedAt: new Date() },
    });
}
