import { getLayerGroups as groups } from "@/lib/api/contracts/analysis";
import { apiHandler } from "@/lib/api/handler";
import { getLayerGroups } from "@/lib/runs/get-layer-groups";
import { requireRun } from "@/lib/runs/require-run";

export const dynamic = "force-dynamic";

export const GET = apiHandler(groups, async ({ params, database, viewer }) =>
  getLayerGroups(database.db, await requireRun(database.db, params.id, await viewer()), params.layer),
);
