import { ApiError } from "@/lib/errors";
import type { UpdateRunBody } from "@/lib/api/contracts/runs";
import { requireAdmin, type Viewer } from "@/lib/auth/viewer";
import type { Db } from "@/lib/db/client";
import { getApiTokenById } from "@/lib/db/queries/api-tokens";
import { getRun, updateRun, type RunWithModel } from "@/lib/db/queries/runs";
import { checkSeriesStep } from "./series-step";

/**
 * PATCH /api/runs/{id} on a run the viewer may change (requireWritableRun). `owner` (a token id,
 * or null) is the admin action that gives a run its owner; the rest is the owner's or an admin's.
 */
export async function updateRunFromBody(
  db: Db,
  run: RunWithModel,
  viewer: Viewer,
  body: UpdateRunBody,
): Promise<RunWithModel> {
  const { owner, ...patch } = body;
  if (owner !== undefined) {
    requireAdmin(viewer, "owner");
    if (owner !== null && !(await getApiTokenById(db, owner)))
      throw new ApiError(
        400,
        "unknown_token",
        `no API token with id "${owner}" (npm run token -- list shows them)`,
        "owner",
      );
  }
  if (patch.series !== undefined || patch.step !== undefined)
    await checkSeriesStep(
      db,
      {
        series: patch.series !== undefined ? patch.series : run.series,
        step: patch.step !== undefined ? patch.step : run.step,
      },
      run.model,
      run.id,
    );
  await updateRun(db, run.id, owner === undefined ? patch : { ...patch, ownerTokenId: owner });
  return (await getRun(db, run.id))!;
}
