import { compareRuns } from "@/lib/api/contracts/analysis";
import { apiHandler } from "@/lib/api/handler";
import { getComparison } from "@/lib/runs/compare-runs";
import { requireRun } from "@/lib/runs/require-run";

export const dynamic = "force-dynamic";
export const maxDuration = 3600;

export const GET = apiHandler(compareRuns, async ({ query, database, viewer }) => {
  const who = await viewer();
  const a = await requireRun(database.db, query.a, who, "query parameter a");
  const b = await requireRun(database.db, query.b, who, "query parameter b");
  return getComparison(database.db, a, b, { layer: query.layer, paired: query.paired });
});
