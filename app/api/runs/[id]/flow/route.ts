import { getFlow } from "@/lib/api/contracts/analysis";
import { apiHandler } from "@/lib/api/handler";
import { getFlowView } from "@/lib/runs/get-flow-view";
import { requireRun } from "@/lib/runs/require-run";

export const dynamic = "force-dynamic";

export const GET = apiHandler(getFlow, async ({ params, database, viewer }) =>
  getFlowView(database.db, await requireRun(database.db, params.id, await viewer())),
);
