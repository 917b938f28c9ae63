import { layerTokens } from "@/lib/api/contracts/tokens";
import { apiHandler } from "@/lib/api/handler";
import { requireRun } from "@/lib/runs/require-run";
import { getLayerTokens } from "@/lib/runs/token-views";

export const dynamic = "force-dynamic";

export const GET = apiHandler(layerTokens, async ({ params, query, database, viewer }) =>
  getLayerTokens(
    database.db,
    await requireRun(database.db, params.id, await viewer()),
    params.layer,
    query.limit,
    query.minSupport,
  ),
);
