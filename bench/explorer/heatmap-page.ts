/**
 * Browser side of bench/explorer's heatmap measurement, bundled with esbuild (IIFE) and injected
 * into a blank page in headless Chromium. It draws a real layer answer exactly as the explorer
 * does: layer-explorer.tsx's view memo (flatten the rows, extent, color scale with its log
 * reference) and HeatmapCanvas's effect (drawHeatmap onto a 2D canvas).
 */
import { offDiagonalExtent } from "@/lib/analysis/coactivation";
import { makeColorScale, minPositiveOffDiagonal, type ScaleKind } from "@/components/viz/color-scale";
import { drawHeatmap } from "@/components/viz/draw-heatmap";

interface Answer {
  experts: number;
  normalized: number[][];
}

let answer: Answer | null = null;
const canvas = document.createElement("canvas");
document.body.appendChild(canvas);
const ctx = canvas.getContext("2d")!;

function view(data: Answer, scale: ScaleKind) {
  const n = data.experts;
  const values = Float64Array.from(data.normalized.flat());
  const order = Array.from({ length: n }, (_, i) => i);
  const extent = offDiagonalExtent(values, n);
  const color = makeColorScale(extent, scale, minPositiveOffDiagonal(values, n));
  const cell = Math.max(2, Math.min(48, Math.floor(576 / n)));
  return { n, values, order, color, cell };
}

const bench = {
  /** Parses the answer as `response.json()` would; returns the milliseconds. */
  load(text: string): number {
    const t0 = performance.now();
    answer = JSON.parse(text) as Answer;
    return performance.now() - t0;
  },
  /**
   * `reps` draws; per draw: full (view preparation + drawHeatmap), draw (drawHeatmap alone, on a
   * prepared view) and, if `readback`, the full draw followed by a 1-pixel getImageData, which
   * waits for the canvas to hold the pixels.
   */
  draw(scale: ScaleKind, reps: number, readback: boolean): { full: number[]; draw: number[]; cell: number; size: number } {
    const full: number[] = [];
    const draw: number[] = [];
    let cell = 0;
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      const v = view(answer!, scale);
      const size = v.n * v.cell;
      if (canvas.width !== size) canvas.width = canvas.height = size;
      drawHeatmap(ctx, v);
      if (readback) ctx.getImageData(0, 0, 1, 1);
      const t1 = performance.now();
      drawHeatmap(ctx, v);
      if (readback) ctx.getImageData(0, 0, 1, 1);
      full.push(t1 - t0);
      draw.push(performance.now() - t1);
      cell = v.cell;
    }
    return { full, draw, cell, size: canvas.width };
  },
  /** A few pixels, to check that something real was drawn. */
  probe(): number[] {
    return Array.from(ctx.getImageData(10, 300, 1, 1).data);
  },
};
(window as unknown as { atlasBench: typeof bench }).atlasBench = bench;
