import type { Normalization } from "@/lib/analysis/coactivation";
import type { Db } from "@/lib/db/client";
import type { RunWithModel } from "@/lib/db/queries/runs";
import { encodeLayerFrame } from "@/lib/wire/layer-frame";
import { getLayerArrays } from "./get-layer-view";

/**
 * GET /api/runs/{id}/layers/{layer}/frame: the same answer as getLayerView, as one binary frame
 * (lib/wire/frame.ts): matrices straight from the stored float64 to typed arrays, no nested rows.
 */
export async function getLayerFrame(
  db: Db,
  run: RunWithModel,
  layer: number,
  normalization?: Normalization,
  opts: { transitions?: boolean } = {},
): Promise<Uint8Array> {
  return encodeLayerFrame(await getLayerArrays(db, run, layer, normalization, opts));
}
