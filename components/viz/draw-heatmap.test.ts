import { describe, expect, it } from "vitest";
import { legendTicks, makeColorScale, makeDivergingScale, minPositiveOffDiagonal, NO_VALUE_RGB } from "./color-scale";
import { cellAt, drawGrid, drawHeatmap, gridCellAt, rasterizeHeatmap, type HeatmapContext } from "./draw-heatmap";

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

const pixel = (img: ImageData, x: number, y: number) =>
  Array.from(img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 4));

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
    expect(log.t(1)).toBe(0);
    expect(log.t(1000)).toBe(1);
    expect(log.domain).toEqual([1, 1000]);
  });
});

describe("log colour scale: zeros have no value", () => {
  // 3 experts on a log scale: C_01 = 200 (max), C_02 = 0 (never), C_12 = 0.004 (smallest positive).
  const values = [0, 200, 0, 200, 0, 0.004, 0, 0.004, 0];
  const color = makeColorScale([0, 200], "log", minPositiveOffDiagonal(values, 3));

  it("paints zero cells in the no-value colour, the smallest positive at the bottom of viridis", () => {
    const { ctx, calls } = recordingContext();
    drawHeatmap(ctx, { values, n: 3, order: [0, 1, 2], color, cell: 2 });
    expect(calls.map((c) => c.op)).toEqual(["createImageData", "putImageData"]);
    const img = calls[1].args[0] as ImageData;
    expect(pixel(img, 4, 0)).toEqual([...NO_VALUE_RGB, 255]); // (0, 2): 0
    expect(pixel(img, 0, 4)).toEqual([...NO_VALUE_RGB, 255]); // (2, 0): 0
    expect(pixel(img, 4, 2)).toEqual([0x44, 0x01, 0x54, 255]); // (1, 2): smallest positive
    expect(pixel(img, 2, 0)).toEqual([0xfd, 0xe7, 0x25, 255]); // (0, 1): max
    expect(pixel(img, 2, 2)).toEqual([128, 128, 128, 255]); // diagonal stays gray, not no-value
    expect(color.css(0)).toBe(`rgb(${NO_VALUE_RGB.join(", ")})`);
    expect([color.noValue(0), color.noValue(0.004)]).toEqual([true, false]);
  });

  it("a linear scale still paints zero as its bottom colour", () => {
    const { ctx, calls } = recordingContext();
    drawHeatmap(ctx, { values, n: 3, order: [0, 1, 2], color: makeColorScale([0, 200], "linear"), cell: 1 });
    expect(pixel(calls[1].args[0] as ImageData, 2, 0)).toEqual([0x44, 0x01, 0x54, 255]);
  });

  it("the legend starts at the smallest positive value, not at a bisection residue like 1e-13", () => {
    const ticks = legendTicks(color, 320);
    expect(ticks[0]).toMatchObject({ value: 0.004, label: "0.004", x: 0, anchor: "start" });
    expect(ticks.at(-1)).toMatchObject({ value: 200, label: "200", x: 320, anchor: "end" });
    // interior ticks are round log values: 1, 2, 5 × 10^n
    for (const t of ticks.slice(1, -1)) expect(String(t.value)).toMatch(/^(0\.0*)?[125]0*$/);
    expect(ticks.length).toBeGreaterThan(3);
    // all zero: a log scale has nothing to place
    expect(legendTicks(makeColorScale([0, 0], "log", 0), 320)).toEqual([]);
  });
});

