import { scaleLinear } from "d3";
import type { SimulationResult } from "@/lib/query/placement-queries";
import type { PlacementStrategy } from "@/lib/runs/compute-placement";
import { formatValue } from "@/components/viz/format";
import { YGrid } from "@/components/viz/y-grid";
import { LayerMarker, LayerTicks, Legend, type LegendItem } from "./chart-parts";

const W = 760;
const H = 200;
const M = { top: 42, right: 24, bottom: 38, left: 52 };

type Layer = SimulationResult["layers"][number];
interface Series extends LegendItem {
  values: (number | null)[];
}

/**
 * Per-layer effect of a simulation: what changed (flip rate, mass retained: no placement involved)
 * and what it buys (C_T under the placement the lab shows, derived from the original co-activation).
 */
export function SimulationLayerChart({
  layers,
  strategy,
  devices,
  layer,
}: {
  layers: Layer[];
  strategy: PlacementStrategy;
  devices: number;
  layer: number;
}) {
  return (
    <svg
      width={W}
      height={2 * H}
      role="img"
      aria-label="per-layer effect of the simulation"
      data-testid="simulation-layer-chart"
      className="text-zinc-700 dark:text-zinc-300"
    >
      <LineChart
        title="per layer: top-k flip rate and routing mass retained (no placement involved)"
        domain={[0, 1]}
        layer={layer}
        series={[
          { label: "flip rate", color: "#e11d48", values: layers.map((l) => l.flipRate) },
          { label: "mass retained", color: "#0ea5e9", values: layers.map((l) => l.massRetained) },
        ]}
      />
      <LineChart
        title={`per layer: C_T under the ${strategy} placement on ${devices} devices (placed from the original co-activation)`}
        testId="simulation-ct-chart"
        top={H}
        layer={layer}
        series={[
          {
            label: `original routing, ${strategy}`,
            color: "#94a3b8",
            dashed: true,
            values: layers.map((l) => l.original.ctBy[strategy]),
          },
          {
            label: `simulated routing, ${strategy}`,
            color: "#10b981",
            values: layers.map((l) => l.simulated.ctBy[strategy]),
          },
        ]}
      />
    </svg>
  );
}

function LineChart({
  title,
  series,
  domain,
  layer,
  top = 0,
  testId,
}: {
  title: string;
  series: Series[];
  domain?: [number, number];
  layer: number;
  top?: number;
  testId?: string;
}) {
  const L = Math.max(1, ...series.map((s) => s.values.length));
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const x = scaleLinear()
    .domain([0, Math.max(1, L - 1)])
    .range([M.left, W - M.right]);
  const y = scaleLinear()
    .domain(domain ?? [Math.min(...all, 1), Math.max(...all, 1.01)])
    .nice()
    .range([H - M.bottom, M.top]);
  return (
    <g transform={`translate(0,${top})`} aria-label={title} data-testid={testId}>
      <text x={M.left} y={12} fontSize={11} fontWeight={600} fill="currentColor">
        {title}
      </text>
      <Legend items={series} x={M.left} y={28} />
      <YGrid y={y} ticks={4} left={M.left} right={W - M.right} />
      <LayerMarker x={x(layer)} top={M.top} bottom={H - M.bottom} left={M.left} right={W - M.right} layer={layer} />
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
      <LayerTicks
        ticks={x.ticks(Math.min(L, 16)).filter((t) => Number.isInteger(t) && t <= L - 1)}
        x={x}
        y={H - M.bottom + 16}
        left={M.left}
      />
      <text x={(M.left + W - M.right) / 2} y={H - 6} textAnchor="middle" fontSize={10} fill="currentColor">
        MoE layer
      </text>
    </g>
  );
}
