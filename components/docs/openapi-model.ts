/**
 * Reading an OpenAPI 3 document for the API page (/docs/api). Only the document's shape is
 * assumed (paths → methods → operations, JSON Schema, #/... $refs), not how lib/api/openapi.ts
 * builds it, so the page keeps working when the document is generated from other sources.
 */

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export interface OpenApiDoc {
  openapi: string;
  info?: { title?: string; version?: string; description?: string };
  paths?: Record<string, Record<string, unknown>>;
  components?: Record<string, unknown>;
  tags?: { name: string; description?: string }[];
}

export const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

export interface Parameter {
  name: string;
  in: string;
  required: boolean;
  description?: string;
  schema?: JsonObject;
  example?: Json;
}

export interface Body {
  required: boolean;
  description?: string;
  content: { mediaType: string; schema?: JsonObject }[];
}

export interface Response {
  status: string;
  description?: string;
  content: { mediaType: string; schema?: JsonObject }[];
}

export interface Operation {
  /** e.g. "post-api-runs-id-traces": the anchor on the page. */
  id: string;
  method: string;
  path: string;
  summary?: string;
  description?: string;
  /** Named security schemes the operation asks for (empty: none stated). */
  security: string[];
  parameters: Parameter[];
  requestBody: Body | null;
  /** 1xx–3xx. */
  responses: Response[];
  /** 4xx, 5xx and "default". */
  errors: Response[];
}

export interface ResourceGroup {
  name: string;
  description?: string;
  operations: Operation[];
}

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** Follows a local $ref ("#/components/schemas/Run") through the document, up to a few hops. */
export function resolveRef(doc: OpenApiDoc, value: unknown): unknown {
  let v = value;
  for (let hops = 0; hops < 16 && isObject(v) && typeof v.$ref === "string"; hops++) {
    const ref = v.$ref;
    if (!ref.startsWith("#/")) return v;
    let target: unknown = doc;
    for (const raw of ref.slice(2).split("/")) {
      const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
      target = isObject(target) || Array.isArray(target) ? (target as Record<string, unknown>)[key] : undefined;
    }
    if (target === undefined) return v;
    v = target;
  }
  return v;
}

/** The name a $ref points at (its last segment), or null. */
export function refName(schema: unknown): string | null {
  return isObject(schema) && typeof schema.$ref === "string"
    ? decodeURIComponent(schema.$ref.split("/").pop() ?? "")
    : null;
}

/** Resource of an operation: its first tag, else the first path segment after /api. */
function resourceOf(path: string, op: JsonObject): string {
  const tags = op.tags;
  if (Array.isArray(tags) && typeof tags[0] === "string") return tags[0];
  const segments = path.split("/").filter(Boolean);
  const rest = segments[0] === "api" ? segments.slice(1) : segments;
  return rest[0] ?? "/";
}

function contents(doc: OpenApiDoc, content: unknown) {
  if (!isObject(content)) return [];
  return Object.entries(content).map(([mediaType, media]) => {
    const m = resolveRef(doc, media);
    return { mediaType, schema: isObject(m) && isObject(m.schema) ? m.schema : undefined };
  });
}

function parameter(doc: OpenApiDoc, p: unknown): Parameter | null {
  const r = resolveRef(doc, p);
  if (!isObject(r) || typeof r.name !== "string" || typeof r.in !== "string") return null;
  return {
    name: r.name,
    in: r.in,
    required: r.required === true || r.in === "path",
    description: typeof r.description === "string" ? r.description : undefined,
    schema: isObject(r.schema) ? r.schema : undefined,
    example: r.example,
  };
}

/**
 * Every operation of the document, grouped by resource (groups in the order they first appear,
 * operations in document order); path-level parameters are merged into each operation's, an
 * operation's own winning on (name, in).
 */
export function groupOperations(doc: OpenApiDoc): ResourceGroup[] {
  const groups = new Map<string, Operation[]>();
  for (const [path, rawItem] of Object.entries(doc.paths ?? {})) {
    const item = resolveRef(doc, rawItem);
    if (!isObject(item)) continue;
    const shared = Array.isArray(item.parameters) ? item.parameters : [];
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      const own = (Array.isArray(op.parameters) ? op.parameters : [])
        .map((p) => parameter(doc, p))
        .filter((p): p is Parameter => p !== null);
      const inherited = shared
        .map((p) => parameter(doc, p))
        .filter((p): p is Parameter => p !== null && !own.some((o) => o.name === p.name && o.in === p.in));
      const body = resolveRef(doc, op.requestBody);
      const responses = Object.entries(isObject(op.responses) ? op.responses : {}).map(([status, raw]) => {
        const r = resolveRef(doc, raw);
        return {
          status,
          description: isObject(r) && typeof r.description === "string" ? r.description : undefined,
          content: contents(doc, isObject(r) ? r.content : undefined),
        };
      });
      const security = Array.isArray(op.security)
        ? op.security.flatMap((s) => (isObject(s) ? Object.keys(s) : []))
        : [];
      const operation: Operation = {
        id: `${method}-${path}`
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, "-")
          .replace(/^-|-$/g, ""),
        method: method.toUpperCase(),
        path,
        summary: typeof op.summary === "string" ? op.summary : undefined,
        description: typeof op.description === "string" ? op.description : undefined,
        security,
        parameters: [...inherited, ...own],
        requestBody: isObject(body)
          ? {
              required: body.required === true,
              description: typeof body.description === "string" ? body.description : undefined,
              content: contents(doc, body.content),
            }
          : null,
        responses: responses.filter((r) => /^[123]/.test(r.status)),
        errors: responses.filter((r) => !/^[123]/.test(r.status)),
      };
      const resource = resourceOf(path, op);
      groups.set(resource, [...(groups.get(resource) ?? []), operation]);
    }
  }
  const described = new Map((doc.tags ?? []).map((t) => [t.name, t.description]));
  return [...groups].map(([name, operations]) => ({ name, description: described.get(name), operations }));
}

