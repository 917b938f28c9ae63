"use client";

import { useEffect, useMemo, useRef, useState } from "react";
import { makeColorScale } from "@/components/viz/color-scale";
import { ColorLegend } from "@/components/viz/color-legend";
import { formatValue } from "@/components/viz/format";
import { drawStepGrid, gridDomain } from "./draw-step-grid";
import { compactStep } from "./step-chart";

interface Props {
  title: string;
  steps: number[];
  layers: number;
  /** values[step index][layer]. */
  values: (number | null)[][];
  /** A fixed colour domain (saturation: [0, 1]); else the values' own range. */
  domain?: [number, number];
}

const LEFT = 44;

/**
 * Layers (rows, layer 0 on top) against checkpoints (columns): one canvas drawn in one ImageData
 * pass, axes and legend in SVG/HTML, the cell under the pointer in a tooltip.
 */
export function StepHeatmap({ title, steps, layers, values, domain }: Props) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<{ c: number; r: number; x: number; y: number } | null>(null);
  const [drawn, setDrawn] = useState(0);
  const cellWidth = Math.max(4, Math.min(48, Math.floor(720 / Math.max(1, steps.length))));
  const cellHeight = Math.max(3, Math.min(16, Math.floor(360 / Math.max(1, layers))));
  const color = useMemo(() => makeColorScale(domain ?? gridDomain(values), "linear"), [domain, values]);
  useEffect(() => {
    const ctx = ref.current?.getContext("2d");
    if (!ctx) return;
    drawStepGrid(ctx, { values, rows: layers, color, cellWidth, cellHeight });
    setDrawn((d) => d + 1);
  }, [values, layers, color, cellWidth, cellHeight]);
  const width = steps.length * cellWidth;
  const height = layers * cellHeight;
  const everyStep = Math.ceil(steps.length / Math.max(1, Math.floor(width / 40)));
  const everyLayer = Math.ceil(layers / Math.max(1, Math.floor(height / 14)));
  const v = hover ? values[hover.c]?.[hover.r] : null;
  return (
    <figure className="flex flex-col gap-2" data-testid="step-heatmap">
      <figcaption className="text-sm font-medium">{title}</figcaption>
      <div className="relative" style={{ paddingLeft: LEFT }}>
        <svg width={LEFT} height={height} className="absolute left-0 top-0 text-zinc-600 dark:text-zinc-400">
          {Array.from({ length: layers }, (_, l) =>
            l % everyLayer === 0 ? (
              <text
                key={l}
                x={LEFT - 4}
                y={(l + 0.5) * cellHeight + 3}
                textAnchor="end"
                fontSize={9}
                fill="currentColor"
              >
                {l}
              </text>
            ) : null,
          )}
        </svg>
        <canvas
          ref={ref}
          width={width}
          height={height}
          role="img"
          aria-label={`${title}: MoE layers (rows) against steps (columns)`}
          data-testid="step-heatmap-canvas"
          data-drawn={drawn}
          style={{ width, height, imageRendering: "pixelated" }}
          className="block cursor-crosshair"
          onMouseMove={(e) => {
            const box = e.currentTarget.getBoundingClientRect();
            const x = e.clientX - box.left;
            const y = e.clientY - box.top;
            const c = Math.floor(x / cellWidth);
            const r = Math.floor(y / cellHeight);
            setHover(c >= 0 && r >= 0 && c < steps.length && r < layers ? { c, r, x, y } : null);
          }}
          onMouseLeave={() => setHover(null)}
        />
        <svg width={width} height={24} className="text-zinc-600 dark:text-zinc-400">
          {steps.map((s, i) =>
            i % everyStep === 0 || i === steps.length - 1 ? (
              <text key={i} x={(i + 0.5) * cellWidth} y={11} textAnchor="middle" fontSize={9} fill="currentColor">
                {compactStep(s)}
              </text>
            ) : null,
          )}
          <text x={width / 2} y={22} textAnchor="middle" fontSize={10} fill="currentColor">
            step (rows: MoE layer, 0 on top)
          </text>
        </svg>
        {hover ? (
          <div
            role="tooltip"
            data-testid="step-heatmap-tooltip"
            className="pointer-events-none absolute z-10 rounded border border-zinc-300 bg-white/95 px-2 py-1 text-xs shadow dark:border-zinc-600 dark:bg-zinc-900/95"
            style={{ left: LEFT + hover.x + 14, top: hover.y + 14 }}
          >
            layer {hover.r}, step {steps[hover.c].toLocaleString("en-US")}:{" "}
            <span className="num">{formatValue(v)}</span>
          </div>
        ) : null}
      </div>
      <ColorLegend color={color} title={title} width={Math.min(320, Math.max(160, width))} />
    </figure>
  );
}
