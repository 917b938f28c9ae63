import { apiHandler } from "@/lib/api/handler";
import { getRunBalance } from "@/lib/runs/get-run-balance";
import { requireRun } from "@/lib/runs/require-run";

export const dynamic = "force-dynamic";

export const GET = apiHandler<{ id: string }>(async (_req, { params, database, viewer }) => {
  const run = await requireRun(database.db, params.id, await viewer());
  return getRunBalance(database.db, run);
});
