import { getLayer } from "@/lib/api/contracts/analysis";
import { apiHandler } from "@/lib/api/handler";
import { getLayerView } from "@/lib/runs/get-layer-view";
import { requireRun } from "@/lib/runs/require-run";

export const dynamic = "force-dynamic";

export const GET = apiHandler(getLayer, async ({ params, query, database, viewer }) =>
  getLayerView(
    database.db,
    await requireRun(database.db, params.id, await viewer()),
    params.layer,
    query.normalization,
    { transitions: query.include === "transitions" },
  ),
);
