import { z } from "zod";

/**
 * One endpoint's contract, declared once (lib/api/contracts/<resource>.ts): its path params, query,
 * body and response as zod schemas. `apiHandler(contract, fn)` parses the inputs with it, checks
 * the answer against it in tests and development, and lib/api/openapi.ts generates the OpenAPI
 * document from every contract (z.toJSONSchema), so the three cannot drift apart.
 */
export type HttpMethod = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

type Shape = z.ZodObject<Record<string, z.ZodType<unknown, string | undefined>>>;

/** A JSON body, parsed (and NUL-checked) before the handler runs. */
export interface JsonBody<S extends z.ZodType = z.ZodType> {
  kind: "json";
  schema: S;
}
/** A body the handler reads itself (a streamed trace, a CSV or JSON document), documented by media type. */
export interface RawBody {
  kind: "raw";
  media: Record<string, { description?: string; schema?: Record<string, unknown> }>;
}

/** A JSON answer: its status and schema. */
export interface JsonResponse<S extends z.ZodType = z.ZodType> {
  kind: "json";
  status: 200 | 201;
  description: string;
  schema: S;
}
/** Bytes (a matrix as little-endian floats...): the media type, and the headers that say how to read them. */
export interface BinaryResponse<H extends string = string> {
  kind: "binary";
  status: 200;
  description: string;
  mediaType: string;
  headers: Record<H, { description: string; schema: z.ZodType<unknown, string> }>;
}

export interface Contract<
  P extends Shape | undefined = Shape | undefined,
  Q extends Shape | undefined = Shape | undefined,
  B extends JsonBody | RawBody | undefined = JsonBody | RawBody | undefined,
  R extends JsonResponse | BinaryResponse = JsonResponse | BinaryResponse,
> {
  method: HttpMethod;
  /** OpenAPI form: /api/runs/{id}/layers/{layer}. */
  path: string;
  summary: string;
  description?: string;
  /** Needs a write token once tokens exist (documented as bearer security). */
  auth?: boolean;
  params?: P;
  query?: Q;
  body?: B;
  response: R;
  /** Error statuses this endpoint answers with the error contract. */
  errors: number[];
}

/** Identity with inference: a contract literal keeps its schema types for apiHandler and z.infer. */
export function defineContract<
  P extends Shape | undefined = undefined,
  Q extends Shape | undefined = undefined,
  B extends JsonBody | RawBody | undefined = undefined,
  R extends JsonResponse | BinaryResponse = JsonResponse,
>(c: Contract<P, Q, B, R>): Contract<P, Q, B, R> {
  return c;
}

export const jsonBody = <S extends z.ZodType>(schema: S): JsonBody<S> => ({ kind: "json", schema });
export const json = <S extends z.ZodType>(
  schema: S,
  description: string,
  status: 200 | 201 = 200,
): JsonResponse<S> => ({ kind: "json", status, description, schema });

/** What a route's function returns for a binary contract: the bytes and the headers the contract names. */
export interface BinaryAnswer<H extends string = string> {
  bytes: Uint8Array;
  headers: Record<H, string>;
}

export type AnyContract = Contract<
  Shape | undefined,
  Shape | undefined,
  JsonBody | RawBody | undefined,
  JsonResponse | BinaryResponse
>;
type OutOf<S> = [S] extends [z.ZodType] ? z.output<S> : Record<string, never>;
export type ParamsOf<C extends AnyContract> = OutOf<NonNullable<C["params"]>>;
export type QueryOf<C extends AnyContract> = OutOf<NonNullable<C["query"]>>;
export type BodyOf<C extends AnyContract> = NonNullable<C["body"]> extends JsonBody<infer S> ? z.output<S> : undefined;
/** What the route's function must return: the response schema's input (checked by tsc against the lib/ function's type). */
export type AnswerOf<C extends AnyContract> =
  C["response"] extends JsonResponse<infer S>
    ? z.input<S>
    : C["response"] extends BinaryResponse<infer H>
      ? BinaryAnswer<H>
      : never;
/** What the client receives: the response schema's output (lib/query types its fetches with it). */
export type ResponseOf<C extends AnyContract> = C["response"] extends JsonResponse<infer S> ? z.output<S> : never;

// ---- Path and query parameter schemas: text in, typed values out, with messages that name the field.

/** Zod schema -> the JSON Schema the OpenAPI document shows for it (a parameter is text on the wire, its meaning is a number). */
export const paramDocs = new WeakMap<z.ZodType, Record<string, unknown>>();
const documented = <T extends z.ZodType>(schema: T, doc: Record<string, unknown>): T => {
  paramDocs.set(schema, doc);
  return schema;
};

/** An integer parameter in [min, max]. */
export function intParam(opts: { min?: number; max?: number; description?: string } = {}) {
  const min = opts.min ?? 0;
  const max = opts.max ?? Number.MAX_SAFE_INTEGER;
  const range = max === Number.MAX_SAFE_INTEGER ? `an integer from ${min}` : `an integer in [${min}, ${max}]`;
  const schema = z
    .string()
    .transform((v, ctx) => {
      const n = /^-?\d+$/.test(v) ? Number(v) : NaN;
      if (!Number.isSafeInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: "custom", message: `must be ${range}, got ${JSON.stringify(v.slice(0, 40))}` });
        return z.NEVER;
      }
      return n;
    })
    .describe(opts.description ?? range);
  return documented(schema, {
    type: "integer",
    minimum: min,
    ...(max < Number.MAX_SAFE_INTEGER ? { maximum: max } : {}),
    ...(opts.description ? { description: opts.description } : {}),
  });
}

/** A 1/true or 0/false flag; absent or empty is false. */
export function flagParam(description: string) {
  const schema = z
    .enum(["1", "true", "0", "false", ""], {
      error: (i) => `must be 1/true or 0/false, got ${JSON.stringify(String(i.input).slice(0, 40))}`,
    })
    .optional()
    .transform((v) => v === "1" || v === "true")
    .describe(description);
  return documented(schema, { enum: ["1", "true", "0", "false"], description });
}

/** One of a fixed list (the code's own constant), with a message that lists them. */
export function enumParam<const T extends readonly [string, ...string[]]>(values: T, description?: string) {
  const schema = z.enum(values, {
    error: (i) => `must be one of ${values.join(", ")}; got ${JSON.stringify(String(i.input).slice(0, 40))}`,
  });
  return description ? schema.describe(description) : schema;
}

/** Reads URLSearchParams into a plain object (the first value of each name) for a query schema. */
export function searchObject(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of params) if (!(k in out)) out[k] = v;
  return out;
}

/**
 * The first place where `sent` has a key its parsed form lost: a field the answer carries but its
 * schema does not declare (zod objects strip unknown keys, so parsing alone would not notice), or
 * null when every key is declared.
 */
export function undeclaredKey(sent: unknown, parsed: unknown, path = ""): string | null {
  if (Array.isArray(sent) && Array.isArray(parsed)) {
    for (let i = 0; i < sent.length; i++) {
      const found = undeclaredKey(sent[i], parsed[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (sent && typeof sent === "object" && parsed && typeof parsed === "object") {
    for (const [k, v] of Object.entries(sent)) {
      const at = path ? `${path}.${k}` : k;
      if (!(k in parsed)) return at;
      const found = undeclaredKey(v, (parsed as Record<string, unknown>)[k], at);
      if (found) return found;
    }
  }
  return null;
}
