import { NO_VALUE_RGB, type ColorScale } from "@/components/viz/color-scale";

/** A layer x step grid: rows are layers, columns steps; null cells have no value. */
export interface StepGridInput {
  /** values[column][row]: one array of per-layer values per step. */
  values: readonly (readonly (number | null)[])[];
  rows: number;
  color: ColorScale;
  cellWidth: number;
  cellHeight: number;
}

/** The grid's pixels in one pass (one ImageData); a null cell is drawn in the no-value gray. */
export function rasterizeStepGrid({ values, rows, color, cellWidth, cellHeight }: StepGridInput) {
  const cols = values.length;
  const width = cols * cellWidth;
  const height = rows * cellHeight;
  const data = new Uint8ClampedArray(width * height * 4);
  const rowRgb = new Uint8ClampedArray(width * 4);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const at = c * cellWidth * 4;
      const v = values[c][r];
      if (v === null || v === undefined || color.noValue(v)) {
        rowRgb[at] = NO_VALUE_RGB[0];
        rowRgb[at + 1] = NO_VALUE_RGB[1];
        rowRgb[at + 2] = NO_VALUE_RGB[2];
      } else color.rgb(v, rowRgb, at);
      rowRgb[at + 3] = 255;
      for (let x = 1; x < cellWidth; x++) rowRgb.copyWithin(at + x * 4, at, at + 4);
    }
    for (let y = 0; y < cellHeight; y++) data.set(rowRgb, (r * cellHeight + y) * width * 4);
  }
  return { width, height, data };
}

export function drawStepGrid(
  ctx: { createImageData(w: number, h: number): ImageData; putImageData(i: ImageData, x: number, y: number): void },
  input: StepGridInput,
) {
  const raster = rasterizeStepGrid(input);
  if (!raster.width || !raster.height) return;
  const image = ctx.createImageData(raster.width, raster.height);
  image.data.set(raster.data);
  ctx.putImageData(image, 0, 0);
}

/** The smallest and largest known value (a [0, 1] domain when none is known). */
export function gridDomain(values: readonly (readonly (number | null)[])[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const col of values)
    for (const v of col)
      if (v !== null && Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
  return lo <= hi ? [lo, hi] : [0, 1];
}
