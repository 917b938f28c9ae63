import { deleteUpload } from "@/lib/api/contracts/runs";
import { apiHandler } from "@/lib/api/handler";
import { getRun, listCommittedUploads } from "@/lib/db/queries/runs";
import { deleteUploadAs } from "@/lib/runs/delete-run";
import { toRunView } from "@/lib/runs/run-view";

export const dynamic = "force-dynamic";

/**
 * Takes one upload out of a run: its events and sums no longer count (the aggregates are those of a
 * run that never had it), its raw chunks are removed, and the same file may be uploaded again.
 */
export const DELETE = apiHandler(deleteUpload, async ({ params, database, viewer }) => {
  const deleted = await deleteUploadAs(database.db, params.id, params.uploadId, await viewer());
  const run = (await getRun(database.db, params.id))!;
  return { deleted, run: toRunView(run, await listCommittedUploads(database.db, run.id)) };
});
