import { z } from "zod";
import { APP_VERSION } from "@/lib/version";
import { paramDocs, type AnyContract } from "./contract";
import { CONTRACTS } from "./contracts";
import { NAMED_INPUT_SCHEMAS, NAMED_SCHEMAS } from "./contracts/common";

/**
 * The OpenAPI 3.1 document, generated from the endpoints' contracts (lib/api/contracts) with zod's
 * own JSON Schema output (z.toJSONSchema, draft 2020-12, which OpenAPI 3.1 uses): request bodies
 * and parameters as their input (what a client sends), answers as their output (what it receives).
 * Enums come from the code's constants through the schemas. Named schemas (Run, ModelConfig,
 * Error...) are components; every use of them is a $ref.
 */
type Json = Record<string, unknown>;
const COMPONENT = "#/components/schemas/";

const DESCRIPTION =
  "Routing traces in, routing analytics out. Errors are {error: {code, message, where}} with a 4xx/5xx status. Writes need `Authorization: Bearer <token>` once any API token exists (create one with `npm run token -- create <name>`). A run is changed only by the token that owns it or an admin token (the first token of a server is one). Reads follow visibility: a private run answers 404 except to its owner's token and admin tokens, and so does everything derived from it (pruning runs, keep-masks, quantization results, shares); a token that is presented but invalid is a 403. Browsers may use the session cookie set by POST /api/session instead of the header; a write carried by the cookie from another origin is a 403 cross_origin.";

/** Parameters are text on the wire; their documented meaning (an integer in a range) replaces the string schema. Safe-integer bounds zod adds to every int are noise. */
function override(ctx: { zodSchema: unknown; jsonSchema: Json }) {
  const doc = paramDocs.get(ctx.zodSchema as z.ZodType);
  if (doc) {
    for (const k of Object.keys(ctx.jsonSchema)) if (k !== "default") delete ctx.jsonSchema[k];
    Object.assign(ctx.jsonSchema, doc);
  }
  const def = (ctx.zodSchema as { _zod?: { def?: { type?: string; defaultValue?: unknown } } })._zod?.def;
  if (def?.type === "default" && ctx.jsonSchema.default === undefined) ctx.jsonSchema.default = def.defaultValue;
  if (ctx.jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete ctx.jsonSchema.minimum;
  if (ctx.jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete ctx.jsonSchema.maximum;
}

/** One registry pass per direction: schemas registered under an id come back by that id, refs between named ones as #/components/schemas/<id>. */
function generate(entries: [string, z.ZodType][], io: "input" | "output"): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of entries) if (!registry.has(schema)) registry.add(schema, { id });
  const ids = new Map(entries.map(([id, s]) => [s, registry.get(s)!.id ?? id]));
  const out = z.toJSONSchema(registry, {
    io,
    uri: (id) => COMPONENT + id,
    unrepresentable: "any",
    override: override as never,
  }).schemas as Record<string, Json>;
  for (const s of Object.values(out)) {
    delete s.$schema;
    delete s.$id;
  }
  // An entry registered twice (the same schema object) answers under its first id.
  return Object.fromEntries(entries.map(([id, s]) => [id, out[ids.get(s)!]]));
}

/** Replaces $refs to operation-level ids (not components) by the schema itself. */
function inlineRefs(value: unknown, local: Record<string, Json>, named: Set<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => inlineRefs(v, local, named));
  if (!value || typeof value !== "object") return value;
  const obj = value as Json;
  if (typeof obj.$ref === "string" && obj.$ref.startsWith(COMPONENT)) {
    const id = obj.$ref.slice(COMPONENT.length);
    if (!named.has(id) && local[id]) return inlineRefs(local[id], local, named);
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, inlineRefs(v, local, named)]));
}

const opId = (c: AnyContract) => `${c.method} ${c.path}`;
const errorRef = { $ref: `${COMPONENT}Error` };

export function buildOpenApiDocument(contracts: readonly AnyContract[] = CONTRACTS) {
  const named = new Set([...NAMED_SCHEMAS.keys(), ...NAMED_INPUT_SCHEMAS.keys()]);
  const namedOf = new Map([...NAMED_SCHEMAS].map(([id, s]) => [s, id]));
  const outputs: [string, z.ZodType][] = [...NAMED_SCHEMAS];
  const inputs: [string, z.ZodType][] = [...NAMED_INPUT_SCHEMAS];
  for (const c of contracts) {
    const id = opId(c);
    if (c.response.kind === "json" && !namedOf.has(c.response.schema))
      outputs.push([`${id} response`, c.response.schema]);
    if (c.body?.kind === "json") inputs.push([`${id} body`, c.body.schema]);
    if (c.params) inputs.push([`${id} params`, c.params]);
    if (c.query) inputs.push([`${id} query`, c.query]);
  }
  const generated = { ...generate(inputs, "input"), ...generate(outputs, "output") };
  const schema = (key: string) => inlineRefs(generated[key], generated, named) as Json;
  const responseSchema = (s: z.ZodType, key: string) =>
    namedOf.has(s) ? { $ref: COMPONENT + namedOf.get(s) } : schema(key);

  const paths: Record<string, Record<string, Json>> = {};
  for (const c of contracts) {
    const id = opId(c);
    const parameters = (["params", "query"] as const).flatMap((part) => {
      if (!c[part]) return [];
      const s = schema(`${id} ${part}`);
      const required = new Set((s.required as string[] | undefined) ?? []);
      return Object.entries((s.properties ?? {}) as Record<string, Json>).map(([name, p]) => {
        const { description, ...rest } = p;
        return {
          name,
          in: part === "params" ? "path" : "query",
          required: part === "params" || required.has(name),
          ...(description ? { description } : {}),
          schema: rest,
        };
      });
    });
    const r = c.response;
    const answer =
      r.kind === "json"
        ? {
            description: r.description,
            content: { "application/json": { schema: responseSchema(r.schema, `${id} response`) } },
          }
        : {
            description: r.description,
            headers: Object.fromEntries(
              Object.entries(r.headers).map(([name, h]) => [
                name,
                { description: h.description, required: true, schema: { type: "string" } },
              ]),
            ),
            content: { [r.mediaType]: { schema: { type: "string", format: "binary" } } },
          };
    const body =
      c.body?.kind === "json"
        ? { required: true, content: { "application/json": { schema: schema(`${id} body`) } } }
        : c.body?.kind === "raw"
          ? {
              required: true,
              content: Object.fromEntries(
                Object.entries(c.body.media).map(([type, m]) => [
                  type,
                  {
                    schema: m.schema ?? {
                      type: "string",
                      format: "binary",
                      ...(m.description ? { description: m.description } : {}),
                    },
                  },
                ]),
              ),
            }
          : undefined;
    (paths[c.path] ??= {})[c.method.toLowerCase()] = {
      summary: c.summary,
      ...(c.description ? { description: c.description } : {}),
      ...(c.auth ? { security: [{ bearer: [] }] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(body ? { requestBody: body } : {}),
      responses: {
        [String(r.status)]: answer,
        ...Object.fromEntries(
          c.errors.map((s) => [
            String(s),
            { description: "error", content: { "application/json": { schema: errorRef } } },
          ]),
        ),
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "MoE Atlas API", version: APP_VERSION, description: DESCRIPTION },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: Object.fromEntries([...named].map((n) => [n, schema(n)])),
    },
    paths,
  };
}

/** The public API (PRODUCT.md §9), for scripts, the CLI, the Python helper and the /docs/api page; built once, at load. */
export const openApiDocument = buildOpenApiDocument();
