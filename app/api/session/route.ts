import { ApiError } from "@/lib/errors";
import { getSession, signIn, signOut } from "@/lib/api/contracts/system";
import { apiHandler } from "@/lib/api/handler";
import { isHttps } from "@/lib/api/request-origin";
import { TOKEN_COOKIE } from "@/lib/auth/viewer";
import { findApiToken } from "@/lib/db/queries/api-tokens";

export const dynamic = "force-dynamic";

/** Who the browser is: `open` when the server has no tokens, else the signed-in token's name. */
export const GET = apiHandler(getSession, async ({ viewer }) => {
  const v = await viewer();
  return { open: v.open, signedIn: v.tokenId !== null, tokenName: v.tokenName };
});

/**
 * Browser sign-in: the token goes into an httpOnly SameSite=Strict cookie, so pages (which get no
 * Authorization header) can show the viewer's private runs and cross-site requests never carry it.
 */
export const POST = apiHandler(signIn, async ({ req, body, database, headers }) => {
  const row = await findApiToken(database.db, body.token);
  if (!row) throw new ApiError(403, "forbidden", "the API token is not valid (revoked or mistyped)", "token");
  headers.append("set-cookie", sessionCookie(req, encodeURIComponent(body.token), 60 * 60 * 24 * 30));
  return { open: false, signedIn: true, tokenName: row.name };
});

export const DELETE = apiHandler(signOut, async ({ req, headers }) => {
  headers.append("set-cookie", sessionCookie(req, "", 0));
  return { signedIn: false as const };
});

/** Secure whenever the browser talks https (directly, or through a trusted proxy that says so). */
function sessionCookie(req: Request, value: string, maxAge: number): string {
  return `${TOKEN_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${isHttps(req) ? "; Secure" : ""}`;
}
