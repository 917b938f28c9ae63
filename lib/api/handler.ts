import { ZodError } from "zod";
import { viewerFromRequest, type Viewer } from "@/lib/auth/viewer";
import { getDatabase, type Database } from "@/lib/db/client";
import { ApiError } from "./api-error";

type Params = Record<string, string>;
export interface HandlerContext<P extends Params> {
  params: P;
  database: Database;
  /** Who is asking (token or session cookie), resolved on first use. */
  viewer: () => Promise<Viewer>;
}

/**
 * The one wrapper around route handlers: resolves params, opens the database, and turns errors
 * into the error contract. Only ApiError and validation messages reach the client; anything else
 * is logged and answered with an opaque 500.
 */
export function apiHandler<P extends Params = Params>(fn: (req: Request, ctx: HandlerContext<P>) => Promise<Response | unknown>) {
  return async (req: Request, route: { params: Promise<P> }): Promise<Response> => {
    try {
      const params = await route.params;
      const database = await getDatabase();
      let viewer: Promise<Viewer> | undefined;
      const out = await fn(req, { params, database, viewer: () => (viewer ??= viewerFromRequest(database.db, req)) });
      return out instanceof Response ? out : Response.json(out);
    } catch (e) {
      return errorResponse(e);
    }
  };
}

export function errorResponse(e: unknown): Response {
  if (e instanceof ApiError) return Response.json(e.toBody(), { status: e.status });
  if (e instanceof ZodError) {
    const issue = e.issues[0];
    const where = issue.path.length ? issue.path.join(".") : "body";
    return Response.json({ error: { code: "invalid_request", message: `${where}: ${issue.message}`, where } }, { status: 400 });
  }
  console.error("[api] unexpected error", e);
  return Response.json({ error: { code: "internal", message: "internal server error; see the server log" } }, { status: 500 });
}

/** Reads a JSON body, answering 400 (not 500) when it is not JSON. */
export async function readJson(req: Request): Promise<unknown> {
  const text = await req.text();
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ApiError(400, "malformed_json", `the request body is not valid JSON: ${(e as Error).message}`, "body");
  }
}
