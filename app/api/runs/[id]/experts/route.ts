import { getLayerExperts } from "@/lib/api/contracts/analysis";
import { apiHandler } from "@/lib/api/handler";
import { getExpertsView } from "@/lib/runs/get-experts-view";
import { requireRun } from "@/lib/runs/require-run";

export const dynamic = "force-dynamic";

export const GET = apiHandler(getLayerExperts, async ({ params, query, database, viewer }) =>
  getExpertsView(database.db, await requireRun(database.db, params.id, await viewer()), query.layer, query.topT),
);
