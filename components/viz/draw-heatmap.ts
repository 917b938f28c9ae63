import type { ColorScale } from "./color-scale";

/** The diagonal (an expert with itself) is not data: drawn in a neutral gray. */
const DIAGONAL_RGB = [128, 128, 128] as const;

/** A square expert x expert matrix (co-activation, its normalizations, a difference of two). */
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

/**
 * Any row x column grid (a layer x expert load map, or a square matrix): `values[i * stride + j]` is
 * the value of row id i and column id j; rows and columns are drawn in the given orders.
 */
export interface GridInput {
  values: ArrayLike<number>;
  /** Values per row of `values` (the number of column ids). */
  stride: number;
  rowOrder: readonly number[];
  colOrder: readonly number[];
  color: ColorScale;
  cellWidth: number;
  cellHeight: number;
  /** Gray where the row id equals the column id (an expert with itself). */
  grayDiagonal?: boolean;
}

const squareGrid = ({ values, n, order, color, cell }: HeatmapInput): GridInput => ({
  values,
  stride: n,
  rowOrder: order,
  colOrder: order,
  color,
  cellWidth: cell,
  cellHeight: cell,
  grayDiagonal: true,
});

export const gridSize = (g: GridInput) => ({
  width: g.colOrder.length * g.cellWidth,
  height: g.rowOrder.length * g.cellHeight,
});

// One RGBA pixel written as one 32-bit word (in the platform's byte order, read back the same way).
const px = new Uint8ClampedArray(4);
const pxWord = new Uint32Array(px.buffer);

/**
 * The grid's pixels written into `data` (width x height x 4 bytes, RGBA): each cell's colour is
 * looked up once, written as one 32-bit word per pixel of the cell's first pixel row, and that row
 * is copied down the cell's height. No intermediate image: the caller's buffer (an ImageData it
 * keeps between draws) is filled in place.
 */
export function rasterizeGridInto(g: GridInput, data: Uint8ClampedArray): void {
  const { values, stride, rowOrder, colOrder, color, cellWidth: cw, cellHeight: ch, grayDiagonal } = g;
  const { width, height } = gridSize(g);
  if (data.length !== width * height * 4)
    throw new Error(`raster of ${width} x ${height} needs ${width * height * 4} bytes, got ${data.length}`);
  const words = new Uint32Array(data.buffer, data.byteOffset, width * height);
  px[3] = 255;
  px[0] = DIAGONAL_RGB[0];
  px[1] = DIAGONAL_RGB[1];
  px[2] = DIAGONAL_RGB[2];
  const diagonal = pxWord[0];
  const cols = colOrder.length;
  for (let r = 0; r < rowOrder.length; r++) {
    const i = rowOrder[r];
    const base = i * stride;
    const rowStart = r * ch * width;
    for (let c = 0; c < cols; c++) {
      const j = colOrder[c];
      let word: number;
      if (grayDiagonal && i === j) word = diagonal;
      else {
        color.rgb(values[base + j], px, 0);
        word = pxWord[0];
      }
      const at = rowStart + c * cw;
      for (let x = 0; x < cw; x++) words[at + x] = word;
    }
    for (let y = 1; y < ch; y++) words.copyWithin(rowStart + y * width, rowStart, rowStart + width);
  }
}

/** The heatmap's pixels as a fresh buffer (Node-side measurements and tests). */
export function rasterizeHeatmap(input: HeatmapInput): { width: number; height: number; data: Uint8ClampedArray } {
  const g = squareGrid(input);
  const { width, height } = gridSize(g);
  const data = new Uint8ClampedArray(width * height * 4);
  rasterizeGridInto(g, data);
  return { width, height, data };
}

/** The subset of the 2D context the heatmap uses (a recording fake implements it in tests). */
export interface HeatmapContext {
  createImageData(width: number, height: number): ImageData;
  putImageData(image: ImageData, dx: number, dy: number): void;
}

/**
 * Draws the grid with one putImageData. Pass the ImageData the previous draw returned: when the
 * size is unchanged it is filled again in place (a layer switch allocates nothing); the one used is
 * returned.
 */
export function drawGrid(ctx: HeatmapContext, g: GridInput, reuse?: ImageData | null): ImageData {
  const { width, height } = gridSize(g);
  const image = reuse && reuse.width === width && reuse.height === height ? reuse : ctx.createImageData(width, height);
  rasterizeGridInto(g, image.data);
  ctx.putImageData(image, 0, 0);
  return image;
}

export function drawHeatmap(ctx: HeatmapContext, input: HeatmapInput, reuse?: ImageData | null): ImageData {
  return drawGrid(ctx, squareGrid(input), reuse);
}

/** The grid cell under a pixel (as row and column ids), or null outside the grid. */
export function gridCellAt(
  x: number,
  y: number,
  g: Pick<GridInput, "rowOrder" | "colOrder" | "cellWidth" | "cellHeight">,
): { row: number; col: number } | null {
  const c = Math.floor(x / g.cellWidth);
  const r = Math.floor(y / g.cellHeight);
  if (r < 0 || c < 0 || r >= g.rowOrder.length || c >= g.colOrder.length) return null;
  return { row: g.rowOrder[r], col: g.colOrder[c] };
}

/** The matrix cell under a pixel, or null outside the matrix. */
export function cellAt(
  x: number,
  y: number,
  n: number,
  cell: number,
  order: readonly number[],
): { row: number; col: number } | null {
  if (order.length !== n) throw new Error(`order of ${order.length} for ${n} experts`);
  return gridCellAt(x, y, { rowOrder: order, colOrder: order, cellWidth: cell, cellHeight: cell });
}
