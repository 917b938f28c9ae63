import { scaleLinear } from "d3";
import type { SimulationResult } from "@/lib/query/placement-queries";
import type { PlacementStrategy } from "@/lib/runs/compute-placement";
import { formatValue } from "@/components/viz/format";
import { YGrid } from "@/components/viz/y-grid";

const W = 760;
const H = 170;
const M = { top: 18, right: 16, bottom: 28, left: 44 };

type Layer = SimulationResult["layers"][number];
interface Series {
  label: string;
  color: string;
  dashed?: boolean;
  values: (number | null)[];
}

/** Per-layer effect of a simulation: what changed (flip rate, mass retained) and what it buys (C_T). */
export function SimulationLayerChart({ layers, strategy, layer }: { layers: Layer[]; strategy: PlacementStrategy; layer: number }) {
  return (
    <svg width={W} height={2 * H} role="img" aria-label="per-layer effect of the simulation" data-testid="simulation-layer-chart" className="text-zinc-700 dark:text-zinc-300">
      <LineChart
        title="per layer: top-k flip rate and routing mass retained"
        domain={[0, 1]}
        layer={layer}
        series={[
          { label: "flip rate", color: "#e11d48", values: layers.map((l) => l.flipRate) },
          { label: "mass retained", color: "#0ea5e9", values: layers.map((l) => l.massRetained) },
        ]}
      />
      <LineChart
        title={`per layer: C_T under the ${strategy} placement`}
        top={H}
        layer={layer}
        series={[
          { label: "original", color: "#94a3b8", dashed: true, values: layers.map((l) => l.original.ctBy[strategy]) },
          { label: "simulated", color: "#10b981", values: layers.map((l) => l.simulated.ctBy[strategy]) },
        ]}
      />
    </svg>
  );
}

function LineChart({ title, series, domain, layer, top = 0 }: { title: string; series: Series[]; domain?: [number, number]; layer: number; top?: number }) {
  const L = Math.max(1, ...series.map((s) => s.values.length));
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const x = scaleLinear().domain([0, Math.max(1, L - 1)]).range([M.left, W - M.right]);
  const y = scaleLinear()
    .domain(domain ?? [Math.min(...all, 1), Math.max(...all, 1.01)])
    .nice()
    .range([H - M.bottom, M.top]);
  return (
    <g transform={`translate(0,${top})`} aria-label={title}>
      <text x={M.left} y={11} fontSize={11} fontWeight={600} fill="currentColor">
        {title}
      </text>
      {series.map((s, i) => (
        <g key={s.label} transform={`translate(${W - M.right - 200 + i * 100},4)`}>
          <line x1={0} x2={16} y1={5} y2={5} stroke={s.color} strokeWidth={2} strokeDasharray={s.dashed ? "4 3" : undefined} />
          <text x={20} y={9} fontSize={10} fill="currentColor">
            {s.label}
          </text>
        </g>
      ))}
      <YGrid y={y} ticks={4} left={M.left} right={W - M.right} />
      <line x1={x(layer)} x2={x(layer)} y1={M.top} y2={H - M.bottom} stroke="currentColor" strokeOpacity={0.35} strokeDasharray="3 3" />
      {series.map((s) => (
        <polyline
          key={s.label}
          fill="none"
          stroke={s.color}
          strokeWidth={2}
          strokeDasharray={s.dashed ? "4 3" : undefined}
          points={s.values.map((v, l) => (v === null ? "" : `${x(l)},${y(v)}`)).join(" ")}
        >
          <title>{`${s.label}: ${s.values.map((v, l) => `layer ${l} ${formatValue(v)}`).join(", ")}`}</title>
        </polyline>
      ))}
      {x.ticks(Math.min(L, 16)).map((t) => (
        <text key={t} x={x(t)} y={H - M.bottom + 14} textAnchor="middle" fontSize={10} fill="currentColor">
          {t}
        </text>
      ))}
    </g>
  );
}
