import { ApiError } from "@/lib/api/api-error";
import type { Db } from "@/lib/db/client";
import { countApiTokens, findApiToken } from "@/lib/db/queries/api-tokens";

/**
 * Writes are open until the first API token is created (`npm run token -- create`); from then on
 * every write needs `Authorization: Bearer <token>` (PRODUCT.md §8).
 */
export async function requireWriteAccess(db: Db, request: Request): Promise<void> {
  if ((await countApiTokens(db)) === 0) return;
  const header = request.headers.get("authorization") ?? "";
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  if (!m) throw new ApiError(401, "unauthorized", "this server requires an API token for writes: send Authorization: Bearer <token>", "header Authorization");
  if (!(await findApiToken(db, m[1]))) throw new ApiError(403, "forbidden", "the API token is not valid", "header Authorization");
}

/** Whether writes currently need a token (the upload page asks for one when they do). */
export async function writeTokenRequired(db: Db): Promise<boolean> {
  return (await countApiTokens(db)) > 0;
}
