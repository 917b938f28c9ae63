import { createHash, randomBytes } from "node:crypto";
import { count, eq } from "drizzle-orm";
import { newId } from "@/lib/ids";
import type { Db } from "../client";
import { apiTokens, type ApiTokenRow } from "../schema";

export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/**
 * Creates a token and returns it in clear; only its hash is stored. The server's first token is an
 * admin token whatever is asked: someone must be able to reach the runs created before tokens.
 */
export async function createApiToken(
  db: Db,
  name: string,
  opts: { admin?: boolean } = {},
): Promise<{ token: string; row: ApiTokenRow }> {
  const token = `mat_${randomBytes(24).toString("base64url")}`;
  const admin = opts.admin === true || (await countApiTokens(db)) === 0;
  const [row] = await db
    .insert(apiTokens)
    .values({ id: newId(), name, tokenHash: hashToken(token), prefix: token.slice(0, 8), admin })
    .returning();
  return { token, row };
}

export async function getApiTokenById(db: Db, id: string): Promise<ApiTokenRow | undefined> {
  const [row] = await db.select().from(apiTokens).where(eq(apiTokens.id, id));
  return row;
}

export async function countApiTokens(db: Db): Promise<number> {
  const [row] = await db.select({ n: count() }).from(apiTokens);
  return row.n;
}

export async function findApiToken(db: Db, token: string): Promise<ApiTokenRow | undefined> {
  const [row] = await db
    .select()
    .from(apiTokens)
    .where(eq(apiTokens.tokenHash, hashToken(token)));
  if (row) await db.update(apiTokens).set({ lastUsedAt: new Date() }).where(eq(apiTokens.id, row.id));
  return row;
}

export async function listApiTokens(db: Db) {
  return db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      prefix: apiTokens.prefix,
      admin: apiTokens.admin,
      createdAt: apiTokens.createdAt,
      lastUsedAt: apiTokens.lastUsedAt,
    })
    .from(apiTokens);
}

export async function deleteApiToken(db: Db, id: string) {
  const gone = await db.delete(apiTokens).where(eq(apiTokens.id, id)).returning({ id: apiTokens.id });
  return gone.length > 0;
}
