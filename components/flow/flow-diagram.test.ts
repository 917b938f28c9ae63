import { describe, expect, it } from "vitest";
import { spacedLabels, strongestLinks } from "./flow-diagram";

describe("flow diagram labels", () => {
  it("skips a node label that would print over the one above it", () => {
    // centres 10, 14 (4 px below: skipped), 22 (12 px below 10: kept), 30 (8 px: skipped), 60
    expect(spacedLabels([10, 14, 22, 30, 60])).toEqual([true, false, true, false, true]);
    expect(spacedLabels([])).toEqual([]);
  });

  it("orders the strongest links", () => {
    expect(strongestLinks(Float64Array.of(0, 3, 5, 1), 2, 2)).toEqual([
      { from: 1, to: 0, count: 5 },
      { from: 0, to: 1, count: 3 },
    ]);
  });
});
