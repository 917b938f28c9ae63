import { apiHandler, readJson } from "@/lib/api/handler";
import { createRunBodySchema, listRunsQuerySchema } from "@/lib/api/schemas";
import { requireWriter } from "@/lib/auth/viewer";
import { listRuns } from "@/lib/db/queries/runs";
import { createRunFromBody } from "@/lib/runs/create-run";
import { toRunView } from "@/lib/runs/run-view";

export const dynamic = "force-dynamic";

export const GET = apiHandler(async (req, { database, viewer }) => {
  const query = listRunsQuerySchema.parse(Object.fromEntries(new URL(req.url).searchParams));
  const runs = await listRuns(database.db, query, await viewer());
  return { runs: runs.map((r) => toRunView(r)) };
});

export const POST = apiHandler(async (req, { database, viewer }) => {
  const who = await viewer();
  requireWriter(who);
  const body = createRunBodySchema.parse(await readJson(req));
  const run = await createRunFromBody(database.db, body, who.tokenId);
  return Response.json(toRunView(run, []), { status: 201 });
});