/** The named schemas of components.schemas, for the page's schema section that $refs link to. */
export function namedSchemas(doc: OpenApiDoc): [string, JsonObject][] {
  const schemas = isObject(doc.components) ? doc.components.schemas : undefined;
  return isObject(schemas) ? Object.entries(schemas).filter((e): e is [string, JsonObject] => isObject(e[1])) : [];
}

const literal = (v: Json) => (typeof v === "string" ? `"${v}"` : JSON.stringify(v));

/**
 * A one-line type of a schema: "string", "integer ≥ 0", "integer | null", "array of number",
 * "one of "a" | "b"", a $ref's name, "object". Nested object properties are listed by the page.
 */
export function typeLabel(doc: OpenApiDoc, schema: unknown, depth = 0): string {
  if (!isObject(schema)) return "any";
  const name = refName(schema);
  if (name) return name;
  if (depth > 6) return "…";
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map(literal).join(" | ")}`;
  if ("const" in schema) return `always ${literal(schema.const)}`;
  for (const k of ["oneOf", "anyOf"] as const) {
    const alts = schema[k];
    if (Array.isArray(alts)) return alts.map((a) => typeLabel(doc, a, depth + 1)).join(" or ");
  }
  if (Array.isArray(schema.allOf)) return schema.allOf.map((a) => typeLabel(doc, a, depth + 1)).join(" and ");
  const types = Array.isArray(schema.type)
    ? schema.type.map(String)
    : typeof schema.type === "string"
      ? [schema.type]
      : [];
  if (!types.length && isObject(schema.properties)) types.push("object");
  if (!types.length && "items" in schema) types.push("array");
  if (schema.nullable === true && !types.includes("null")) types.push("null");
  const one = (t: string) => {
    if (t === "array") return `array of ${typeLabel(doc, schema.items, depth + 1)}`;
    if (t === "object" && isObject(schema.additionalProperties) && !isObject(schema.properties))
      return `map of string → ${typeLabel(doc, schema.additionalProperties, depth + 1)}`;
    const bounds = [
      typeof schema.minimum === "number" ? `≥ ${schema.minimum}` : "",
      typeof schema.exclusiveMinimum === "number" ? `> ${schema.exclusiveMinimum}` : "",
      typeof schema.maximum === "number" ? `≤ ${schema.maximum}` : "",
      typeof schema.exclusiveMaximum === "number" ? `< ${schema.exclusiveMaximum}` : "",
      typeof schema.format === "string" ? `(${schema.format})` : "",
    ].filter(Boolean);
    return [t, ...bounds].join(" ");
  };
  return types.length ? types.map(one).join(" | ") : "any";
}

/** The properties an object schema lists (through a $ref, and the arms of an allOf), with whether each is required. */
export function objectProperties(
  doc: OpenApiDoc,
  schema: unknown,
): { name: string; schema: JsonObject; required: boolean }[] | null {
  const s = resolveRef(doc, schema);
  if (!isObject(s)) return null;
  if (Array.isArray(s.allOf)) {
    const parts = s.allOf.map((a) => objectProperties(doc, a)).filter((p) => p !== null);
    return parts.length ? parts.flat() : null;
  }
  if (!isObject(s.properties)) return null;
  const required = new Set(Array.isArray(s.required) ? s.required.map(String) : []);
  return Object.entries(s.properties).map(([name, p]) => ({
    name,
    schema: isObject(p) ? p : {},
    required: required.has(name),
  }));
}

/** Default, example and description of a schema, when it states them. */
export function schemaNotes(schema: unknown): { description?: string; default?: string; example?: string } {
  if (!isObject(schema)) return {};
  return {
    description: typeof schema.description === "string" ? schema.description : undefined,
    default: "default" in schema ? literal(schema.default) : undefined,
    example:
      "example" in schema
        ? literal(schema.example)
        : Array.isArray(schema.examples) && schema.examples.length
          ? literal(schema.examples[0])
          : undefined,
  };
}
