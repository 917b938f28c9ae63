import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineContract, intParam, json, type AnyContract } from "@/lib/api/contract";
import { CONTRACTS } from "@/lib/api/contracts";
import { NORMALIZATIONS } from "@/lib/analysis/coactivation";
import { apiHandler, type RouteHandler } from "@/lib/api/handler";
import { buildOpenApiDocument, openApiDocument } from "@/lib/api/openapi";
import { RUN_SORTS } from "@/lib/runs/run-sorts";
import { TRACE_FORMATS } from "@/lib/trace/detect-format";

const METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE"] as const;
const API_DIR = path.join(__dirname, "../app/api");

/** Every route file under app/api, as its OpenAPI path and file. */
function routeFiles(dir = API_DIR, prefix = "/api"): { path: string; file: string }[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full, `${prefix}/${entry.name.replace(/^\[(.+)\]$/, "{$1}")}`);
    return entry.name === "route.ts" ? [{ path: prefix, file: full }] : [];
  });
}

/** Every exported method handler of every route file, imported as Next would. */
async function routeHandlers() {
  const out: { path: string; method: string; file: string; handler: unknown }[] = [];
  for (const r of routeFiles()) {
    const mod = (await import(r.file)) as Record<string, unknown>;
    for (const m of METHODS) if (m in mod) out.push({ ...r, method: m, handler: mod[m] });
  }
  return out;
}

type Doc = {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { name: string; in: string; schema: Record<string, unknown> }[];
        responses: Record<
          string,
          { content?: Record<string, { schema?: unknown }>; headers?: Record<string, unknown> }
        >;
      }
    >
  >;
};
const doc = openApiDocument as unknown as Doc;

describe("every route has a contract", () => {
  it("walks app/api: each exported method is apiHandler(contract, ...) with the file's own method and path", async () => {
    const handlers = await routeHandlers();
    expect(handlers.length).toBeGreaterThan(30);
    for (const h of handlers) {
      const contract = (h.handler as Partial<RouteHandler>).contract;
      expect(contract, `${h.method} ${h.path} (${path.relative(API_DIR, h.file)}) has no contract`).toBeDefined();
      expect(`${contract!.method} ${contract!.path}`, `${h.file}`).toBe(`${h.method} ${h.path}`);
    }
    // Each contract is served by exactly one handler, and the document lists exactly the served ones.
    const served = handlers.map((h) => `${h.method} ${h.path}`).sort();
    expect(CONTRACTS.map((c) => `${c.method} ${c.path}`).sort()).toEqual(served);
    const documented = Object.entries(doc.paths).flatMap(([p, item]) =>
      Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(documented.sort()).toEqual(served);
  });

  it("no route file parses a query parameter or a body by hand", () => {
    for (const r of routeFiles()) {
      const src = fs.readFileSync(r.file, "utf8");
      expect(src, r.file).not.toMatch(/searchParams|new URL\(req\.url\)|readJson|\.parse\(/);
    }
  });

  it("every operation has a response schema: JSON with a schema, or bytes with the headers that say how to read them", () => {
    let operations = 0;
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(item)) {
        operations++;
        const ok = Object.entries(op.responses).filter(([s]) => /^2/.test(s));
        expect(ok, `${m} ${p}`).toHaveLength(1);
        const [, answer] = ok[0];
        const [media, content] = Object.entries(answer.content ?? {})[0] ?? [];
        expect(content?.schema, `${m} ${p} has no response schema`).toBeTruthy();
        if (media !== "application/json")
          expect(
            Object.keys(answer.headers ?? {}).length,
            `${m} ${p}: binary answers document their headers`,
          ).toBeGreaterThan(0);
        // No answer is just "an object": each lists its properties, a $ref, or a union.
        const s = content!.schema as Record<string, unknown>;
        if (media === "application/json")
          expect(s.$ref ?? s.properties ?? s.anyOf ?? s.oneOf, `${m} ${p}`).toBeTruthy();
      }
    }
    expect(operations).toBe(CONTRACTS.length);
  });

  it("takes enums from the code's own constants", () => {
    const param = (p: string, m: string, name: string) =>
      doc.paths[p][m].parameters!.find((x) => x.name === name)!.schema;
    expect(param("/api/runs", "get", "sort").enum).toEqual([...RUN_SORTS]);
    expect(param("/api/runs/{id}/layers/{layer}", "get", "normalization").enum).toEqual([...NORMALIZATIONS]);
    expect(param("/api/runs/{id}/traces", "post", "format").enum).toEqual([...TRACE_FORMATS, "auto"]);
    expect(param("/api/runs/{id}/experts", "get", "topT")).toEqual({
      type: "integer",
      minimum: 0,
      maximum: 4096,
      default: 3,
    });
    const run = (
      openApiDocument.components.schemas as Record<string, { properties: Record<string, { enum?: string[] }> }>
    ).Run;
    expect(run.properties.visibility.enum).toEqual(["private", "unlisted", "public"]);
  });

  it("fails on a contract a route does not serve (the generator and the walk agree on what exists)", () => {
    const extra = defineContract({
      method: "GET",
      path: "/api/nowhere",
      summary: "x",
      response: json(z.object({ a: z.number() }), "x"),
      errors: [],
    });
    const generated = buildOpenApiDocument([...CONTRACTS, extra as AnyContract]) as unknown as Doc;
    expect(Object.keys(generated.paths)).toContain("/api/nowhere");
    expect(Object.keys(doc.paths)).not.toContain("/api/nowhere");
  });
});

