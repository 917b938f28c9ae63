import { ApiError, notFound } from "@/lib/errors";
import { canWrite, requireWriter, type Viewer } from "@/lib/auth/viewer";
import type { Db } from "@/lib/db/client";
import { deletePruningRun, getPruningRun } from "@/lib/db/queries/pruning-runs";
import { deleteQuantResult, listQuantResults } from "@/lib/db/queries/quant-results";
import { getRunsByIds } from "@/lib/db/queries/runs";
import { deleteShare, getShare, shareRunIds } from "@/lib/db/queries/shares";

/**
 * Whose a pruning run, a quantization result or a share is (docs/DECISIONS.md): the token that
 * created it, an admin token, and whoever may change one of the runs it derives from (deleting
 * that run would take it anyway; a run's owner decides what of it stays published). Records
 * without an owner and without runs (the papers' results, or made on an open server) are an
 * admin's. On an open server (no tokens) anyone may. A record the viewer may not read is a 404.
 */
async function requireDeletable(
  db: Db,
  viewer: Viewer,
  what: string,
  ownerTokenId: string | null,
  runIds: (string | null)[],
) {
  requireWriter(viewer);
  if (canWrite(viewer, { visibility: "public", ownerTokenId })) return;
  const runs = await getRunsByIds(
    db,
    runIds.filter((x): x is string => x !== null),
  );
  if (runs.some((r) => canWrite(viewer, r))) return;
  throw new ApiError(
    403,
    "forbidden",
    `${what} belongs to another token; only its creator, an admin token, or the owner of a run it derives from may delete it`,
    "path parameter id",
  );
}

export async function deletePruningRunAs(db: Db, id: string, viewer: Viewer) {
  const row = await getPruningRun(db, viewer, id);
  if (!row) throw notFound(`pruning run "${id}"`, "path parameter id");
  await requireDeletable(db, viewer, `pruning run "${id}"`, row.ownerTokenId, [row.runId]);
  await deletePruningRun(db, id);
  return { id, name: row.name };
}

export async function deleteQuantResultAs(db: Db, id: string, viewer: Viewer) {
  const [row] = await listQuantResults(db, viewer, { id });
  if (!row) throw notFound(`quantization result "${id}"`, "path parameter id");
  await requireDeletable(db, viewer, `quantization result "${id}"`, row.ownerTokenId, [
    row.runId,
    row.fpRunId,
    row.quantRunId,
  ]);
  await deleteQuantResult(db, id);
  return { id, name: row.name };
}

export async function deleteShareAs(db: Db, id: string, viewer: Viewer) {
  const row = await getShare(db, id, viewer);
  if (!row) throw notFound(`share "${id}"`, "path parameter id");
  await requireDeletable(db, viewer, `share "${id}"`, row.ownerTokenId, shareRunIds(row));
  await deleteShare(db, id);
  return { id, path: row.path };
}
