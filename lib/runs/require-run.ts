import { notFound } from "@/lib/api/api-error";
import { canRead, type Viewer } from "@/lib/auth/viewer";
import type { Db } from "@/lib/db/client";
import { getRun, type RunWithModel } from "@/lib/db/queries/runs";

/** The run, or a 404 when it does not exist or the viewer may not read it (a private run's id does not leak). */
export async function requireRun(db: Db, id: string, viewer: Viewer, where = "path parameter id"): Promise<RunWithModel> {
  const run = await getRun(db, id);
  if (!run || !canRead(viewer, run)) throw notFound(`run "${id}"`, where);
  return run;
}
