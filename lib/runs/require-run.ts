import { ApiError, notFound } from "@/lib/errors";
import { canRead, canWrite, requireWriter, type Viewer } from "@/lib/auth/viewer";
import type { Db } from "@/lib/db/client";
import { getRun, type RunWithModel } from "@/lib/db/queries/runs";

/** The run, or a 404 when it does not exist or the viewer may not read it (a private run's id does not leak). */
export async function requireRun(
  db: Db,
  id: string,
  viewer: Viewer,
  where = "path parameter id",
): Promise<RunWithModel> {
  const run = await getRun(db, id);
  if (!run || !canRead(viewer, run)) throw notFound(`run "${id}"`, where);
  return run;
}

/**
 * The run for a write (edit, upload): 401 without a token once tokens exist, 404 when the viewer
 * may not read it, 403 when it may read but not change it (another owner's run, or an ownerless one).
 */
export async function requireWritableRun(
  db: Db,
  id: string,
  viewer: Viewer,
  where = "path parameter id",
): Promise<RunWithModel> {
  requireWriter(viewer);
  const run = await requireRun(db, id, viewer, where);
  if (!canWrite(viewer, run)) {
    throw new ApiError(
      403,
      "forbidden",
      run.ownerTokenId
        ? `run "${id}" belongs to another token; only its owner or an admin token may change it`
        : `run "${id}" has no owner (it predates tokens); an admin token may change it or give it an owner`,
      where,
    );
  }
  return run;
}

/** A MoE layer index of the run's model, or a 404 saying the model's range. */
export function requireLayer(run: RunWithModel, layer: number, where = "path parameter layer"): void {
  const { layers } = run.model.config;
  if (layer >= layers)
    throw new ApiError(
      404,
      "layer_out_of_range",
      `layer ${layer} is outside [0, ${layers}) for model ${run.model.name}`,
      where,
    );
}
