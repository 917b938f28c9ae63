import { badRequest } from "@/lib/errors";
import { apiHandler } from "@/lib/api/handler";
import { parseLayerParam } from "@/lib/api/schemas";
import { getExpertsView } from "@/lib/runs/get-experts-view";
import { requireRun } from "@/lib/runs/require-run";

export const dynamic = "force-dynamic";

export const GET = apiHandler<{ id: string }>(async (req, { params, database, viewer }) => {
  const run = await requireRun(database.db, params.id, await viewer());
  const q = new URL(req.url).searchParams;
  const layerParam = q.get("layer");
  if (layerParam === null) throw badRequest("missing_field", "layer is required (a MoE layer index from 0)", "query parameter layer");
  const topTParam = q.get("topT") ?? "3";
  const topT = Number(topTParam);
  if (!Number.isInteger(topT) || topT < 0 || topT > 4096) throw badRequest("invalid_field", `topT must be an integer from 0, got "${topTParam}"`, "query parameter topT");
  return getExpertsView(database.db, run, parseLayerParam(layerParam, "query parameter layer"), topT);
});
