import { badRequest } from "@/lib/errors";
import { apiHandler } from "@/lib/api/handler";
import { parseLayerParam } from "@/lib/api/schemas";
import { getComparison } from "@/lib/runs/compare-runs";
import { requireRun } from "@/lib/runs/require-run";

export const dynamic = "force-dynamic";
export const maxDuration = 3600;

export const GET = apiHandler(async (req, { database, viewer }) => {
  const q = new URL(req.url).searchParams;
  const ids = ["a", "b"].map((k) => {
    const v = q.get(k);
    if (!v) throw badRequest("missing_field", `${k} is required: the id of a run to compare`, `query parameter ${k}`);
    return v;
  });
  const who = await viewer();
  const [a, b] = [await requireRun(database.db, ids[0], who, "query parameter a"), await requireRun(database.db, ids[1], who, "query parameter b")];
  const layer = q.get("layer");
  return getComparison(database.db, a, b, { layer: layer === null ? undefined : parseLayerParam(layer, "query parameter layer"), paired: q.get("paired") === "1" || q.get("paired") === "true" });
});
