import { describe, expect, it } from "vitest";
import { openApiDocument } from "@/lib/api/openapi";
import { groupOperations, HTTP_METHODS, objectProperties, typeLabel, type OpenApiDoc } from "./openapi-model";

const doc = openApiDocument as unknown as OpenApiDoc;

describe("the API page's reading of the OpenAPI document", () => {
  it("lists every operation of the served document once, grouped by resource", () => {
    const expected = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
      HTTP_METHODS.filter((m) => m in item).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const listed = groupOperations(doc).flatMap((g) => g.operations.map((o) => `${o.method} ${o.path}`));
    expect(listed.sort()).toEqual(expected.sort());
    expect(expected.length).toBeGreaterThan(20);
    const runs = groupOperations(doc).find((g) => g.name === "runs")!;
    expect(runs.operations.map((o) => o.path)).toContain("/api/runs/{id}/traces");
  });
  it("keeps parameters, bodies, responses and errors", () => {
    const op = groupOperations(doc)
      .flatMap((g) => g.operations)
      .find((o) => o.method === "POST" && o.path === "/api/runs/{id}/traces")!;
    expect(op.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(["id", "format", "map", "label"]));
    expect(op.parameters.find((p) => p.name === "id")!.required).toBe(true);
    expect(op.requestBody!.content[0].mediaType).toBe("application/octet-stream");
    expect(op.responses.map((r) => r.status)).toEqual(["200"]);
    expect(op.errors.map((r) => r.status)).toEqual(expect.arrayContaining(["400", "413"]));
    expect(op.security).toEqual(["bearer"]);
  });
  it("reads OpenAPI shapes the hand-written document does not use: tags, $ref'd parameters and bodies, path-level parameters, allOf, nullable", () => {
    const other: OpenApiDoc = {
      openapi: "3.0.3",
      tags: [{ name: "things", description: "Things." }],
      components: {
        parameters: { Id: { name: "id", in: "path", schema: { type: "string" } } },
        requestBodies: {
          Thing: {
            required: true,
            content: { "application/json": { schema: { $ref: "#/components/schemas/Thing" } } },
          },
        },
        schemas: {
          Thing: {
            allOf: [
              { type: "object", required: ["a"], properties: { a: { type: "integer", minimum: 0 } } },
              { type: "object", properties: { b: { type: "string", nullable: true } } },
            ],
          },
        },
      },
      paths: {
        "/v1/things/{id}": {
          parameters: [{ $ref: "#/components/parameters/Id" }],
          put: {
            tags: ["things"],
            requestBody: { $ref: "#/components/requestBodies/Thing" },
            parameters: [{ name: "dry", in: "query", schema: { type: "boolean", default: false } }],
            responses: { "204": { description: "done" }, default: { description: "error" } },
          },
        },
      },
    };
    const [g] = groupOperations(other);
    expect(g.name).toBe("things");
    expect(g.description).toBe("Things.");
    const [op] = g.operations;
    expect(op.parameters.map((p) => [p.name, p.in, p.required])).toEqual([
      ["id", "path", true],
      ["dry", "query", false],
    ]);
    expect(op.requestBody!.required).toBe(true);
    expect(op.errors.map((e) => e.status)).toEqual(["default"]);
    const props = objectProperties(other, op.requestBody!.content[0].schema)!;
    expect(props.map((p) => [p.name, p.required, typeLabel(other, p.schema)])).toEqual([
      ["a", true, "integer ≥ 0"],
      ["b", false, "string | null"],
    ]);
  });
  it("writes types readably", () => {
    expect(typeLabel(doc, { type: ["integer", "null"] })).toBe("integer | null");
    expect(typeLabel(doc, { type: "array", items: { type: "array", items: { type: "number" } } })).toBe(
      "array of array of number",
    );
    expect(typeLabel(doc, { enum: ["a", "b"] })).toBe('one of "a" | "b"');
    expect(typeLabel(doc, { $ref: "#/components/schemas/Run" })).toBe("Run");
    expect(typeLabel(doc, { type: "object", additionalProperties: { type: "number" } })).toBe("map of string → number");
  });
});
