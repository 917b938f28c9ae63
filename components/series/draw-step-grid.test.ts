import { describe, expect, it } from "vitest";
import { makeColorScale, NO_VALUE_RGB } from "@/components/viz/color-scale";
import { drawStepGrid, gridDomain, rasterizeStepGrid } from "./draw-step-grid";

describe("the layer x step grid", () => {
  const values = [
    [0, 1],
    [null, 0.5],
  ];
  const color = makeColorScale([0, 1], "linear");

  it("puts layer rows and step columns in one pass, null cells in the no-value gray", () => {
    const r = rasterizeStepGrid({ values, rows: 2, color, cellWidth: 3, cellHeight: 2 });
    expect([r.width, r.height]).toEqual([6, 4]);
    const px = (x: number, y: number) => Array.from(r.data.subarray((y * r.width + x) * 4, (y * r.width + x) * 4 + 4));
    const rgb = (v: number) => {
      const out = new Uint8ClampedArray(4);
      color.rgb(v, out, 0);
      return [out[0], out[1], out[2], 255];
    };
    expect(px(0, 0)).toEqual(rgb(0)); // step 0, layer 0
    expect(px(2, 1)).toEqual(rgb(0)); // the same cell's last pixel
    expect(px(0, 2)).toEqual(rgb(1)); // step 0, layer 1
    expect(px(3, 0)).toEqual([...NO_VALUE_RGB, 255]); // step 1, layer 0: no value
    expect(px(5, 3)).toEqual(rgb(0.5));
  });

  it("draws with one putImageData and spans the known values", () => {
    const calls: string[] = [];
    drawStepGrid(
      {
        createImageData: (w, h) => {
          calls.push(`create ${w}x${h}`);
          return { data: new Uint8ClampedArray(w * h * 4), width: w, height: h } as ImageData;
        },
        putImageData: () => void calls.push("put"),
      },
      { values, rows: 2, color, cellWidth: 1, cellHeight: 1 },
    );
    expect(calls).toEqual(["create 2x2", "put"]);
    expect(gridDomain(values)).toEqual([0, 1]);
    expect(gridDomain([[null]])).toEqual([0, 1]);
  });
});
