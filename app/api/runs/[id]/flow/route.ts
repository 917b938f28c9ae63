import { apiHandler } from "@/lib/api/handler";
import { getFlowView } from "@/lib/runs/get-flow-view";
import { requireRun } from "@/lib/runs/require-run";

export const dynamic = "force-dynamic";

export const GET = apiHandler<{ id: string }>(async (_req, { params, database, viewer }) => {
  const run = await requireRun(database.db, params.id, await viewer());
  return getFlowView(database.db, run);
});
