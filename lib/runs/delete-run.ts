import type { Viewer } from "@/lib/auth/viewer";
import type { Db } from "@/lib/db/client";
import { deleteRun, type DeletedRun } from "@/lib/db/queries/runs";
import { deleteUpload } from "@/lib/db/queries/uploads";
import { requireWritableRun } from "./require-run";

/** DELETE /api/runs/{id}: the run's owner token or an admin (401/403/404 as for any write). */
export async function deleteRunAs(db: Db, id: string, viewer: Viewer): Promise<DeletedRun> {
  await requireWritableRun(db, id, viewer);
  return deleteRun(db, id);
}

/** DELETE /api/runs/{id}/uploads/{uploadId}: who may change the run may take an upload out of it. */
export async function deleteUploadAs(db: Db, runId: string, uploadId: string, viewer: Viewer) {
  await requireWritableRun(db, runId, viewer);
  return deleteUpload(db, runId, uploadId);
}
