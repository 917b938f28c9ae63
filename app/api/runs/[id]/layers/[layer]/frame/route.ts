import { getLayerFrame as layerFrameContract } from "@/lib/api/contracts/analysis";
import { apiHandler } from "@/lib/api/handler";
import { getLayerFrame } from "@/lib/runs/get-layer-frame";
import { requireRun } from "@/lib/runs/require-run";

export const dynamic = "force-dynamic";

/** The layer answer as a binary frame (lib/wire/frame.ts): what the explorer, graph and flow views read. Not compressed by Next (not a text type). */
export const GET = apiHandler(layerFrameContract, async ({ params, query, database, viewer }) => {
  const run = await requireRun(database.db, params.id, await viewer());
  const bytes = await getLayerFrame(database.db, run, params.layer, query.normalization, {
    transitions: query.include === "transitions",
  });
  return { bytes, headers: { "x-frame-version": "MAF1" } };
});
