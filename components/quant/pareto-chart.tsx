import { scaleLinear } from "d3";
import { paretoFrontier } from "@/lib/analysis/quantization";
import type { QuantResultView } from "@/lib/query/api-types";
import { formatValue } from "@/components/viz/format";
import { YGrid } from "@/components/viz/y-grid";
import { bitColor } from "./bit-palette";

const W = 560;
const H = 320;
const M = { top: 16, right: 16, bottom: 50, left: 52 };
const STRIP = 80;

/** Accuracy against average bits, the Pareto frontier (fewer bits, higher accuracy) drawn through its points. */
export function ParetoChart({ results, metric }: { results: QuantResultView[]; metric: string }) {
  const pts = results
    .filter((r) => r.metrics[metric] !== undefined)
    .map((r) => ({ r, bits: r.avgBits, accuracy: r.metrics[metric] }));
  const front = new Set(paretoFrontier(pts));
  const x = scaleLinear()
    .domain([Math.min(...pts.map((p) => p.bits), 2) - 0.1, Math.max(...pts.map((p) => p.bits), 4) + 0.1])
    .range([M.left, W - M.right]);
  const y = scaleLinear()
    .domain([Math.min(...pts.map((p) => p.accuracy)), Math.max(...pts.map((p) => p.accuracy))])
    .nice()
    .range([H - M.bottom, M.top]);
  const frontier = pts.filter((_, i) => front.has(i)).sort((a, b) => a.bits - b.bits);
  return (
    <svg
      width={W}
      height={H}
      role="img"
      aria-label={`${metric} against average bits, with the Pareto frontier`}
      data-testid="pareto-chart"
      className="text-zinc-700 dark:text-zinc-300"
    >
      <YGrid y={y} ticks={5} left={M.left} right={W - M.right} />
      {/* The bits axis in the bit-width colours of the allocation heatmaps (bit-palette.ts), so a
          position here reads as the colour there. */}
      <g data-testid="pareto-bit-strip">
        {Array.from({ length: STRIP }, (_, i) => {
          const [a, b] = x.domain();
          const bits = a + ((i + 0.5) / STRIP) * (b - a);
          return (
            <rect
              key={i}
              x={x(a + (i / STRIP) * (b - a))}
              y={H - M.bottom + 1}
              width={(W - M.left - M.right) / STRIP + 0.5}
              height={4}
              fill={bitColor(bits)}
            />
          );
        })}
      </g>
      {x.ticks(6).map((t) => (
        <g key={t}>
          {Number.isInteger(t) ? (
            <rect
              x={x(t) - 4}
              y={H - M.bottom + 7}
              width={8}
              height={8}
              fill={bitColor(t)}
              data-bits={t}
              stroke="currentColor"
              strokeOpacity={0.3}
            />
          ) : null}
          <text x={x(t)} y={H - M.bottom + 26} textAnchor="middle" fontSize={10} fill="currentColor">
            {formatValue(t)}
          </text>
        </g>
      ))}
      <text x={(M.left + W - M.right) / 2} y={H - 6} textAnchor="middle" fontSize={11} fill="currentColor">
        average bits (A10)
      </text>
      <polyline
        fill="none"
        stroke="#10b981"
        strokeWidth={2}
        points={frontier.map((p) => `${x(p.bits)},${y(p.accuracy)}`).join(" ")}
        data-testid="pareto-frontier"
      />
      {pts.map((p, i) => (
        <circle
          key={p.r.id}
          cx={x(p.bits)}
          cy={y(p.accuracy)}
          r={front.has(i) ? 6 : 4}
          fill={front.has(i) ? "#10b981" : "#a1a1aa"}
          data-pareto={front.has(i) ? "1" : "0"}
        >
          <title>{`${p.r.name}: ${metric} ${formatValue(p.accuracy)} at ${formatValue(p.bits)} bits${front.has(i) ? " (Pareto-optimal)" : ""}`}</title>
        </circle>
      ))}
    </svg>
  );
}
