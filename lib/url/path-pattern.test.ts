import { describe, expect, it } from "vitest";
import { compilePathPattern } from "./path-pattern";

describe("compilePathPattern", () => {
  it("matches literal segments exactly and gives the named ones, decoded", () => {
    const p = compilePathPattern("/runs/:runId/layers/:layer");
    expect(p.names).toEqual(["runId", "layer"]);
    expect(p.match("/runs/abc/layers/3")).toEqual({ runId: "abc", layer: "3" });
    expect(p.match("/runs/a%20b/layers/x")).toEqual({ runId: "a b", layer: "x" });
    expect(p.match("/runs/abc/layers")).toBeNull();
    expect(p.match("/runs/abc/layers/3/more")).toBeNull();
    expect(p.match("/runs/abc/graph/3")).toBeNull();
    expect(p.match("/runs/%E0%A4%A/layers/1")).toBeNull();
  });

  it("matches a pattern without params only on its own path", () => {
    const p = compilePathPattern("/compare");
    expect(p.match("/compare")).toEqual({});
    expect(p.match("/compare/x")).toBeNull();
    expect(p.match("/")).toBeNull();
  });

  it("refuses malformed patterns", () => {
    expect(() => compilePathPattern("runs/:id")).toThrow(/start with/);
    expect(() => compilePathPattern("/a/:x/:x")).toThrow(/twice/);
  });
});
