import { ApiError } from "@/lib/api/api-error";
import type { Db } from "@/lib/db/client";
import { countApiTokens, findApiToken } from "@/lib/db/queries/api-tokens";
import type { RunRow } from "@/lib/db/schema";

/** The browser keeps the token in this httpOnly, SameSite=Strict cookie (set by POST /api/session). */
export const TOKEN_COOKIE = "atlas_token";

/**
 * Who is asking. A server without API tokens is open (a personal instance: anyone who can reach it
 * may read and write everything, as PRODUCT.md §8 has writes open until tokens are configured).
 * Once a token exists, reads follow visibility and writes need a token.
 */
export interface Viewer {
  open: boolean;
  tokenId: string | null;
  tokenName: string | null;
}

/** The token from `Authorization: Bearer` (scripts, the CLI) or else the session cookie (the browser). */
export function presentedToken(authorization: string | null, cookieHeader: string | null): { token: string; where: string } | null {
  if (authorization) {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!m) throw new ApiError(401, "unauthorized", "the Authorization header must be `Bearer <token>`", "header Authorization");
    return { token: m[1], where: "header Authorization" };
  }
  const cookie = cookieHeader
    ?.split(";")
    .map((c) => c.trim())
    .find((c) => c.startsWith(`${TOKEN_COOKIE}=`));
  const value = cookie ? decodeURIComponent(cookie.slice(TOKEN_COOKIE.length + 1)) : "";
  return value ? { token: value, where: `cookie ${TOKEN_COOKIE}` } : null;
}

/** Resolves the viewer; a token that is presented but unknown is a 403, never silently anonymous. */
export async function resolveViewer(db: Db, presented: { token: string; where: string } | null): Promise<Viewer> {
  const open = (await countApiTokens(db)) === 0;
  if (!presented) return { open, tokenId: null, tokenName: null };
  const row = await findApiToken(db, presented.token);
  if (!row) {
    if (open) return { open, tokenId: null, tokenName: null };
    throw new ApiError(403, "forbidden", "the API token is not valid (revoked or mistyped)", presented.where);
  }
  return { open, tokenId: row.id, tokenName: row.name };
}

export function viewerFromRequest(db: Db, req: Request): Promise<Viewer> {
  return resolveViewer(db, presentedToken(req.headers.get("authorization"), req.headers.get("cookie")));
}

/**
 * public: everyone. unlisted: everyone who has the id (it is not listed). private: its owner's
 * token; a run created on an open server (or whose token was revoked) has no owner, and then any
 * valid token may read it, so an administrator can always reach it.
 */
export function canRead(viewer: Viewer, run: Pick<RunRow, "visibility" | "ownerTokenId">): boolean {
  if (run.visibility !== "private" || viewer.open) return true;
  if (!viewer.tokenId) return false;
  return run.ownerTokenId === null || run.ownerTokenId === viewer.tokenId;
}

/** Writes need a valid token once any exists. */
export function requireWriter(viewer: Viewer): void {
  if (viewer.open || viewer.tokenId) return;
  throw new ApiError(401, "unauthorized", "this server requires an API token for writes: send Authorization: Bearer <token>", "header Authorization");
}
