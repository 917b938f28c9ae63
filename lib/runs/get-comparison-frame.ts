import { badRequest } from "@/lib/errors";
import { parseLayerParam } from "@/lib/api/schemas";
import type { Viewer } from "@/lib/auth/viewer";
import type { Db } from "@/lib/db/client";
import { encodeCompareFrame } from "@/lib/wire/compare-frame";
import { getComparison } from "./compare-runs";
import { requireRun } from "./require-run";

/** GET /api/compare/frame: the same query as GET /api/compare (a, b, layer, paired), the answer as a frame. */
export async function getComparisonFrame(db: Db, q: URLSearchParams, viewer: Viewer): Promise<Uint8Array> {
  const ids = ["a", "b"].map((k) => {
    const v = q.get(k);
    if (!v) throw badRequest("missing_field", `${k} is required: the id of a run to compare`, `query parameter ${k}`);
    return v;
  });
  const [a, b] = [await requireRun(db, ids[0], viewer, "query parameter a"), await requireRun(db, ids[1], viewer, "query parameter b")];
  const layer = q.get("layer");
  const comparison = await getComparison(db, a, b, { layer: layer === null ? undefined : parseLayerParam(layer, "query parameter layer"), paired: q.get("paired") === "1" || q.get("paired") === "true" });
  return encodeCompareFrame(comparison);
}
