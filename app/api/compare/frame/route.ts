import { apiHandler } from "@/lib/api/handler";
import { getComparisonFrame } from "@/lib/runs/get-comparison-frame";
import { FRAME_CONTENT_TYPE } from "@/lib/wire/frame";

export const dynamic = "force-dynamic";
export const maxDuration = 3600;

/** GET /api/compare as a binary frame (lib/wire/compare-frame.ts): what the compare view reads. */
export const GET = apiHandler(async (req, { database, viewer }) => {
  const bytes = await getComparisonFrame(database.db, new URL(req.url).searchParams, await viewer());
  return new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { "content-type": FRAME_CONTENT_TYPE, "content-length": String(bytes.byteLength) } });
});
