import { scaleLinear } from "d3";
import type { PruningRunView } from "@/lib/query/api-types";
import { formatValue } from "@/components/viz/format";
import { YGrid } from "@/components/viz/y-grid";
import { metricAxisTitle, pruningRowNames } from "./row-names";

const W = 760;
const PLOT_H = 300;
const M = { top: 16, right: 24, bottom: 42, left: 72 };
const LEGEND_ROW = 16;
export const SCHEDULE_COLORS: Record<string, string> = {
  "one-shot": "#6366f1",
  iterative: "#f59e0b",
  lottery: "#10b981",
};
const DASHES = [undefined, "6 3", "2 3", "8 3 2 3"];

/**
 * A metric against the share of experts dropped, one line per run (color = schedule, dash =
 * criterion), the dense model at 0%. Both axes are titled with their units; the legend below the
 * plot names every line by its run (pruningRowNames), in full, so long names are never cut.
 */
export function MetricChart({ runs, metric }: { runs: PruningRunView[]; metric: string }) {
  const criteria = [...new Set(runs.map((r) => r.label))];
  const names = pruningRowNames(runs);
  const manyModels = new Set(runs.map((r) => r.model?.name)).size > 1;
  const series = runs.map((r) => ({
    run: r,
    points: [
      ...(r.dense[metric] !== undefined ? [{ x: 0, y: r.dense[metric] }] : []),
      ...r.steps
        .filter((s) => s.metrics[metric] !== undefined)
        .map((s) => ({ x: s.droppedPercent, y: s.metrics[metric] })),
    ],
  }));
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  const x = scaleLinear()
    .domain([0, Math.max(1, ...xs)])
    .nice()
    .range([M.left, W - M.right]);
  const y = scaleLinear()
    .domain([Math.min(0, ...ys), Math.max(1e-9, ...ys)])
    .nice()
    .range([PLOT_H - M.bottom, M.top]);
  const H = PLOT_H + 8 + runs.length * LEGEND_ROW;
  const yTitle = metricAxisTitle(metric);
  return (
    <svg
      width={W}
      height={H}
      role="img"
      aria-label={`${yTitle} against the share of experts dropped per layer`}
      data-testid="pruning-metric-chart"
      className="text-zinc-700 dark:text-zinc-300"
    >
      <YGrid y={y} ticks={5} left={M.left} right={W - M.right} />
      <text
        transform={`translate(14,${(M.top + PLOT_H - M.bottom) / 2}) rotate(-90)`}
        textAnchor="middle"
        fontSize={11}
        fill="currentColor"
        data-testid="pruning-y-title"
      >
        {yTitle}
      </text>
      <line
        x1={M.left}
        x2={W - M.right}
        y1={PLOT_H - M.bottom}
        y2={PLOT_H - M.bottom}
        stroke="currentColor"
        strokeOpacity={0.4}
      />
      {x.ticks(8).map((t) => (
        <text key={t} x={x(t)} y={PLOT_H - M.bottom + 14} textAnchor="middle" fontSize={10} fill="currentColor">
          {t}%
        </text>
      ))}
      <text
        x={(M.left + W - M.right) / 2}
        y={PLOT_H - 8}
        textAnchor="middle"
        fontSize={11}
        fill="currentColor"
        data-testid="pruning-x-title"
      >
        experts dropped per layer (% of routed experts; 0% = dense model)
      </text>
      {series.map(({ run, points }) => (
        <g key={run.id} data-run={run.id}>
          <polyline
            fill="none"
            stroke={SCHEDULE_COLORS[run.schedule]}
            strokeWidth={2}
            strokeDasharray={DASHES[criteria.indexOf(run.label) % DASHES.length]}
            points={points.map((p) => `${x(p.x)},${y(p.y)}`).join(" ")}
          />
          {points.map((p) => (
            <circle key={p.x} cx={x(p.x)} cy={y(p.y)} r={3} fill={SCHEDULE_COLORS[run.schedule]}>
              <title>{`${names.get(run.id)}: ${metric} ${formatValue(p.y)} at ${p.x}% dropped`}</title>
            </circle>
          ))}
        </g>
      ))}
      {series.map(({ run }, i) => (
        <g
          key={`legend-${run.id}`}
          transform={`translate(${M.left},${PLOT_H + 4 + i * LEGEND_ROW})`}
          data-legend-run={run.id}
        >
          <line
            x1={0}
            x2={22}
            y1={5}
            y2={5}
            stroke={SCHEDULE_COLORS[run.schedule]}
            strokeWidth={2}
            strokeDasharray={DASHES[criteria.indexOf(run.label) % DASHES.length]}
          />
          <text x={28} y={9} fontSize={10} fill="currentColor">
            {names.get(run.id)}
            {run.name.includes(run.label) ? "" : ` (${run.label} ${run.schedule})`}
            {manyModels ? ` · ${run.model.name}` : ""}
          </text>
        </g>
      ))}
    </svg>
  );
}
