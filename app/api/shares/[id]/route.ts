import { notFound } from "@/lib/errors";
import { deleteShare, getShare } from "@/lib/api/contracts/system";
import type { AnswerOf } from "@/lib/api/contract";
import { apiHandler } from "@/lib/api/handler";
import { deleteShareAs } from "@/lib/runs/delete-derived";
import { getShare as findShare } from "@/lib/db/queries/shares";

export const dynamic = "force-dynamic";

/** A share and everything it pinned, for who may read the runs it shows (else 404, as for the runs). */
export const GET = apiHandler(getShare, async ({ params, database, viewer }) => {
  const share = await findShare(database.db, params.id, await viewer());
  if (!share) throw notFound(`share "${params.id}"`, "path parameter id");
  // state and snapshot are jsonb (untyped in the table): what pinView stored; the contract check says whether it still is.
  type Pinned = AnswerOf<typeof getShare>;
  return {
    id: share.id,
    path: share.path,
    runId: share.runId,
    state: share.state as Pinned["state"],
    createdAt: share.createdAt.toISOString(),
    snapshot: share.snapshot as Pinned["snapshot"],
  };
});

/** Deletes a share: its creator's token, an admin, or who may change a run it derives from (lib/runs/delete-derived.ts). */
export const DELETE = apiHandler(deleteShare, async ({ params, database, viewer }) => ({
  deleted: await deleteShareAs(database.db, params.id, await viewer()),
}));
