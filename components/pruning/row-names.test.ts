import { describe, expect, it } from "vitest";
import { pruningRowNames } from "./row-names";

describe("pruningRowNames", () => {
  it("names each run, adding the source only where two shown runs share a name", () => {
    const names = pruningRowNames([
      { id: "a", name: "Min-EAN one-shot", source: "MC-Suite paper, Table 2" },
      { id: "b", name: "Min-EAN one-shot", source: "MC-Suite paper, Table 3" },
      { id: "c", name: "Random lottery", source: "MC-Suite paper, Table 2" },
      { id: "d", name: "EUF iterative", source: "" },
      { id: "e", name: "EUF iterative", source: "" },
    ]);
    expect(names.get("a")).toBe("Min-EAN one-shot (Table 2)");
    expect(names.get("b")).toBe("Min-EAN one-shot (Table 3)");
    expect(names.get("c")).toBe("Random lottery");
    expect(names.get("d")).toBe("EUF iterative #d");
    expect(new Set(names.values()).size).toBe(5);
    // When the sources' last parts are alike, the whole source.
    const same = pruningRowNames([
      { id: "x", name: "EUF", source: "paper A, Table 1" },
      { id: "y", name: "EUF", source: "paper B, Table 1" },
    ]);
    expect([same.get("x"), same.get("y")]).toEqual(["EUF (paper A, Table 1)", "EUF (paper B, Table 1)"]);
  });
});
