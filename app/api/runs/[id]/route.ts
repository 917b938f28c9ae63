import { ApiError } from "@/lib/api/api-error";
import { apiHandler, readJson } from "@/lib/api/handler";
import { updateRunBodySchema } from "@/lib/api/schemas";
import { requireWriter } from "@/lib/auth/viewer";
import { getRun, listCommittedUploads, updateRun } from "@/lib/db/queries/runs";
import { requireRun } from "@/lib/runs/require-run";
import { toRunView } from "@/lib/runs/run-view";

export const dynamic = "force-dynamic";

export const GET = apiHandler<{ id: string }>(async (_req, { params, database, viewer }) => {
  const run = await requireRun(database.db, params.id, await viewer());
  return toRunView(run, await listCommittedUploads(database.db, run.id));
});

/** Rename, retag, or change visibility. A run with an owner changes visibility only by its owner's token. */
export const PATCH = apiHandler<{ id: string }>(async (req, { params, database, viewer }) => {
  const who = await viewer();
  requireWriter(who);
  const run = await requireRun(database.db, params.id, who);
  const patch = updateRunBodySchema.parse(await readJson(req));
  if (patch.visibility && !who.open && run.ownerTokenId && run.ownerTokenId !== who.tokenId) {
    throw new ApiError(403, "forbidden", "only the token that created this run may change its visibility", "visibility");
  }
  await updateRun(database.db, run.id, patch);
  return toRunView((await getRun(database.db, run.id))!, await listCommittedUploads(database.db, run.id));
});
