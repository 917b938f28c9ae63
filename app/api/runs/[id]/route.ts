import { deleteRun, getRun, updateRun } from "@/lib/api/contracts/runs";
import { apiHandler } from "@/lib/api/handler";
import { listCommittedUploads } from "@/lib/db/queries/runs";
import { requireRun, requireWritableRun } from "@/lib/runs/require-run";
import { deleteRunAs } from "@/lib/runs/delete-run";
import { updateRunFromBody } from "@/lib/runs/update-run";
import { toRunView } from "@/lib/runs/run-view";

export const dynamic = "force-dynamic";

export const GET = apiHandler(getRun, async ({ params, database, viewer }) => {
  const run = await requireRun(database.db, params.id, await viewer());
  return toRunView(run, await listCommittedUploads(database.db, run.id));
});

/** Rename, retag, describe, change visibility or policy, or (admins) give an owner: the run's owner token or an admin token. */
export const PATCH = apiHandler(updateRun, async ({ params, body, database, viewer }) => {
  const who = await viewer();
  const run = await requireWritableRun(database.db, params.id, who);
  const updated = await updateRunFromBody(database.db, run, who, body);
  return toRunView(updated, await listCommittedUploads(database.db, run.id));
});

/** Deletes the run and all that derives from it (uploads, aggregates, pruning runs, quantization results, shares): its owner token or an admin. */
export const DELETE = apiHandler(deleteRun, async ({ params, database, viewer }) => ({
  deleted: await deleteRunAs(database.db, params.id, await viewer()),
}));
