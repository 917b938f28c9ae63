import { notFound } from "@/lib/errors";
import { deletePruningRun, getPruningRun } from "@/lib/api/contracts/results";
import { apiHandler } from "@/lib/api/handler";
import { deletePruningRunAs } from "@/lib/runs/delete-derived";
import { getPruningRun as findPruningRun } from "@/lib/db/queries/pruning-runs";
import { toPruningRunView } from "@/lib/pruning/create-pruning-run";

export const dynamic = "force-dynamic";

export const GET = apiHandler(getPruningRun, async ({ params, database, viewer }) => {
  const run = await findPruningRun(database.db, await viewer(), params.id);
  if (!run) throw notFound(`pruning run "${params.id}"`, "path parameter id");
  return toPruningRunView(run);
});

/** Deletes a pruning run: its creator's token, an admin, or who may change a run it derives from (lib/runs/delete-derived.ts). */
export const DELETE = apiHandler(deletePruningRun, async ({ params, database, viewer }) => ({
  deleted: await deletePruningRunAs(database.db, params.id, await viewer()),
}));
