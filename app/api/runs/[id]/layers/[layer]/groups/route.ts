import { apiHandler } from "@/lib/api/handler";
import { parseLayerParam } from "@/lib/api/schemas";
import { getLayerGroups } from "@/lib/runs/get-layer-groups";
import { requireRun } from "@/lib/runs/require-run";

export const dynamic = "force-dynamic";

export const GET = apiHandler<{ id: string; layer: string }>(async (_req, { params, database, viewer }) => {
  const run = await requireRun(database.db, params.id, await viewer());
  return getLayerGroups(database.db, run, parseLayerParam(params.layer));
});
