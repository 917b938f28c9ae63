import { notFound } from "@/lib/api/api-error";
import { apiHandler } from "@/lib/api/handler";
import { getShare } from "@/lib/db/queries/shares";

export const dynamic = "force-dynamic";

/** A share and everything it pinned, for who may read the runs it shows (else 404, as for the runs). */
export const GET = apiHandler<{ id: string }>(async (_req, { params, database, viewer }) => {
  const share = await getShare(database.db, params.id, await viewer());
  if (!share) throw notFound(`share "${params.id}"`, "path parameter id");
  return { id: share.id, path: share.path, runId: share.runId, state: share.state, createdAt: share.createdAt.toISOString(), snapshot: share.snapshot };
});