describe("legendTicks: no label overlaps another or leaves the bar", () => {
  const box = (t: { x: number; label: string; anchor: string }, cw = 6) => {
    const w = t.label.length * cw;
    return t.anchor === "start" ? [t.x, t.x + w] : t.anchor === "end" ? [t.x - w, t.x] : [t.x - w / 2, t.x + w / 2];
  };
  const cases = [
    makeColorScale([0, 1], "linear"),
    makeColorScale([0, 0.98765], "linear"),
    makeColorScale([0.0123, 1234.5], "linear"),
    makeColorScale([0, 1234567], "log", 1),
    makeColorScale([0, 0.3], "log", 0.000123),
    makeDivergingScale(0.0456),
  ];
  for (const width of [120, 260, 320]) {
    it(`at ${width} px`, () => {
      for (const c of cases) {
        const ticks = legendTicks(c, width);
        expect(ticks.length, `${c.kind} ${c.domain}`).toBeGreaterThanOrEqual(1);
        const boxes = ticks.map((t) => box(t));
        for (const [a, b] of boxes) {
          expect(a).toBeGreaterThanOrEqual(0);
          expect(b).toBeLessThanOrEqual(width);
        }
        const sorted = [...boxes].sort((p, q) => p[0] - q[0]);
        for (let i = 1; i < sorted.length; i++)
          expect(sorted[i][0], `${c.kind} ${c.domain} ${width}`).toBeGreaterThanOrEqual(sorted[i - 1][1]);
      }
    });
  }
});

describe("drawGrid: any rows x columns (the layer x expert load map)", () => {
  // 2 layers x 3 experts; row 1 holds the max.
  const values = [0, 1, 2, 4, 3, 0];
  const color = makeColorScale([0, 4], "linear");
  const grid = {
    values,
    stride: 3,
    rowOrder: [0, 1],
    colOrder: [0, 1, 2],
    color,
    cellWidth: 2,
    cellHeight: 3,
  };

  it("draws cellWidth x cellHeight pixels per value, no gray diagonal unless asked", () => {
    const { ctx, calls } = recordingContext();
    const img = drawGrid(ctx, grid);
    expect([img.width, img.height]).toEqual([6, 6]);
    expect(pixel(img, 0, 0)).toEqual([0x44, 0x01, 0x54, 255]); // (0, 0) = 0: min, not the diagonal gray
    expect(pixel(img, 1, 5)).toEqual([0xfd, 0xe7, 0x25, 255]); // (1, 0) = 4: max, every pixel of the cell
    expect(pixel(img, 0, 3)).toEqual([0xfd, 0xe7, 0x25, 255]);
    expect(pixel(img, 5, 5)).toEqual([0x44, 0x01, 0x54, 255]); // (1, 2) = 0
    expect(gridCellAt(5.9, 3.1, grid)).toEqual({ row: 1, col: 2 });
    expect(gridCellAt(6, 0, grid)).toBeNull();
    expect(calls.map((c) => c.op)).toEqual(["createImageData", "putImageData"]);
  });

  it("fills the previous draw's ImageData again when the size is unchanged (no allocation per layer)", () => {
    const { ctx, calls } = recordingContext();
    const first = drawGrid(ctx, grid);
    const second = drawGrid(ctx, { ...grid, values: [4, 0, 0, 0, 0, 0] }, first);
    expect(second).toBe(first);
    expect(pixel(second, 0, 0)).toEqual([0xfd, 0xe7, 0x25, 255]);
    expect(pixel(second, 1, 5)).toEqual([0x44, 0x01, 0x54, 255]);
    const third = drawGrid(ctx, { ...grid, cellWidth: 1 }, second);
    expect(third).not.toBe(second);
    expect(calls.map((c) => c.op)).toEqual([
      "createImageData",
      "putImageData",
      "putImageData",
      "createImageData",
      "putImageData",
    ]);
  });

  it("matches the square heatmap's raster pixel for pixel when given one order and the gray diagonal", () => {
    const square = [0, 10, 0, 10, 0, 5, 0, 5, 0];
    const c = makeColorScale([0, 10], "linear");
    const { ctx } = recordingContext();
    const img = drawGrid(ctx, {
      values: square,
      stride: 3,
      rowOrder: [2, 0, 1],
      colOrder: [2, 0, 1],
      color: c,
      cellWidth: 2,
      cellHeight: 2,
      grayDiagonal: true,
    });
    expect(Array.from(img.data)).toEqual(
      Array.from(rasterizeHeatmap({ values: square, n: 3, order: [2, 0, 1], color: c, cell: 2 }).data),
    );
  });
});
