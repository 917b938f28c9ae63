import { and, asc, eq, sql } from "drizzle-orm";
import type { Viewer } from "@/lib/auth/viewer";
import type { Db } from "../client";
import { models, runs } from "../schema";
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
