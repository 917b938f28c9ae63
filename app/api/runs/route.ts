import { createRun, listRuns } from "@/lib/api/contracts/runs";
import { apiHandler } from "@/lib/api/handler";
import { requireWriter } from "@/lib/auth/viewer";
import { listRuns as list } from "@/lib/db/queries/runs";
import { createRunFromBody } from "@/lib/runs/create-run";
import { MAX_RUNS_PAGE } from "@/lib/runs/run-sorts";
import { toRunView } from "@/lib/runs/run-view";

export const dynamic = "force-dynamic";

export const GET = apiHandler(listRuns, async ({ query, database, viewer }) => {
  const page = await list(database.db, query, await viewer());
  return {
    runs: page.runs.map((r) => toRunView(r)),
    total: page.total,
    limit: query.limit ?? MAX_RUNS_PAGE,
    offset: query.offset ?? 0,
  };
});

export const POST = apiHandler(createRun, async ({ body, database, viewer }) => {
  const who = await viewer();
  requireWriter(who);
  return toRunView(await createRunFromBody(database.db, body, who.tokenId), []);
});
