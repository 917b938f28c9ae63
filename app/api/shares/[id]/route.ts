import { notFound } from "@/lib/api/api-error";
import { apiHandler } from "@/lib/api/handler";
import { getShare } from "@/lib/db/queries/shares";

export const dynamic = "force-dynamic";

/** A share and everything it pinned; the id is the capability, so no visibility check applies. */
export const GET = apiHandler<{ id: string }>(async (_req, { params, database }) => {
  const share = await getShare(database.db, params.id);
  if (!share) throw notFound(`share "${params.id}"`, "path parameter id");
  return { id: share.id, path: share.path, runId: share.runId, state: share.state, createdAt: share.createdAt.toISOString(), snapshot: share.snapshot };
});
