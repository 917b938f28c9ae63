import { ZodError, type z } from "zod";
import { viewerFromRequest, type Viewer } from "@/lib/auth/viewer";
import { getDatabase, type Database } from "@/lib/db/client";
import { ApiError, badRequest, DomainError, type ErrorKind } from "@/lib/errors";
import type { AnswerOf, AnyContract, BinaryAnswer, BodyOf, ParamsOf, QueryOf } from "./contract";
import { searchObject, undeclaredKey } from "./contract";
import { assertSameOriginWrite } from "./request-origin";

export interface HandlerContext<C extends AnyContract> {
  req: Request;
  /** Path parameters, parsed by the contract's `params` schema. */
  params: ParamsOf<C>;
  /** Query parameters, parsed by the contract's `query` schema (unknown names are ignored). */
  query: QueryOf<C>;
  /** The JSON body parsed by the contract's body schema; undefined for raw bodies (read `req`). */
  body: BodyOf<C>;
  database: Database;
  /** Who is asking (token or session cookie), resolved on first use. */
  viewer: () => Promise<Viewer>;
  /** Extra headers for the answer (a session cookie). */
  headers: Headers;
}

/**
 * Whether answers are checked against their contract: in tests and development a mismatch is a
 * loud 500 (response_contract); in production the check is skipped (it costs a parse per answer).
 */
export const CHECK_RESPONSES = process.env.NODE_ENV !== "production";

/** A route handler as Next calls it, carrying its contract (the route-walking test and the OpenAPI document read it). */
export type RouteHandler<C extends AnyContract = AnyContract> = ((
  req: Request,
  route: { params: Promise<Record<string, string>> },
) => Promise<Response>) & { contract: C };

/**
 * The one wrapper around route handlers: refuses cross-origin cookie writes, checks path and query
 * text, parses params, query and a JSON body by the contract (a 400 naming the field), opens the
 * database, runs the route's one call into lib/, checks the answer against the contract outside
 * production, and turns errors into the error contract. Only ApiError and validation messages reach
 * the client; anything else is logged and answered with an opaque 500.
 */
export function apiHandler<C extends AnyContract>(
  contract: C,
  fn: (ctx: HandlerContext<C>) => Promise<AnswerOf<C>>,
): RouteHandler<C> {
  const handler = async (req: Request, route: { params: Promise<Record<string, string>> }): Promise<Response> => {
    try {
      assertSameOriginWrite(req);
      const rawParams = (await route.params) ?? {};
      for (const [k, v] of Object.entries(rawParams)) assertText(v, `path parameter ${k}`);
      const search = new URL(req.url).searchParams;
      for (const [k, v] of search) assertText(v, `query parameter ${k}`);
      const params = parseParams(contract.params, rawParams, "path parameter") as ParamsOf<C>;
      const query = parseParams(contract.query, searchObject(search), "query parameter") as QueryOf<C>;
      const body = (
        contract.body?.kind === "json" ? contract.body.schema.parse(await readJson(req)) : undefined
      ) as BodyOf<C>;
      const database = await getDatabase();
      let viewer: Promise<Viewer> | undefined;
      const headers = new Headers();
      const out = await fn({
        req,
        params,
        query,
        body,
        database,
        viewer: () => (viewer ??= viewerFromRequest(database.db, req)),
        headers,
      });
      return answer(contract, out, headers);
    } catch (e) {
      return errorResponse(e);
    }
  };
  return Object.assign(handler, { contract });
}

/** Path or query text through its schema; the first problem answered as a 400 that names the parameter. */
function parseParams(
  schema: z.ZodType | undefined,
  raw: Record<string, string>,
  kind: "path parameter" | "query parameter",
): unknown {
  if (!schema) return {};
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const name = String(issue.path[0] ?? "");
  const where = `${kind} ${name}`.trim();
  if (raw[name] === undefined)
    throw badRequest(
      "missing_field",
      `${name} is required${issue.message && issue.code === "custom" ? `: ${issue.message}` : ""}`,
      where,
    );
  throw badRequest("invalid_field", `${name} ${issue.message}`, where);
}

/** Thrown when an answer does not match its contract (outside production only). */
export class ContractViolation extends Error {}

function answer(contract: AnyContract, out: unknown, headers: Headers): Response {
  const r = contract.response;
  if (r.kind === "binary") {
    const { bytes, headers: declared } = out as BinaryAnswer;
    if (CHECK_RESPONSES) {
      for (const [name, h] of Object.entries(r.headers)) {
        const value = (declared as Record<string, string | undefined>)[name];
        const ok = value !== undefined && h.schema.safeParse(value).success;
        if (!ok)
          throw new ContractViolation(
            `${contract.method} ${contract.path}: header ${name} is ${JSON.stringify(value)}, not what the contract says (${h.description})`,
          );
      }
    }
    for (const [name, value] of Object.entries(declared)) headers.set(name, value as string);
    headers.set("content-type", r.mediaType);
    headers.set("content-length", String(bytes.byteLength));
    return new Response(bytes as Uint8Array<ArrayBuffer>, { status: r.status, headers });
  }
  const text = JSON.stringify(out);
  if (CHECK_RESPONSES) {
    // What the client receives (dates as strings, no undefined), not the object before serializing.
    const sent: unknown = text === undefined ? undefined : JSON.parse(text);
    const checked = r.schema.safeParse(sent);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new ContractViolation(
        `${contract.method} ${contract.path}: the answer does not match its contract at ${issue.path.join(".") || "(root)"}: ${issue.message}`,
      );
    }
    const extra = undeclaredKey(sent, checked.data);
    if (extra)
      throw new ContractViolation(
        `${contract.method} ${contract.path}: the answer has ${extra}, which its contract does not declare`,
      );
  }
  headers.set("content-type", "application/json");
  return new Response(text, { status: r.status, headers });
}

/** The HTTP status of each kind of domain error: parsers and importers say what is wrong, the edge says how to answer. */
const STATUS_OF_KIND: Record<ErrorKind, number> = { invalid: 400, not_found: 404, conflict: 409, too_large: 413 };

export function errorResponse(e: unknown): Response {
  if (e instanceof ContractViolation) {
    console.error("[api] answer outside its contract:", e.message);
    return Response.json({ error: { code: "response_contract", message: e.message } }, { status: 500 });
  }
  if (e instanceof ApiError) return Response.json(e.toBody(), { status: e.status });
  if (e instanceof DomainError) return Response.json(e.toBody(), { status: STATUS_OF_KIND[e.kind] });
  if (e instanceof ZodError) {
    const issue = e.issues[0];
    const where = issue.path.length ? issue.path.join(".") : "body";
    return Response.json(
      { error: { code: "invalid_request", message: `${where}: ${issue.message}`, where } },
      { status: 400 },
    );
  }
  console.error("[api] unexpected error", e);
  return Response.json(
    { error: { code: "internal", message: "internal server error; see the server log" } },
    { status: 500 },
  );
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
  if (value.includes("\u0000"))
    throw badRequest("nul_character", `${where} contains a NUL character (U+0000), which cannot be stored`, where);
}

/** A text document (a CSV or JSON import): a NUL anywhere is refused with its line. */
export function assertTextDocument(text: string, where = "body"): void {
  const at = text.indexOf("\u0000");
  if (at < 0) return;
  const line = text.slice(0, at).split("\n").length;
  throw badRequest(
    "nul_character",
    `line ${line} contains a NUL character (U+0000), which cannot be stored`,
    `${where}, line ${line}`,
  );
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
