"use client";

import { useLayoutEffect, useRef } from "react";
import type { ColorScale } from "./color-scale";
import { drawGrid, gridCellAt, type GridInput } from "./draw-heatmap";

export interface HeatmapHover {
  row: number;
  col: number;
  x: number;
  y: number;
}

interface GridProps {
  values: ArrayLike<number>;
  /** Values per row of `values`. */
  stride: number;
  rowOrder: readonly number[];
  colOrder: readonly number[];
  color: ColorScale;
  cellWidth: number;
  cellHeight: number;
  grayDiagonal?: boolean;
  label: string;
  /** What the arrow keys move between, for the canvas's accessible name ("experts", "layers and experts"). */
  cursorLabel?: string;
  /** The row id the keyboard cursor starts on (with `cursorStart[1]` its column position). */
  cursorStart?: [number, number];
  testId?: string;
  onHover?: (h: HeatmapHover | null) => void;
  /** Enter on the keyboard cursor (or a click) on the cell of (row id, column id). */
  onActivate?: (row: number, col: number) => void;
}

/**
 * A grid of values on a canvas, drawn in one ImageData pass that React does not see: the draw runs
 * in a layout effect (before the browser paints the commit that brought the values, so no frame
 * shows new axes over an old picture), fills the ImageData of the previous draw again when the size
 * is unchanged, and counts draws in `data-drawn` directly on the element (no state update, so no
 * second render per draw). React owns only the element.
 */
export function GridCanvas({
  values,
  stride,
  rowOrder,
  colOrder,
  color,
  cellWidth,
  cellHeight,
  grayDiagonal,
  label,
  cursorLabel = "experts",
  cursorStart = [0, 1],
  testId = "heatmap-canvas",
  onHover,
  onActivate,
}: GridProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  const image = useRef<ImageData | null>(null);
  const drawn = useRef(0);
  // Keyboard cursor, in row/column positions of the current orders: arrows move between cells.
  const cursor = useRef<{ r: number; c: number }>({ r: cursorStart[0], c: cursorStart[1] });
  const grid: GridInput = { values, stride, rowOrder, colOrder, color, cellWidth, cellHeight, grayDiagonal };
  const showCursor = () => {
    const { r, c } = cursor.current;
    onHover?.({ row: rowOrder[r], col: colOrder[c], x: (c + 0.5) * cellWidth, y: (r + 0.5) * cellHeight });
  };

  useLayoutEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext("2d");
    if (!canvas || !ctx) return;
    image.current = drawGrid(
      ctx,
      { values, stride, rowOrder, colOrder, color, cellWidth, cellHeight, grayDiagonal },
      image.current,
    );
    canvas.dataset.drawn = String(++drawn.current);
  }, [values, stride, rowOrder, colOrder, color, cellWidth, cellHeight, grayDiagonal]);

  const width = colOrder.length * cellWidth;
  const height = rowOrder.length * cellHeight;
  const hit = (x: number, y: number) => gridCellAt(x, y, grid);
  return (
    <canvas
      ref={ref}
      width={width}
      height={height}
      role="img"
      aria-label={onActivate ? `${label}. Arrow keys move between ${cursorLabel}; Enter opens the row expert.` : label}
      data-testid={testId}
      style={{ width, height, imageRendering: "pixelated" }}
      tabIndex={0}
      aria-keyshortcuts="ArrowUp ArrowDown ArrowLeft ArrowRight Enter"
      className="block cursor-crosshair focus:outline-2 focus:outline-offset-2 focus:outline-indigo-500"
      onFocus={showCursor}
      onBlur={() => onHover?.(null)}
      onKeyDown={(e) => {
        const moves: Record<string, [number, number]> = {
          ArrowUp: [-1, 0],
          ArrowDown: [1, 0],
          ArrowLeft: [0, -1],
          ArrowRight: [0, 1],
        };
        const m = moves[e.key];
        if (m) {
          // The cursor owns the arrows while the heatmap has focus (not the layer navigation).
          e.preventDefault();
          e.stopPropagation();
          const clamp = (v: number, n: number) => Math.max(0, Math.min(n - 1, v));
          cursor.current = {
            r: clamp(cursor.current.r + m[0], rowOrder.length),
            c: clamp(cursor.current.c + m[1], colOrder.length),
          };
          showCursor();
        } else if (e.key === "Enter" && onActivate) {
          e.preventDefault();
          onActivate(rowOrder[cursor.current.r], colOrder[cursor.current.c]);
        }
      }}
      onClick={(e) => {
        const rect = e.currentTarget.getBoundingClientRect();
        const cell = hit(e.clientX - rect.left, e.clientY - rect.top);
        if (cell && onActivate) onActivate(cell.row, cell.col);
      }}
      onMouseMove={(e) => {
        const rect = e.currentTarget.getBoundingClientRect();
        const x = e.clientX - rect.left;
        const y = e.clientY - rect.top;
        const cell = hit(x, y);
        onHover?.(cell ? { ...cell, x, y } : null);
      }}
      onMouseLeave={() => onHover?.(null)}
    />
  );
}

interface Props {
  values: ArrayLike<number>;
  n: number;
  order: readonly number[];
  color: ColorScale;
  cell: number;
  label: string;
  onHover?: (h: HeatmapHover | null) => void;
  onActivate?: (row: number, col: number) => void;
}

/** An expert x expert matrix (rows and columns in one order, the diagonal gray). */
export function HeatmapCanvas({ values, n, order, color, cell, label, onHover, onActivate }: Props) {
  return (
    <GridCanvas
      values={values}
      stride={n}
      rowOrder={order}
      colOrder={order}
      color={color}
      cellWidth={cell}
      cellHeight={cell}
      grayDiagonal
      label={label}
      onHover={onHover}
      onActivate={onActivate}
    />
  );
}
