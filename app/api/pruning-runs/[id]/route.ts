import { notFound } from "@/lib/errors";
import { apiHandler } from "@/lib/api/handler";
import { deletePruningRunAs } from "@/lib/runs/delete-derived";
import { getPruningRun } from "@/lib/db/queries/pruning-runs";
import { toPruningRunView } from "@/lib/pruning/create-pruning-run";

export const dynamic = "force-dynamic";

export const GET = apiHandler<{ id: string }>(async (_req, { params, database, viewer }) => {
  const run = await getPruningRun(database.db, await viewer(), params.id);
  if (!run) throw notFound(`pruning run "${params.id}"`, "path parameter id");
  return toPruningRunView(run);
});

/** Deletes a pruning run: its creator's token, an admin, or who may change a run it derives from (lib/runs/delete-derived.ts). */
export const DELETE = apiHandler<{ id: string }>(async (_req, { params, database, viewer }) => {
  return { deleted: await deletePruningRunAs(database.db, params.id, await viewer()) };
});
