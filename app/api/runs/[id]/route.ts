import { apiHandler } from "@/lib/api/handler";
import { listCommittedUploads } from "@/lib/db/queries/runs";
import { requireRun } from "@/lib/runs/require-run";
import { toRunView } from "@/lib/runs/run-view";

export const dynamic = "force-dynamic";

export const GET = apiHandler<{ id: string }>(async (_req, { params, database }) => {
  const run = await requireRun(database.db, params.id);
  return toRunView(run, await listCommittedUploads(database.db, run.id));
});
