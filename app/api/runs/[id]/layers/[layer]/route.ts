import { badRequest } from "@/lib/errors";
import { apiHandler } from "@/lib/api/handler";
import { layerQuerySchema, parseLayerParam } from "@/lib/api/schemas";
import { getLayerView } from "@/lib/runs/get-layer-view";
import { requireRun } from "@/lib/runs/require-run";

export const dynamic = "force-dynamic";

export const GET = apiHandler<{ id: string; layer: string }>(async (req, { params, database, viewer }) => {
  const run = await requireRun(database.db, params.id, await viewer());
  const layer = parseLayerParam(params.layer);
  const q = new URL(req.url).searchParams;
  const { normalization } = layerQuerySchema.parse({ normalization: q.get("normalization") ?? undefined });
  const include = q.get("include");
  if (include !== null && include !== "transitions") throw badRequest("invalid_field", `include may only be "transitions", got "${include}"`, "query parameter include");
  return getLayerView(database.db, run, layer, normalization, { transitions: include === "transitions" });
});
