import { ZodError } from "zod";
import { viewerFromRequest, type Viewer } from "@/lib/auth/viewer";
import { getDatabase, type Database } from "@/lib/db/client";
import { ApiError, badRequest, DomainError, type ErrorKind } from "@/lib/errors";
import { assertSameOriginWrite } from "./request-origin";

type Params = Record<string, string>;
export interface HandlerContext<P extends Params> {
  params: P;
  database: Database;
  /** Who is asking (token or session cookie), resolved on first use. */
  viewer: () => Promise<Viewer>;
}

/**
 * The one wrapper around route handlers: refuses cross-origin cookie writes, checks path and query
 * text, resolves params, opens the database, and turns errors into the error contract. Only
 * ApiError and validation messages reach the client; anything else is logged and answered with an
 * opaque 500.
 */
export function apiHandler<P extends Params = Params>(fn: (req: Request, ctx: HandlerContext<P>) => Promise<Response | unknown>) {
  return async (req: Request, route: { params: Promise<P> }): Promise<Response> => {
    try {
      assertSameOriginWrite(req);
      const params = await route.params;
      for (const [k, v] of Object.entries(params ?? {})) assertText(v, `path parameter ${k}`);
      for (const [k, v] of new URL(req.url).searchParams) assertText(v, `query parameter ${k}`);
      const database = await getDatabase();
      let viewer: Promise<Viewer> | undefined;
      const out = await fn(req, { params, database, viewer: () => (viewer ??= viewerFromRequest(database.db, req)) });
      return out instanceof Response ? out : Response.json(out);
    } catch (e) {
      return errorResponse(e);
    }
  };
}

/** The HTTP status of each kind of domain error: parsers and importers say what is wrong, the edge says how to answer. */
const STATUS_OF_KIND: Record<ErrorKind, number> = { invalid: 400, not_found: 404, conflict: 409, too_large: 413 };

export function errorResponse(e: unknown): Response {
  if (e instanceof ApiError) return Response.json(e.toBody(), { status: e.status });
  if (e instanceof DomainError) return Response.json(e.toBody(), { status: STATUS_OF_KIND[e.kind] });
  if (e instanceof ZodError) {
    const issue = e.issues[0];
    const where = issue.path.length ? issue.path.join(".") : "body";
    return Response.json({ error: { code: "invalid_request", message: `${where}: ${issue.message}`, where } }, { status: 400 });
  }
  console.error("[api] unexpected error", e);
  return Response.json({ error: { code: "internal", message: "internal server error; see the server log" } }, { status: 500 });
}

/** Reads a JSON body, answering 400 (not 500) when it is not JSON or holds text Postgres cannot store. */
export async function readJson(req: Request): Promise<unknown> {
  const text = await req.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ApiError(400, "malformed_json", `the request body is not valid JSON: ${(e as Error).message}`, "body");
  }
  assertStorableJson(value, "body");
  return value;
}

/**
 * Postgres text and jsonb cannot hold U+0000; a NUL reaching the database would be a 500. Refused
 * at the edge instead, naming the field.
 */
export function assertText(value: string, where: string): void {
  if (value.includes("\u0000")) throw badRequest("nul_character", `${where} contains a NUL character (U+0000), which cannot be stored`, where);
}

/** A text document (a CSV or JSON import): a NUL anywhere is refused with its line. */
export function assertTextDocument(text: string, where = "body"): void {
  const at = text.indexOf("\u0000");
  if (at < 0) return;
  const line = text.slice(0, at).split("\n").length;
  throw badRequest("nul_character", `line ${line} contains a NUL character (U+0000), which cannot be stored`, `${where}, line ${line}`);
}

/** Every string (keys included) of a parsed JSON value, checked by `assertText` with its JSON path. */
export function assertStorableJson(value: unknown, where: string): void {
  if (typeof value === "string") assertText(value, where);
  else if (Array.isArray(value)) value.forEach((v, i) => assertStorableJson(v, `${where}[${i}]`));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      assertText(k, `${where} (a key)`);
      assertStorableJson(v, `${where}.${k}`);
    }
  }
}
