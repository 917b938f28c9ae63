import { scaleLinear } from "d3";
import { formatValue } from "@/components/viz/format";
import { YGrid } from "@/components/viz/y-grid";

export const STRATEGY_COLORS: Record<string, string> = {
  contiguous: "#94a3b8",
  "round-robin": "#a855f7",
  greedy: "#f59e0b",
  optimized: "#10b981",
};

const W = 760;
const H = 220;
const M = { top: 10, right: 16, bottom: 32, left: 44 };

/** C_T per layer, one line per strategy. */
export function CtChart({ series, layer, onLayer }: { series: { strategy: string; ct: (number | null)[] }[]; layer: number; onLayer: (l: number) => void }) {
  const L = Math.max(1, ...series.map((s) => s.ct.length));
  const all = series.flatMap((s) => s.ct.filter((v): v is number => v !== null));
  const x = scaleLinear().domain([0, Math.max(1, L - 1)]).range([M.left, W - M.right]);
  const y = scaleLinear().domain([Math.min(1, ...all), Math.max(1.01, ...all)]).nice().range([H - M.bottom, M.top]);
  return (
    <svg width={W} height={H} role="img" aria-label="C_T per layer for each placement strategy" data-testid="ct-chart" className="text-zinc-700 dark:text-zinc-300">
      <YGrid y={y} ticks={5} left={M.left} right={W - M.right} />
      <line x1={x(layer)} x2={x(layer)} y1={M.top} y2={H - M.bottom} stroke="currentColor" strokeOpacity={0.35} strokeDasharray="3 3" />
      {series.map((s) => (
        <polyline
          key={s.strategy}
          fill="none"
          stroke={STRATEGY_COLORS[s.strategy]}
          strokeWidth={2}
          points={s.ct.map((v, l) => (v === null ? "" : `${x(l)},${y(v)}`)).join(" ")}
        />
      ))}
      {Array.from({ length: L }, (_, l) => (
        <rect key={l} x={x(l) - (W - M.left - M.right) / L / 2} y={M.top} width={(W - M.left - M.right) / L} height={H - M.top - M.bottom} fill="transparent" onClick={() => onLayer(l)} className="cursor-pointer">
          <title>{`layer ${l}: ${series.map((s) => `${s.strategy} ${formatValue(s.ct[l])}`).join(", ")}`}</title>
        </rect>
      ))}
      {x.ticks(Math.min(L, 16)).map((t) => (
        <text key={t} x={x(t)} y={H - M.bottom + 14} textAnchor="middle" fontSize={10} fill="currentColor">
          {t}
        </text>
      ))}
      <text x={(M.left + W - M.right) / 2} y={H - 4} textAnchor="middle" fontSize={11} fill="currentColor">
        MoE layer (click to select)
      </text>
    </svg>
  );
}
