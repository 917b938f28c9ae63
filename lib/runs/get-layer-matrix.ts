import { normalizeCoactivation, type Normalization } from "@/lib/analysis/coactivation";
import { ApiError, badRequest } from "@/lib/errors";
import type { Db } from "@/lib/db/client";
import { getLayerAggregate } from "@/lib/db/queries/layer-aggregates";
import type { RunWithModel } from "@/lib/db/queries/runs";
import { requireLayer } from "./require-run";

/** GET /api/runs/{id}/layers/{layer}/matrix: one of a layer's sums as little-endian float64 bytes, with its shape. */
export async function layerMatrix(
  db: Db,
  run: RunWithModel,
  layer: number,
  name: "coactivation" | "transitions" | "load" | "weightSum",
  norm?: Normalization,
) {
  if (norm !== undefined && name !== "coactivation")
    throw badRequest(
      "invalid_field",
      "normalization applies to name=coactivation only",
      "query parameter normalization",
    );
  const { experts: E } = run.model.config;
  requireLayer(run, layer);
  const agg = await getLayerAggregate(db, run.id, layer, E, { transitions: name === "transitions" });
  let data: Float64Array;
  if (name === "coactivation")
    data = norm ? normalizeCoactivation(agg.coactivation, agg.load, agg.tokens, norm) : agg.coactivation;
  else if (name === "transitions") {
    if (!agg.transitions)
      throw new ApiError(404, "no_transitions", `layer ${layer} has no recorded transitions`, "query parameter name");
    data = agg.transitions;
  } else data = name === "load" ? agg.load : agg.weightSum;
  const shape = name === "load" || name === "weightSum" ? `${E}` : `${E},${E}`;
  // Float64Array is little-endian on every platform Node runs on; copy so the buffer is exactly the data.
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  return {
    bytes,
    headers: { "x-matrix-shape": shape, "x-matrix-dtype": "float64", "x-matrix-tokens": String(agg.tokens) },
  };
}
