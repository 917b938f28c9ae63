import { MODEL_PRESETS } from "@/lib/models/presets";

export function GET() {
  return Response.json({ presets: MODEL_PRESETS });
}
