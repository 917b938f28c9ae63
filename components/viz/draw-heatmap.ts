import type { ColorScale } from "./color-scale";

/** The diagonal (an expert with itself) is not data: drawn in a neutral gray. */
const DIAGONAL_RGB = [128, 128, 128] as const;

export interface HeatmapInput {
  /** Row-major n x n values, indexed by expert id. */
  values: ArrayLike<number>;
  n: number;
  /** Expert id shown at each row/column position. */
  order: readonly number[];
  color: ColorScale;
  /** Pixels per cell side. */
  cell: number;
}

/** The heatmap's pixels, in one pass: each matrix cell becomes a cell x cell block. */
export function rasterizeHeatmap({ values, n, order, color, cell }: HeatmapInput): {
  width: number;
  height: number;
  data: Uint8ClampedArray;
} {
  const size = n * cell;
  const data = new Uint8ClampedArray(size * size * 4);
  const rowRgb = new Uint8ClampedArray(size * 4);
  for (let r = 0; r < n; r++) {
    const i = order[r];
    for (let c = 0; c < n; c++) {
      const j = order[c];
      const at = c * cell * 4;
      if (i === j) {
        rowRgb[at] = DIAGONAL_RGB[0];
        rowRgb[at + 1] = DIAGONAL_RGB[1];
        rowRgb[at + 2] = DIAGONAL_RGB[2];
      } else color.rgb(values[i * n + j], rowRgb, at);
      rowRgb[at + 3] = 255;
      for (let x = 1; x < cell; x++) rowRgb.copyWithin(at + x * 4, at, at + 4);
    }
    for (let y = 0; y < cell; y++) data.set(rowRgb, (r * cell + y) * size * 4);
  }
  return { width: size, height: size, data };
}

/** The subset of the 2D context the heatmap uses (a recording fake implements it in tests). */
export interface HeatmapContext {
  createImageData(width: number, height: number): ImageData;
  putImageData(image: ImageData, dx: number, dy: number): void;
}

export function drawHeatmap(ctx: HeatmapContext, input: HeatmapInput) {
  const raster = rasterizeHeatmap(input);
  const image = ctx.createImageData(raster.width, raster.height);
  image.data.set(raster.data);
  ctx.putImageData(image, 0, 0);
}

/** The matrix cell under a pixel, or null outside the matrix. */
export function cellAt(
  x: number,
  y: number,
  n: number,
  cell: number,
  order: readonly number[],
): { row: number; col: number } | null {
  const c = Math.floor(x / cell);
  const r = Math.floor(y / cell);
  if (r < 0 || c < 0 || r >= n || c >= n) return null;
  return { row: order[r], col: order[c] };
}
