import { apiHandler } from "@/lib/api/handler";
import { writeTokenRequired } from "@/lib/auth/require-write-access";
import { APP_VERSION } from "@/lib/version";

export const dynamic = "force-dynamic";

export const GET = apiHandler(async (_req, { database }) => ({
  ok: true,
  database: database.kind,
  version: APP_VERSION,
  writeTokenRequired: await writeTokenRequired(database.db),
}));
