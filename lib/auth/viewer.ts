import { ApiError } from "@/lib/errors";
import type { Db } from "@/lib/db/client";
import { countApiTokens, findApiToken } from "@/lib/db/queries/api-tokens";
import type { RunRow } from "@/lib/db/schema";

/** The browser keeps the token in this httpOnly, SameSite=Strict cookie (set by POST /api/session). */
export const TOKEN_COOKIE = "atlas_token";

/**
 * Who is asking. A server without API tokens is open (a personal instance: anyone who can reach it
 * may read and write everything, as PRODUCT.md §8 has writes open until tokens are configured).
 * Once a token exists, reads follow visibility and writes need a token: a run is changed only by
 * its owner's token or an admin token.
 */
export interface Viewer {
  open: boolean;
  tokenId: string | null;
  tokenName: string | null;
  /** An admin token reads and changes every run, and gives ownerless runs an owner. */
  admin: boolean;
}

export const ANONYMOUS_OPEN: Viewer = { open: true, tokenId: null, tokenName: null, admin: false };

/** The token from `Authorization: Bearer` (scripts, the CLI) or else the session cookie (the browser). */
export function presentedToken(
  authorization: string | null,
  cookieHeader: string | null,
): { token: string; where: string } | null {
  if (authorization) {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!m)
      throw new ApiError(
        401,
        "unauthorized",
        "the Authorization header must be `Bearer <token>`",
        "header Authorization",
      );
    return { token: m[1], where: "header Authorization" };
  }
  const value = cookieValue(cookieHeader, TOKEN_COOKIE);
  return value ? { token: value, where: `cookie ${TOKEN_COOKIE}` } : null;
}

function cookieValue(cookieHeader: string | null, name: string): string {
  const cookie = cookieHeader
    ?.split(";")
    .map((c) => c.trim())
    .find((c) => c.startsWith(`${name}=`));
  if (!cookie) return "";
  try {
    return decodeURIComponent(cookie.slice(name.length + 1));
  } catch {
    throw new ApiError(400, "invalid_cookie", `the ${name} cookie is not valid percent-encoding`, `cookie ${name}`);
  }
}

/** Resolves the viewer; a token that is presented but unknown is a 403, never silently anonymous. */
export async function resolveViewer(db: Db, presented: { token: string; where: string } | null): Promise<Viewer> {
  const open = (await countApiTokens(db)) === 0;
  if (!presented) return { open, tokenId: null, tokenName: null, admin: false };
  const row = await findApiToken(db, presented.token);
  if (!row) {
    if (open) return { open, tokenId: null, tokenName: null, admin: false };
    throw new ApiError(403, "forbidden", "the API token is not valid (revoked or mistyped)", presented.where);
  }
  return { open, tokenId: row.id, tokenName: row.name, admin: row.admin };
}

export function viewerFromRequest(db: Db, req: Request): Promise<Viewer> {
  return resolveViewer(db, presentedToken(req.headers.get("authorization"), req.headers.get("cookie")));
}

type Owned = Pick<RunRow, "visibility" | "ownerTokenId">;

/**
 * public: everyone. unlisted: everyone who has the id (it is not listed). private: its owner's
 * token and admin tokens; a run created on an open server (or whose token was revoked) has no
 * owner, and then only an admin token reads it until an admin gives it an owner.
 */
export function canRead(viewer: Viewer, run: Owned): boolean {
  if (run.visibility !== "private" || viewer.open || viewer.admin) return true;
  return viewer.tokenId !== null && run.ownerTokenId === viewer.tokenId;
}

/** Changing a run (its fields, its uploads): anyone on an open server, else its owner's token or an admin token. */
export function canWrite(viewer: Viewer, run: Owned): boolean {
  if (viewer.open || viewer.admin) return true;
  return viewer.tokenId !== null && run.ownerTokenId === viewer.tokenId;
}

/** Writes need a valid token once any exists. */
export function requireWriter(viewer: Viewer): void {
  if (viewer.open || viewer.tokenId) return;
  throw new ApiError(
    401,
    "unauthorized",
    "this server requires an API token for writes: send Authorization: Bearer <token>",
    "header Authorization",
  );
}

/** Admin actions (giving a run an owner) need an admin token once tokens exist. */
export function requireAdmin(viewer: Viewer, where: string): void {
  requireWriter(viewer);
  if (viewer.open || viewer.admin) return;
  throw new ApiError(403, "forbidden", "this needs an admin token (npm run token -- create <name> --admin)", where);
}
