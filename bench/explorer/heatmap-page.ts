/**
 * Browser side of bench/explorer's heatmap measurement, bundled with esbuild (IIFE) and injected
 * into a blank page in headless Chromium. It draws a real layer answer exactly as the explorer
 * does: layer-explorer.tsx's view memo (flatten the rows, extent, color scale with its log
 * reference) and HeatmapCanvas's effect (drawHeatmap onto a 2D canvas).
 */
import { offDiagonalExtent } from "@/lib/analysis/coactivation";
import { makeColorScale, minPositiveOffDiagonal, type ScaleKind } from "@/components/viz/color-scale";
import { drawHeatmap } from "@/components/viz/draw-heatmap";
import { decodeLayerFrame, type LayerFrame } from "@/lib/wire/layer-frame";

interface Answer {
  experts: number;
  normalized: number[][];
}

let answer: Answer | null = null;
let frame: LayerFrame | null = null;
const canvas = document.createElement("canvas");
document.body.appendChild(canvas);
const ctx = canvas.getContext("2d")!;

/** The explorer's view memo: before (a JSON answer, rows flattened) and now (a frame's typed array as is). */
function view(scale: ScaleKind) {
  const n = frame ? frame.experts : answer!.experts;
  const values = frame ? frame.normalized! : Float64Array.from(answer!.normalized.flat());
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
    frame = null;
    return performance.now() - t0;
  },
  /** Decodes a frame (given as base64, not timed) as the explorer's query does; returns the milliseconds. */
  loadFrame(base64: string): number {
    const bin = atob(base64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const t0 = performance.now();
    frame = decodeLayerFrame(bytes.buffer);
    answer = null;
    return performance.now() - t0;
  },
  /**
   * `reps` draws; per draw: full (view preparation + drawHeatmap), draw (drawHeatmap alone, on a
   * prepared view) and, if `readback`, the full draw followed by a 1-pixel getImageData, which
   * waits for the canvas to hold the pixels.
   */
  draw(
    scale: ScaleKind,
    reps: number,
    readback: boolean,
  ): { full: number[]; draw: number[]; cell: number; size: number } {
    const full: number[] = [];
    const draw: number[] = [];
    let cell = 0;
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      const v = view(scale);
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
