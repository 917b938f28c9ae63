import { notFound } from "@/lib/api/api-error";
import { apiHandler } from "@/lib/api/handler";
import { getPruningRun } from "@/lib/db/queries/pruning-runs";
import { toPruningRunView } from "@/lib/pruning/create-pruning-run";

export const dynamic = "force-dynamic";

export const GET = apiHandler<{ id: string }>(async (_req, { params, database, viewer }) => {
  const run = await getPruningRun(database.db, await viewer(), params.id);
  if (!run) throw notFound(`pruning run "${params.id}"`, "path parameter id");
  return toPruningRunView(run);
});
