import { getLayerMatrix } from "@/lib/api/contracts/analysis";
import { apiHandler } from "@/lib/api/handler";
import { layerMatrix } from "@/lib/runs/get-layer-matrix";
import { requireRun } from "@/lib/runs/require-run";

export const dynamic = "force-dynamic";

/**
 * A layer's matrix as raw little-endian float64, row-major: for large E (256 x 256 is 512 KiB
 * here against about 1.3 MB of JSON) and for numpy (`np.frombuffer(body, "<f8").reshape(E, E)`).
 * The shape and dtype are in the headers.
 */
export const GET = apiHandler(getLayerMatrix, async ({ params, query, database, viewer }) =>
  layerMatrix(
    database.db,
    await requireRun(database.db, params.id, await viewer()),
    params.layer,
    query.name,
    query.normalization,
  ),
);
