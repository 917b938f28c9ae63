import { getExpert } from "@/lib/api/contracts/analysis";
import { apiHandler } from "@/lib/api/handler";
import { getExpertView } from "@/lib/runs/get-expert-view";
import { requireRun } from "@/lib/runs/require-run";

export const dynamic = "force-dynamic";

export const GET = apiHandler(getExpert, async ({ params, query, database, viewer }) => {
  const who = await viewer();
  return getExpertView(database.db, await requireRun(database.db, params.id, who), params.expert, query.topT, who);
});
