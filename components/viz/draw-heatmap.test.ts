import { describe, expect, it } from "vitest";
import { makeColorScale } from "./color-scale";
import { cellAt, drawHeatmap, type HeatmapContext } from "./draw-heatmap";

/** Records what the heatmap asks of a 2D context, as Perfetto's drawing tests do. */
function recordingContext() {
  const calls: { op: string; args: unknown[] }[] = [];
  const ctx: HeatmapContext = {
    createImageData: (w, h) => {
      calls.push({ op: "createImageData", args: [w, h] });
      return { width: w, height: h, data: new Uint8ClampedArray(w * h * 4), colorSpace: "srgb" } as ImageData;
    },
    putImageData: (img, x, y) => calls.push({ op: "putImageData", args: [img, x, y] }),
  };
  return { ctx, calls };
}

const pixel = (img: ImageData, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 4));

describe("drawHeatmap", () => {
  // 3 experts: C_01 = 10 (max), C_02 = 0 (min), C_12 = 5.
  const values = [0, 10, 0, 10, 0, 5, 0, 5, 0];
  const color = makeColorScale([0, 10], "linear");

  it("draws the whole matrix with one putImageData, cell x cell pixels per value", () => {
    const { ctx, calls } = recordingContext();
    drawHeatmap(ctx, { values, n: 3, order: [0, 1, 2], color, cell: 4 });
    expect(calls.map((c) => c.op)).toEqual(["createImageData", "putImageData"]);
    const img = calls[1].args[0] as ImageData;
    expect([img.width, img.height]).toEqual([12, 12]);
    // viridis ends: max is yellow (#fde725), min is dark purple (#440154); diagonal gray.
    expect(pixel(img, 4, 0)).toEqual([0xfd, 0xe7, 0x25, 255]);
    expect(pixel(img, 7, 3)).toEqual([0xfd, 0xe7, 0x25, 255]);
    expect(pixel(img, 8, 0)).toEqual([0x44, 0x01, 0x54, 255]);
    expect(pixel(img, 0, 0)).toEqual([128, 128, 128, 255]);
  });

  it("places experts in the given order", () => {
    const { ctx, calls } = recordingContext();
    drawHeatmap(ctx, { values, n: 3, order: [2, 0, 1], color, cell: 1 });
    const img = calls[1].args[0] as ImageData;
    // row 1 is expert 0, column 2 is expert 1: C_01 = max
    expect(pixel(img, 2, 1)).toEqual([0xfd, 0xe7, 0x25, 255]);
    expect(cellAt(2.5, 1.5, 3, 1, [2, 0, 1])).toEqual({ row: 0, col: 1 });
    expect(cellAt(3.5, 0, 3, 1, [2, 0, 1])).toBeNull();
  });

  it("log scale lifts small values above the linear scale's", () => {
    const lin = makeColorScale([0, 1000], "linear", 1);
    const log = makeColorScale([0, 1000], "log", 1);
    expect(log.t(10)).toBeGreaterThan(lin.t(10) * 10);
    expect(log.t(0)).toBe(0);
    expect(log.t(1000)).toBe(1);
  });
});
