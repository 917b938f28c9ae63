import { notFound } from "@/lib/errors";
import { apiHandler } from "@/lib/api/handler";
import { deleteShareAs } from "@/lib/runs/delete-derived";
import { getShare } from "@/lib/db/queries/shares";

export const dynamic = "force-dynamic";

/** A share and everything it pinned, for who may read the runs it shows (else 404, as for the runs). */
export const GET = apiHandler<{ id: string }>(async (_req, { params, database, viewer }) => {
  const share = await getShare(database.db, params.id, await viewer());
  if (!share) throw notFound(`share "${params.id}"`, "path parameter id");
  return { id: share.id, path: share.path, runId: share.runId, state: share.state, createdAt: share.createdAt.toISOString(), snapshot: share.snapshot };
});

/** Deletes a share: its creator's token, an admin, or who may change a run it derives from (lib/runs/delete-derived.ts). */
export const DELETE = apiHandler<{ id: string }>(async (_req, { params, database, viewer }) => {
  return { deleted: await deleteShareAs(database.db, params.id, await viewer()) };
});
