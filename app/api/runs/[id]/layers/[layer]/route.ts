import { apiHandler } from "@/lib/api/handler";
import { layerQuerySchema, parseLayerParam } from "@/lib/api/schemas";
import { getLayerView } from "@/lib/runs/get-layer-view";
import { requireRun } from "@/lib/runs/require-run";

export const dynamic = "force-dynamic";

export const GET = apiHandler<{ id: string; layer: string }>(async (req, { params, database, viewer }) => {
  const run = await requireRun(database.db, params.id, await viewer());
  const layer = parseLayerParam(params.layer);
  const { normalization } = layerQuerySchema.parse(Object.fromEntries(new URL(req.url).searchParams));
  return getLayerView(database.db, run, layer, normalization);
});
