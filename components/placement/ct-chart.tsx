import { scaleLinear } from "d3";
import { formatValue } from "@/components/viz/format";
import { YGrid } from "@/components/viz/y-grid";
import { LayerMarker, LayerTicks, Legend } from "./chart-parts";

export const STRATEGY_COLORS: Record<string, string> = {
  contiguous: "#94a3b8",
  "round-robin": "#a855f7",
  greedy: "#f59e0b",
  optimized: "#10b981",
};

const W = 760;
const H = 250;
const M = { top: 28, right: 24, bottom: 40, left: 52 };

/** C_T per layer, one line per strategy. */
export function CtChart({
  series,
  layer,
  onLayer,
}: {
  series: { strategy: string; ct: (number | null)[] }[];
  layer: number;
  onLayer: (l: number) => void;
}) {
  const L = Math.max(1, ...series.map((s) => s.ct.length));
  const all = series.flatMap((s) => s.ct.filter((v): v is number => v !== null));
  const x = scaleLinear()
    .domain([0, Math.max(1, L - 1)])
    .range([M.left, W - M.right]);
  const y = scaleLinear()
    .domain([Math.min(1, ...all), Math.max(1.01, ...all)])
    .nice()
    .range([H - M.bottom, M.top]);
  return (
    <svg
      width={W}
      height={H}
      role="img"
      aria-label="C_T per layer for each placement strategy"
      data-testid="ct-chart"
      className="text-zinc-700 dark:text-zinc-300"
    >
      <text
        x={12}
        y={(M.top + H - M.bottom) / 2}
        transform={`rotate(-90 12 ${(M.top + H - M.bottom) / 2})`}
        textAnchor="middle"
        fontSize={11}
        fill="currentColor"
      >
        C_T (devices per token)
      </text>
      <Legend
        items={series.map((s) => ({ label: s.strategy, color: STRATEGY_COLORS[s.strategy] }))}
        x={M.left}
        y={14}
      />
      <YGrid y={y} ticks={5} left={M.left} right={W - M.right} />
      <LayerMarker x={x(layer)} top={M.top} bottom={H - M.bottom} left={M.left} right={W - M.right} layer={layer} />
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
        <rect
          key={l}
          x={x(l) - (W - M.left - M.right) / L / 2}
          y={M.top}
          width={(W - M.left - M.right) / L}
          height={H - M.top - M.bottom}
          fill="transparent"
          onClick={() => onLayer(l)}
          className="cursor-pointer"
        >
          <title>{`layer ${l}: ${series.map((s) => `${s.strategy} ${formatValue(s.ct[l])}`).join(", ")}`}</title>
        </rect>
      ))}
      <LayerTicks
        ticks={x.ticks(Math.min(L, 16)).filter((t) => Number.isInteger(t) && t <= L - 1)}
        x={x}
        y={H - M.bottom + 16}
        left={M.left}
      />
      <text x={(M.left + W - M.right) / 2} y={H - 6} textAnchor="middle" fontSize={11} fill="currentColor">
        MoE layer (click to select)
      </text>
    </svg>
  );
}
