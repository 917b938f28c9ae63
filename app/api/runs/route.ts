import { apiHandler, readJson } from "@/lib/api/handler";
import { createRunBodySchema, listRunsQuerySchema } from "@/lib/api/schemas";
import { requireWriteAccess } from "@/lib/auth/require-write-access";
import { listRuns } from "@/lib/db/queries/runs";
import { createRunFromBody } from "@/lib/runs/create-run";
import { toRunView } from "@/lib/runs/run-view";

export const dynamic = "force-dynamic";

export const GET = apiHandler(async (req, { database }) => {
  const query = listRunsQuerySchema.parse(Object.fromEntries(new URL(req.url).searchParams));
  const runs = await listRuns(database.db, query);
  return { runs: runs.map((r) => toRunView(r)) };
});

export const POST = apiHandler(async (req, { database }) => {
  await requireWriteAccess(database.db, req);
  const body = createRunBodySchema.parse(await readJson(req));
  const run = await createRunFromBody(database.db, body);
  return Response.json(toRunView(run, []), { status: 201 });
});
