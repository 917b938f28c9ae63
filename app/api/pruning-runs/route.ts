import { createPruningRun, listPruningRuns } from "@/lib/api/contracts/results";
import { apiHandler } from "@/lib/api/handler";
import { requireWriter } from "@/lib/auth/viewer";
import { listPruningRuns as list } from "@/lib/db/queries/pruning-runs";
import { createPruningRuns, toPruningRunView } from "@/lib/pruning/create-pruning-run";

export const dynamic = "force-dynamic";

export const GET = apiHandler(listPruningRuns, async ({ query, database, viewer }) => ({
  pruningRuns: (await list(database.db, await viewer(), query)).map(toPruningRunView),
}));

export const POST = apiHandler(createPruningRun, async ({ body, database, viewer }) => {
  const who = await viewer();
  requireWriter(who);
  const [run] = await createPruningRuns(database.db, [body], who);
  return toPruningRunView(run);
});
