import { createRun, listRuns } from "@/lib/api/contracts/runs";
import { apiHandler } from "@/lib/api/handler";
import { requireWriter } from "@/lib/auth/viewer";
import { listRuns as list } from "@/lib/db/queries/runs";
import { createRunFromBody } from "@/lib/runs/create-run";
import { toRunView } from "@/lib/runs/run-view";

export const dynamic = "force-dynamic";

export const GET = apiHandler(listRuns, async ({ query, database, viewer }) => ({
  runs: (await list(database.db, query, await viewer())).map((r) => toRunView(r)),
}));

export const POST = apiHandler(createRun, async ({ body, database, viewer }) => {
  const who = await viewer();
  requireWriter(who);
  return toRunView(await createRunFromBody(database.db, body, who.tokenId), []);
});
