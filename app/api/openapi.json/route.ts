import { openApi } from "@/lib/api/contracts/system";
import { apiHandler } from "@/lib/api/handler";
import { openApiDocument } from "@/lib/api/openapi";

export const GET = apiHandler(openApi, async () => openApiDocument);
