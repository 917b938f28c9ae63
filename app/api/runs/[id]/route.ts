import { ApiError } from "@/lib/api/api-error";
import { apiHandler, readJson } from "@/lib/api/handler";
import { updateRunBodySchema } from "@/lib/api/schemas";
import { requireAdmin } from "@/lib/auth/viewer";
import { getApiTokenById } from "@/lib/db/queries/api-tokens";
import { getRun, listCommittedUploads, updateRun } from "@/lib/db/queries/runs";
import { requireRun, requireWritableRun } from "@/lib/runs/require-run";
import { toRunView } from "@/lib/runs/run-view";

export const dynamic = "force-dynamic";

export const GET = apiHandler<{ id: string }>(async (_req, { params, database, viewer }) => {
  const run = await requireRun(database.db, params.id, await viewer());
  return toRunView(run, await listCommittedUploads(database.db, run.id));
});

/**
 * Rename, retag, or change visibility: the run's owner token or an admin token (anyone on an
 * open server). `owner` (a token id, or null) is the admin action that gives a run its owner.
 */
export const PATCH = apiHandler<{ id: string }>(async (req, { params, database, viewer }) => {
  const who = await viewer();
  const run = await requireWritableRun(database.db, params.id, who);
  const { owner, ...patch } = updateRunBodySchema.parse(await readJson(req));
  let ownerTokenId: string | null | undefined;
  if (owner !== undefined) {
    requireAdmin(who, "owner");
    if (owner !== null && !(await getApiTokenById(database.db, owner))) throw new ApiError(400, "unknown_token", `no API token with id "${owner}" (npm run token -- list shows them)`, "owner");
    ownerTokenId = owner;
  }
  await updateRun(database.db, run.id, { ...patch, ...(ownerTokenId !== undefined ? { ownerTokenId } : {}) });
  return toRunView((await getRun(database.db, run.id))!, await listCommittedUploads(database.db, run.id));
});
