import { badRequest } from "@/lib/errors";
import { apiHandler } from "@/lib/api/handler";
import { layerQuerySchema, parseLayerParam } from "@/lib/api/schemas";
import { getLayerFrame } from "@/lib/runs/get-layer-frame";
import { requireRun } from "@/lib/runs/require-run";
import { FRAME_CONTENT_TYPE } from "@/lib/wire/frame";

export const dynamic = "force-dynamic";

/** The layer answer as a binary frame (lib/wire/frame.ts): what the explorer, graph and flow views read. */
export const GET = apiHandler<{ id: string; layer: string }>(async (req, { params, database, viewer }) => {
  const run = await requireRun(database.db, params.id, await viewer());
  const layer = parseLayerParam(params.layer);
  const q = new URL(req.url).searchParams;
  const { normalization } = layerQuerySchema.parse({ normalization: q.get("normalization") ?? undefined });
  const include = q.get("include");
  if (include !== null && include !== "transitions") throw badRequest("invalid_field", `include may only be "transitions", got "${include}"`, "query parameter include");
  const bytes = await getLayerFrame(database.db, run, layer, normalization, { transitions: include === "transitions" });
  // Not compressible by Next (not a text type): 256 experts is ~0.8 MB, sent as is.
  return new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { "content-type": FRAME_CONTENT_TYPE, "content-length": String(bytes.byteLength) } });
});
