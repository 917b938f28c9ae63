import { apiHandler, readJson } from "@/lib/api/handler";
import { updateRunBodySchema } from "@/lib/api/schemas";
import { listCommittedUploads } from "@/lib/db/queries/runs";
import { requireRun, requireWritableRun } from "@/lib/runs/require-run";
import { deleteRunAs } from "@/lib/runs/delete-run";
import { updateRunFromBody } from "@/lib/runs/update-run";
import { toRunView } from "@/lib/runs/run-view";

export const dynamic = "force-dynamic";

export const GET = apiHandler<{ id: string }>(async (_req, { params, database, viewer }) => {
  const run = await requireRun(database.db, params.id, await viewer());
  return toRunView(run, await listCommittedUploads(database.db, run.id));
});

/** Rename, retag, describe, change visibility or policy, or (admins) give an owner: the run's owner token or an admin token. */
export const PATCH = apiHandler<{ id: string }>(async (req, { params, database, viewer }) => {
  const who = await viewer();
  const run = await requireWritableRun(database.db, params.id, who);
  const updated = await updateRunFromBody(database.db, run, who, updateRunBodySchema.parse(await readJson(req)));
  return toRunView(updated, await listCommittedUploads(database.db, run.id));
});

/** Deletes the run and all that derives from it (uploads, aggregates, pruning runs, quantization results, shares): its owner token or an admin. */
export const DELETE = apiHandler<{ id: string }>(async (_req, { params, database, viewer }) => {
  return { deleted: await deleteRunAs(database.db, params.id, await viewer()) };
});
