import { apiHandler } from "@/lib/api/handler";
import { countApiTokens } from "@/lib/db/queries/api-tokens";
import { APP_VERSION } from "@/lib/version";

export const dynamic = "force-dynamic";

export const GET = apiHandler(async (_req, { database }) => ({
  ok: true,
  database: database.kind,
  version: APP_VERSION,
  writeTokenRequired: (await countApiTokens(database.db)) > 0,
}));
