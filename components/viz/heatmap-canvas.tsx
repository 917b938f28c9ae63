"use client";

import { useEffect, useRef, useState } from "react";
import type { ColorScale } from "./color-scale";
import { cellAt, drawHeatmap } from "./draw-heatmap";

export interface HeatmapHover {
  row: number;
  col: number;
  x: number;
  y: number;
}

interface Props {
  values: ArrayLike<number>;
  n: number;
  order: readonly number[];
  color: ColorScale;
  cell: number;
  label: string;
  onHover?: (h: HeatmapHover | null) => void;
  /** Enter on the keyboard cursor (or a click) on the cell of experts (row, col). */
  onActivate?: (row: number, col: number) => void;
}

/** The matrix on a canvas, drawn in one ImageData pass; React owns only the element. */
export function HeatmapCanvas({ values, n, order, color, cell, label, onHover, onActivate }: Props) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [drawn, setDrawn] = useState(0);
  // Keyboard cursor, in row/column positions of the current order: arrows move between experts.
  const cursor = useRef<{ r: number; c: number }>({ r: 0, c: 1 });
  const showCursor = () => {
    const { r, c } = cursor.current;
    onHover?.({ row: order[r], col: order[c], x: (c + 0.5) * cell, y: (r + 0.5) * cell });
  };

  useEffect(() => {
    const ctx = ref.current?.getContext("2d");
    if (!ctx) return;
    drawHeatmap(ctx, { values, n, order, color, cell });
    setDrawn((d) => d + 1);
  }, [values, n, order, color, cell]);

  const size = n * cell;
  return (
    <canvas
      ref={ref}
      width={size}
      height={size}
      role="img"
      aria-label={onActivate ? `${label}. Arrow keys move between experts; Enter opens the row expert.` : label}
      data-testid="heatmap-canvas"
      data-drawn={drawn}
      style={{ width: size, height: size, imageRendering: "pixelated" }}
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
          const clamp = (v: number) => Math.max(0, Math.min(n - 1, v));
          cursor.current = { r: clamp(cursor.current.r + m[0]), c: clamp(cursor.current.c + m[1]) };
          showCursor();
        } else if (e.key === "Enter" && onActivate) {
          e.preventDefault();
          onActivate(order[cursor.current.r], order[cursor.current.c]);
        }
      }}
      onClick={(e) => {
        const rect = e.currentTarget.getBoundingClientRect();
        const hit = cellAt(e.clientX - rect.left, e.clientY - rect.top, n, cell, order);
        if (hit && onActivate) onActivate(hit.row, hit.col);
      }}
      onMouseMove={(e) => {
        const rect = e.currentTarget.getBoundingClientRect();
        const x = e.clientX - rect.left;
        const y = e.clientY - rect.top;
        const hit = cellAt(x, y, n, cell, order);
        onHover?.(hit ? { ...hit, x, y } : null);
      }}
      onMouseLeave={() => onHover?.(null)}
    />
  );
}
