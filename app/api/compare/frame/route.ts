import { compareRunsFrame } from "@/lib/api/contracts/analysis";
import { apiHandler } from "@/lib/api/handler";
import { getComparisonFrame } from "@/lib/runs/get-comparison-frame";
import { requireRun } from "@/lib/runs/require-run";

export const dynamic = "force-dynamic";
export const maxDuration = 3600;

/** GET /api/compare as a binary frame (lib/wire/compare-frame.ts): what the compare view reads. */
export const GET = apiHandler(compareRunsFrame, async ({ query, database, viewer }) => {
  const who = await viewer();
  const a = await requireRun(database.db, query.a, who, "query parameter a");
  const b = await requireRun(database.db, query.b, who, "query parameter b");
  return {
    bytes: await getComparisonFrame(database.db, a, b, { layer: query.layer, paired: query.paired }),
    headers: { "x-frame-version": "MAF1" },
  };
});