describe("apiHandler checks what it answers (tests and development)", () => {
  const call = (h: RouteHandler, url = "http://atlas.test/api/x", params: Record<string, string> = {}) =>
    h(new Request(url), { params: Promise.resolve(params) });
  const contract = defineContract({
    method: "GET",
    path: "/api/x/{layer}",
    summary: "a test endpoint",
    params: z.object({ layer: intParam() }),
    query: z.object({ topT: intParam({ max: 10 }).default(3) }),
    response: json(z.object({ layer: z.number().int(), topT: z.number().int(), share: z.number().nullable() }), "x"),
    errors: [400],
  });

  it("parses path and query parameters into typed values, and names the field in a 400", async () => {
    const ok = apiHandler(contract, async ({ params, query }) => ({
      layer: params.layer,
      topT: query.topT,
      share: null,
    }));
    const res = await call(ok, "http://atlas.test/api/x/2", { layer: "2" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ layer: 2, topT: 3, share: null });
    const bad = await call(ok, "http://atlas.test/api/x/2?topT=11", { layer: "2" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatchObject({
      code: "invalid_field",
      where: "query parameter topT",
      message: expect.stringContaining("[0, 10]"),
    });
    const badPath = await call(ok, "http://atlas.test/api/x/a", { layer: "a" });
    expect((await badPath.json()).error).toMatchObject({ code: "invalid_field", where: "path parameter layer" });
  });

  it("answers 500 response_contract when the answer breaks its schema", async () => {
    // A number where the contract says number | null, sent as a string: a drift the type system was talked out of.
    const drifted = apiHandler(contract, async ({ params }) => ({
      layer: params.layer,
      topT: 3,
      share: "0.5" as unknown as number,
    }));
    const res = await call(drifted, "http://atlas.test/api/x/1", { layer: "1" });
    expect(res.status).toBe(500);
    expect((await res.json()).error).toMatchObject({
      code: "response_contract",
      message: expect.stringContaining("share"),
    });
  });

  it("checks a binary answer's headers", async () => {
    const bytes = defineContract({
      method: "GET",
      path: "/api/bytes",
      summary: "bytes",
      response: {
        kind: "binary",
        status: 200,
        description: "f64",
        mediaType: "application/octet-stream",
        headers: { "x-shape": { description: "E", schema: z.string().regex(/^\d+$/) } },
      },
      errors: [],
    });
    const good = await call(apiHandler(bytes, async () => ({ bytes: new Uint8Array(8), headers: { "x-shape": "1" } })));
    expect(good.status).toBe(200);
    expect(good.headers.get("x-shape")).toBe("1");
    expect(good.headers.get("content-type")).toBe("application/octet-stream");
    expect((await good.arrayBuffer()).byteLength).toBe(8);
    const bad = await call(
      apiHandler(bytes, async () => ({ bytes: new Uint8Array(8), headers: { "x-shape": "1,x" } })),
    );
    expect(bad.status).toBe(500);
    expect((await bad.json()).error.code).toBe("response_contract");
  });
});

describe("undeclared fields", () => {
  it("an answer with a field its contract does not declare is a 500 response_contract", async () => {
    const c = defineContract({
      method: "GET",
      path: "/api/y",
      summary: "y",
      response: json(z.object({ a: z.array(z.object({ b: z.number() })) }), "y"),
      errors: [],
    });
    const res = await apiHandler(c, async () => ({ a: [{ b: 1, extra: 2 } as { b: number }] }))(
      new Request("http://atlas.test/api/y"),
      { params: Promise.resolve({}) },
    );
    expect(res.status).toBe(500);
    expect((await res.json()).error.message).toContain("a[0].extra");
  });
});
