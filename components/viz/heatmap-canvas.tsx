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
}

/** The matrix on a canvas, drawn in one ImageData pass; React owns only the element. */
export function HeatmapCanvas({ values, n, order, color, cell, label, onHover }: Props) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [drawn, setDrawn] = useState(0);

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
      aria-label={label}
      data-testid="heatmap-canvas"
      data-drawn={drawn}
      style={{ width: size, height: size, imageRendering: "pixelated" }}
      className="block cursor-crosshair"
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
