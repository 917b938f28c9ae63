import { describe, expect, it } from "vitest";
import { heatmapSvg, matrixToCsv, toCsv } from "./export";

describe("exports", () => {
  it("writes RFC 4180 CSV: quotes what needs quoting, leaves null empty", () => {
    expect(
      toCsv(
        ["a", "b"],
        [
          ["x,y", 1.5],
          ['say "hi"', null],
          ["line\nbreak", Infinity],
        ],
      ),
    ).toBe('a,b\n"x,y",1.5\n"say ""hi""",\n"line\nbreak",\n');
  });

  it("labels matrix rows and columns with expert ids", () => {
    expect(
      matrixToCsv([
        [0, 3],
        [3, 0],
      ]),
    ).toBe("expert,0,1\n0,0,3\n1,3,0\n");
  });

  it("draws one rect per cell in the shown order, the diagonal gray", () => {
    const svg = heatmapSvg([0, 1, 2, 0], 2, [1, 0], (v) => `c${v}`, 5);
    const fills = [...svg.matchAll(/fill="([^"]+)"/g)].map((m) => m[1]);
    // order [1, 0]: (1,1) diag, (1,0) = 2, (0,1) = 1, (0,0) diag
    expect(fills).toEqual(["#808080", "c2", "c1", "#808080"]);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="10" height="10"/);
  });
});
