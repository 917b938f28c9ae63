import { modelPresets } from "@/lib/api/contracts/system";
import { apiHandler } from "@/lib/api/handler";
import { MODEL_PRESETS } from "@/lib/models/presets";

export const GET = apiHandler(modelPresets, async () => ({ presets: [...MODEL_PRESETS] }));
