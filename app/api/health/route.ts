import { health } from "@/lib/api/contracts/system";
import { apiHandler } from "@/lib/api/handler";
import { countApiTokens } from "@/lib/db/queries/api-tokens";
import { APP_VERSION } from "@/lib/version";

export const dynamic = "force-dynamic";

export const GET = apiHandler(health, async ({ database }) => ({
  ok: true as const,
  database: database.kind,
  version: APP_VERSION,
  writeTokenRequired: (await countApiTokens(database.db)) > 0,
}));
