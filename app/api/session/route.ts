import { z } from "zod";
import { ApiError } from "@/lib/errors";
import { apiHandler, readJson } from "@/lib/api/handler";
import { isHttps } from "@/lib/api/request-origin";
import { TOKEN_COOKIE } from "@/lib/auth/viewer";
import { findApiToken } from "@/lib/db/queries/api-tokens";

export const dynamic = "force-dynamic";

const sessionBodySchema = z.object({ token: z.string().min(1) });

/** Who the browser is: `open` when the server has no tokens, else the signed-in token's name. */
export const GET = apiHandler(async (_req, { viewer }) => {
  const v = await viewer();
  return { open: v.open, signedIn: v.tokenId !== null, tokenName: v.tokenName };
});

/**
 * Browser sign-in: the token goes into an httpOnly SameSite=Strict cookie, so pages (which get no
 * Authorization header) can show the viewer's private runs and cross-site requests never carry it.
 */
export const POST = apiHandler(async (req, { database }) => {
  const { token } = sessionBodySchema.parse(await readJson(req));
  const row = await findApiToken(database.db, token);
  if (!row) throw new ApiError(403, "forbidden", "the API token is not valid (revoked or mistyped)", "token");
  const res = Response.json({ open: false, signedIn: true, tokenName: row.name });
  res.headers.append("set-cookie", sessionCookie(req, encodeURIComponent(token), 60 * 60 * 24 * 30));
  return res;
});

export const DELETE = apiHandler(async (req) => {
  const res = Response.json({ signedIn: false });
  res.headers.append("set-cookie", sessionCookie(req, "", 0));
  return res;
});

/** Secure whenever the browser talks https (directly, or through a trusted proxy that says so). */
function sessionCookie(req: Request, value: string, maxAge: number): string {
  return `${TOKEN_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${isHttps(req) ? "; Secure" : ""}`;
}
