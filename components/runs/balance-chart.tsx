import Link from "next/link";
import { scaleBand, scaleLinear } from "d3";
import { BALANCE_SCALARS, type BalanceScalar } from "@/lib/analysis/balance";
import { BALANCE_DEFINITIONS } from "@/lib/analysis/metric-definitions";
import type { RunBalance } from "@/lib/query/api-types";
import { Exportable } from "@/components/viz/exportable";
import { formatValue } from "@/components/viz/format";
import { YGrid } from "@/components/viz/y-grid";

interface Props {
  runId: string;
  balance: RunBalance;
  metric: BalanceScalar;
  /** Where the metric switch points: the run page, or the share page of a snapshot. */
  basePath?: string;
}

const W = 760;
const H = 220;
const M = { top: 12, right: 96, bottom: 34, left: 48 };

/** Per-layer balance bars for one A1 metric, with its p50/p90/p95 across layers; bars open the layer. */
export function BalanceChart({ runId, balance, metric, basePath = `/runs/${runId}` }: Props) {
  const layers = balance.layers;
  const x = scaleBand<number>()
    .domain(layers.map((l) => l.layer))
    .range([M.left, W - M.right])
    .padding(0.15);
  const values = layers.map((l) => l[metric]);
  const max = Math.max(1e-9, ...values.filter((v): v is number => v !== null));
  const y = scaleLinear()
    .domain([0, max])
    .nice()
    .range([H - M.bottom, M.top]);
  const pct = balance.percentiles[metric];
  const def = BALANCE_DEFINITIONS[metric];
  const tickEvery = Math.ceil(layers.length / 16);
  return (
    <section aria-label="per-layer balance" className="flex flex-col gap-2">
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <span className="font-semibold">Balance per layer:</span>
        {BALANCE_SCALARS.map((m) => (
          <Link
            key={m}
            href={`${basePath}?metric=${m}`}
            scroll={false}
            aria-current={m === metric ? "true" : undefined}
            className={`rounded px-2 py-0.5 ${m === metric ? "bg-indigo-600 text-white" : "border border-zinc-300 dark:border-zinc-700"}`}
          >
            {BALANCE_DEFINITIONS[m].label}
          </Link>
        ))}
      </div>
      <p className="text-xs text-zinc-600 dark:text-zinc-400">
        {def.label}: {def.definition} {def.better === "low" ? "Lower is more balanced." : "Higher is more balanced."}{" "}
        Click a bar to open that layer.
      </p>
      <Exportable
        name={`balance per layer ${def.label}`}
        table={{
          columns: ["layer", "tokens", ...BALANCE_SCALARS],
          rows: layers.map((l) => [l.layer, l.tokens, ...BALANCE_SCALARS.map((m) => l[m])]),
        }}
        data={balance}
      >
        <svg
          width={W}
          height={H}
          role="img"
          aria-label={`${def.label} per MoE layer`}
          data-testid="balance-chart"
          className="text-zinc-700 dark:text-zinc-300"
        >
          <YGrid y={y} ticks={4} left={M.left} right={W - M.right} />
          {layers.map((l) => {
            const v = l[metric];
            return (
              <Link key={l.layer} href={`/runs/${runId}/layers/${l.layer}`}>
                <rect
                  x={x(l.layer)}
                  width={x.bandwidth()}
                  y={v === null ? y(0) : y(v)}
                  height={v === null ? 0 : y(0) - y(v)}
                  fill={l.dead.length ? "#ef4444" : "#6366f1"}
                >
                  <title>{`layer ${l.layer}: ${def.label} ${formatValue(v)} · ${l.tokens} tokens${l.dead.length ? ` · dead experts ${l.dead.join(", ")}` : ""}`}</title>
                </rect>
              </Link>
            );
          })}
          {layers.map((l) =>
            l.layer % tickEvery === 0 ? (
              <text
                key={l.layer}
                x={(x(l.layer) ?? 0) + x.bandwidth() / 2}
                y={H - M.bottom + 14}
                textAnchor="middle"
                fontSize={10}
                fill="currentColor"
              >
                {l.layer}
              </text>
            ) : null,
          )}
          <text x={(M.left + W - M.right) / 2} y={H - 4} textAnchor="middle" fontSize={11} fill="currentColor">
            MoE layer
          </text>
          {percentileLabels(pct, y).map(({ p, v, labelY }, i) => (
            <g key={p}>
              <line
                x1={M.left}
                x2={W - M.right}
                y1={y(v)}
                y2={y(v)}
                stroke="#f59e0b"
                strokeDasharray={i === 0 ? undefined : "4 3"}
              />
              <text x={W - M.right + 4} y={labelY} dy="0.32em" fontSize={10} fill="currentColor">
                {p} {formatValue(v)}
              </text>
            </g>
          ))}
        </svg>
      </Exportable>
      <p className="text-xs text-zinc-500">
        Red bars: layers with dead experts. Dashed lines: percentiles of {def.label} across layers with tokens.
      </p>
    </section>
  );
}

/** Percentile lines' labels, pushed apart vertically so close values stay readable. */
function percentileLabels(pct: Record<"p50" | "p90" | "p95", number | null>, y: (v: number) => number) {
  const out: { p: string; v: number; labelY: number }[] = [];
  for (const p of ["p50", "p90", "p95"] as const) {
    const v = pct[p];
    if (v !== null) out.push({ p, v, labelY: y(v) });
  }
  // Higher percentiles sit higher on the chart (smaller y): keep at least 11px between labels.
  for (let i = 1; i < out.length; i++) out[i].labelY = Math.min(out[i].labelY, out[i - 1].labelY - 11);
  return out;
}
