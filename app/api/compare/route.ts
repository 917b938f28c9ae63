import { compareRuns } from "@/lib/api/contracts/analysis";
import { apiHandler } from "@/lib/api/handler";
import { badRequest } from "@/lib/errors";
import { getManyComparison, requireComparedRuns } from "@/lib/runs/compare-many";
import { getComparison } from "@/lib/runs/compare-runs";
import { requireRun } from "@/lib/runs/require-run";

export const dynamic = "force-dynamic";
export const maxDuration = 3600;

/** Two runs (a=&b=, A11 with a layer's detail) or 2 to 8 (runs=a,b,c&base=): one path, two forms. */
export const GET = apiHandler(compareRuns, async ({ query, database, viewer }) => {
  const who = await viewer();
  if (query.runs !== undefined) {
    for (const k of ["a", "b", "layer"] as const)
      if (query[k] !== undefined)
        throw badRequest(
          "invalid_field",
          `${k} is for two runs (a=&b=); with runs= leave it out`,
          `query parameter ${k}`,
        );
    const { runs, base } = await requireComparedRuns(database.db, query.runs.split(","), query.base, who);
    return getManyComparison(database.db, runs, base, { paired: query.paired });
  }
  if (query.base !== undefined) throw badRequest("invalid_field", "base goes with runs=a,b,c", "query parameter base");
  for (const k of ["a", "b"] as const)
    if (query[k] === undefined)
      throw badRequest("missing_field", `${k} is required (or runs=a,b,c for 2 to 8 runs)`, `query parameter ${k}`);
  const a = await requireRun(database.db, query.a!, who, "query parameter a");
  const b = await requireRun(database.db, query.b!, who, "query parameter b");
  return getComparison(database.db, a, b, { layer: query.layer, paired: query.paired });
});
