import { NORMALIZATIONS, normalizeCoactivation, type Normalization } from "@/lib/analysis/coactivation";
import { ApiError, badRequest } from "@/lib/errors";
import { apiHandler } from "@/lib/api/handler";
import { parseLayerParam } from "@/lib/api/schemas";
import { getLayerAggregate } from "@/lib/db/queries/layer-aggregates";
import { requireRun } from "@/lib/runs/require-run";

export const dynamic = "force-dynamic";

const NAMES = ["coactivation", "transitions", "load", "weightSum"] as const;

/**
 * A layer's matrix as raw little-endian float64, row-major: for large E (256 x 256 is 512 KiB
 * here against about 1.3 MB of JSON) and for numpy (`np.frombuffer(body, "<f8").reshape(E, E)`).
 * The shape and dtype are in the headers.
 */
export const GET = apiHandler<{ id: string; layer: string }>(async (req, { params, database, viewer }) => {
  const run = await requireRun(database.db, params.id, await viewer());
  const layer = parseLayerParam(params.layer);
  const q = new URL(req.url).searchParams;
  const name = q.get("name") ?? "coactivation";
  if (!(NAMES as readonly string[]).includes(name)) throw badRequest("invalid_field", `name must be one of ${NAMES.join(", ")}; got "${name}"`, "query parameter name");
  const norm = q.get("normalization");
  if (norm !== null && (name !== "coactivation" || !(NORMALIZATIONS as readonly string[]).includes(norm))) {
    throw badRequest("invalid_field", `normalization applies to name=coactivation and is one of ${NORMALIZATIONS.join(", ")}`, "query parameter normalization");
  }
  const { layers, experts: E } = run.model.config;
  if (layer >= layers) throw new ApiError(404, "layer_out_of_range", `layer ${layer} is outside [0, ${layers})`, "path parameter layer");
  const agg = await getLayerAggregate(database.db, run.id, layer, E, { transitions: name === "transitions" });
  let data: Float64Array;
  if (name === "coactivation") data = norm ? normalizeCoactivation(agg.coactivation, agg.load, agg.tokens, norm as Normalization) : agg.coactivation;
  else if (name === "transitions") {
    if (!agg.transitions) throw new ApiError(404, "no_transitions", `layer ${layer} has no recorded transitions`, "query parameter name");
    data = agg.transitions;
  } else data = name === "load" ? agg.load : agg.weightSum;
  const shape = name === "load" || name === "weightSum" ? `${E}` : `${E},${E}`;
  // Float64Array is little-endian on every platform Node runs on; copy so the buffer is exactly the data.
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  return new Response(bytes, {
    headers: { "content-type": "application/octet-stream", "x-matrix-shape": shape, "x-matrix-dtype": "float64", "x-matrix-tokens": String(agg.tokens), "content-length": String(bytes.byteLength) },
  });
});
