import { scaleLinear } from "d3";
import { paretoFrontier } from "@/lib/analysis/quantization";
import type { QuantResultView } from "@/lib/quant/quant-results";
import { formatValue } from "@/components/viz/format";
import { YGrid } from "@/components/viz/y-grid";

const W = 560;
const H = 320;
const M = { top: 16, right: 16, bottom: 40, left: 52 };

/** Accuracy against average bits, the Pareto frontier (fewer bits, higher accuracy) drawn through its points. */
export function ParetoChart({ results, metric }: { results: QuantResultView[]; metric: string }) {
  const pts = results.filter((r) => r.metrics[metric] !== undefined).map((r) => ({ r, bits: r.avgBits, accuracy: r.metrics[metric] }));
  const front = new Set(paretoFrontier(pts));
  const x = scaleLinear().domain([Math.min(...pts.map((p) => p.bits), 2) - 0.1, Math.max(...pts.map((p) => p.bits), 4) + 0.1]).range([M.left, W - M.right]);
  const y = scaleLinear().domain([Math.min(...pts.map((p) => p.accuracy)), Math.max(...pts.map((p) => p.accuracy))]).nice().range([H - M.bottom, M.top]);
  const frontier = pts.filter((_, i) => front.has(i)).sort((a, b) => a.bits - b.bits);
  return (
    <svg width={W} height={H} role="img" aria-label={`${metric} against average bits, with the Pareto frontier`} data-testid="pareto-chart" className="text-zinc-700 dark:text-zinc-300">
      <YGrid y={y} ticks={5} left={M.left} right={W - M.right} />
      {x.ticks(6).map((t) => (
        <text key={t} x={x(t)} y={H - M.bottom + 14} textAnchor="middle" fontSize={10} fill="currentColor">
          {formatValue(t)}
        </text>
      ))}
      <text x={(M.left + W - M.right) / 2} y={H - 6} textAnchor="middle" fontSize={11} fill="currentColor">
        average bits (A10)
      </text>
      <polyline fill="none" stroke="#10b981" strokeWidth={2} points={frontier.map((p) => `${x(p.bits)},${y(p.accuracy)}`).join(" ")} data-testid="pareto-frontier" />
      {pts.map((p, i) => (
        <circle key={p.r.id} cx={x(p.bits)} cy={y(p.accuracy)} r={front.has(i) ? 6 : 4} fill={front.has(i) ? "#10b981" : "#a1a1aa"} data-pareto={front.has(i) ? "1" : "0"}>
          <title>{`${p.r.name}: ${metric} ${formatValue(p.accuracy)} at ${formatValue(p.bits)} bits${front.has(i) ? " (Pareto-optimal)" : ""}`}</title>
        </circle>
      ))}
    </svg>
  );
}
