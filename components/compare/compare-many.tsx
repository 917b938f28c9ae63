"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { scaleLinear, schemeTableau10 } from "d3";
import Link from "next/link";
import { useCallback, useEffect, useMemo, useState } from "react";
import { NORMALIZATION_DEFINITIONS, NORMALIZATIONS } from "@/lib/analysis/coactivation";
import { COMPARE_DEFINITIONS } from "@/lib/analysis/compare";
import { PAIRING_DEFINITION } from "@/lib/analysis/paired-join";
import type { ManyComparison } from "@/lib/query/api-types";
import { compareManyQuery } from "@/lib/query/run-queries";
import {
  compareManyHref,
  MANY_CURVES,
  parseCompareManyViewState,
  type CompareManyViewState,
  type ManyCurve,
} from "@/lib/url/compare-many-view-state";
import { useLayerFrame } from "@/components/layer/use-layer-frame";
import { useViewLocation } from "@/components/share/view-location";
import { ColorLegend } from "@/components/viz/color-legend";
import { makeColorScale, NO_VALUE_CSS, type ColorScale } from "@/components/viz/color-scale";
import { flatMatrixToCsv, heatmapSvg, matrixRows, toCsv } from "@/components/viz/export";
import { Exportable } from "@/components/viz/exportable";
import { formatValue } from "@/components/viz/format";
import { HeatmapCanvas } from "@/components/viz/heatmap-canvas";
import { YGrid } from "@/components/viz/y-grid";

const input = "rounded border border-zinc-300 px-2 py-1 text-sm dark:border-zinc-600 dark:bg-zinc-800";
const colorOf = (i: number) => schemeTableau10[i % schemeTableau10.length];

const CURVE_LABELS: Record<ManyCurve, { label: string; definition: string }> = {
  jsd: { label: "JS distance to the base", definition: COMPARE_DEFINITIONS.jsd.definition },
  flipRate: { label: "top-k flip rate vs the base", definition: COMPARE_DEFINITIONS.flipRate.definition },
  normalizedEntropy: {
    label: "normalized load entropy",
    definition: "H(P) / ln E of the layer's load shares: 1 = balanced, 0 = one expert takes all.",
  },
  maxOverMean: { label: "max / mean load", definition: "The hottest expert's load over the mean load (1 = balanced)." },
  meanCollaborationEntropy: {
    label: "mean collaboration entropy",
    definition: "A3: mean over experts of H_i = −Σ_j p_ij ln p_ij, p_ij = C_ij / Σ_j C_ij (nats; low = specialized).",
  },
};

/** One curve per run, per layer, from the answer. */
function curveOf(c: ManyComparison, curve: ManyCurve, r: number): (number | null)[] {
  if (curve === "jsd") return c.jsd[r];
  if (curve === "flipRate") return c.flipRate?.[r] ?? c.jsd[r].map(() => null);
  return c.runs[r].curves[curve];
}

/**
 * The N-run comparison (2 to 8 runs of one model shape, issue 14 item 2): every run's per-layer
 * curve overlaid, the run × layer JS distance to the base run (and flip rates with paired tokens),
 * and one layer of every run as small multiples on one shared colour scale. State in the URL.
 */
export function CompareMany() {
  const { search, frozen, replace } = useViewLocation();
  const state = parseCompareManyViewState(search);
  const go = useCallback(
    (patch: Partial<CompareManyViewState>) =>
      replace(compareManyHref({ ...parseCompareManyViewState(new URLSearchParams(window.location.search)), ...patch })),
    [replace],
  );
  const ready = state.runs.length > 0;
  const { data, error, isFetching } = useQuery({
    ...compareManyQuery(state.runs, state.base ?? "", state.paired),
    enabled: ready,
    placeholderData: keepPreviousData,
  });
  if (!ready)
    return (
      <p className="rounded border border-dashed border-zinc-300 p-6 text-sm dark:border-zinc-700" role="alert">
        Name 2 to 8 different runs: <code>/compare?runs=a,b,c</code>, or tick them in the{" "}
        <Link href="/" className="text-indigo-600 underline">
          runs table
        </Link>{" "}
        and press Compare.
      </p>
    );
  const layers = data?.layers ?? 1;
  const layer = Math.min(state.layer, layers - 1);
  const names = new Map(data?.runs.map((r) => [r.id, r.name]));

  return (
    <div className="flex flex-col gap-5" data-testid="compare-many">
      <fieldset disabled={frozen} className="flex flex-wrap items-end gap-4 text-sm">
        <label className="flex flex-col">
          Base run
          <select
            className={input}
            value={state.base}
            aria-label="base run"
            onChange={(e) => go({ base: e.target.value })}
          >
            {state.runs.map((id) => (
              <option key={id} value={id}>
                {names.get(id) ?? id}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col">
          Curve
          <select
            className={input}
            value={state.curve}
            aria-label="curve"
            onChange={(e) => go({ curve: e.target.value as ManyCurve })}
          >
            {MANY_CURVES.map((c) => (
              <option key={c} value={c}>
                {CURVE_LABELS[c].label}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col">
          Layer <span className="num">{layer}</span>
          <input
            type="range"
            min={0}
            max={Math.max(0, layers - 1)}
            value={layer}
            aria-label="layer"
            onChange={(e) => go({ layer: Number(e.target.value) })}
          />
        </label>
        <label className="flex flex-col">
          Heatmaps
          <select
            className={input}
            value={state.norm}
            aria-label="normalization"
            onChange={(e) => go({ norm: e.target.value as CompareManyViewState["norm"] })}
          >
            {NORMALIZATIONS.map((n) => (
              <option key={n} value={n}>
                {n === "raw" ? "co-activations per token" : n}
              </option>
            ))}
          </select>
        </label>
        <label className="flex items-center gap-1">
          <input
            type="checkbox"
            checked={state.paired}
            onChange={(e) => go({ paired: e.target.checked })}
            aria-label="pair tokens"
          />
          pair tokens (flip rates)
        </label>
        {isFetching ? <span className="text-xs text-zinc-500">loading…</span> : null}
      </fieldset>
      {error ? (
        <p role="alert" className="text-sm text-red-600">
          {(error as Error).message}
        </p>
      ) : null}
      {data ? (
        <>
          <RunLegend data={data} />
          <OverlaidCurves data={data} curve={state.curve} layer={layer} onLayer={(l) => go({ layer: l })} />
          <RunLayerMatrix
            title="JS distance of each run's loads to the base run's, per layer"
            name="js distance run x layer"
            data={data}
            values={data.jsd}
            layer={layer}
            testId="jsd-matrix"
            definition={COMPARE_DEFINITIONS.jsd.definition}
          />
          {data.flipRate ? (
            <RunLayerMatrix
              title="top-k flip rate against the base run, per layer (paired tokens)"
              name="flip rate run x layer"
              data={data}
              values={data.flipRate}
              layer={layer}
              testId="flip-matrix"
              definition={`${COMPARE_DEFINITIONS.flipRate.definition} ${PAIRING_DEFINITION} Empty cells: no tokens pair (a run of aggregates only has no raw events).`}
            />
          ) : (
            <p className="text-xs text-zinc-500">Tick “pair tokens” for the flip rates of runs over the same tokens.</p>
          )}
          <SmallMultiples data={data} layer={layer} norm={state.norm} frozen={frozen} />
        </>
      ) : null}
    </div>
  );
}

function RunLegend({ data }: { data: ManyComparison }) {
  return (
    <ul className="flex flex-wrap gap-x-5 gap-y-1 text-sm" data-testid="compare-many-runs">
      {data.runs.map((r, i) => (
        <li key={r.id} className="flex items-center gap-1.5">
          <span className="inline-block h-3 w-3 rounded-sm" style={{ background: colorOf(i) }} aria-hidden />
          <Link href={`/runs/${r.id}`} className="hover:underline">
            {r.name}
          </Link>
          <span className="text-xs text-zinc-500">
            {r.policy}
            {r.series ? ` · ${r.series} @ ${r.step ?? "–"}` : ""}
            {r.id === data.base ? " · base" : ` · mean JSD ${formatValue(r.meanJsd)}`}
            {r.meanFlipRate !== null && r.id !== data.base ? ` · flips ${formatValue(r.meanFlipRate)}` : ""}
          </span>
        </li>
      ))}
    </ul>
  );
}

const CW = 760;
const CH = 220;
const CM = { top: 24, right: 16, bottom: 30, left: 48 };

function OverlaidCurves({
  data,
  curve,
  layer,
  onLayer,
}: {
  data: ManyComparison;
  curve: ManyCurve;
  layer: number;
  onLayer: (l: number) => void;
}) {
  const L = data.layers;
  const series = data.runs.map((_, r) => curveOf(data, curve, r));
  const known = series.flat().filter((v): v is number => v !== null);
  const x = scaleLinear()
    .domain([0, Math.max(1, L - 1)])
    .range([CM.left, CW - CM.right]);
  const y = scaleLinear()
    .domain([Math.min(0, ...known), Math.max(1e-9, ...known)])
    .nice()
    .range([CH - CM.bottom, CM.top]);
  const every = Math.ceil(L / 16);
  const path = (vs: (number | null)[]) => {
    let d = "";
    let pen = false;
    vs.forEach((v, l) => {
      if (v === null) {
        pen = false;
        return;
      }
      d += `${pen ? "L" : "M"}${x(l).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    });
    return d;
  };
  const { label, definition } = CURVE_LABELS[curve];
  return (
    <Exportable
      name={`${label} per layer`}
      csv={() =>
        toCsv(
          ["layer", ...data.runs.map((r) => r.name)],
          Array.from({ length: L }, (_, l) => [l, ...series.map((s) => s[l])]),
        )
      }
      json={() => ({ curve, runs: data.runs.map((r, i) => ({ id: r.id, name: r.name, values: series[i] })) })}
    >
      <figure className="flex flex-col gap-1">
        <div className="max-w-full overflow-x-auto">
          <svg
            width={CW}
            height={CH}
            role="img"
            aria-label={`${label} per layer, one line per run`}
            data-testid="overlaid-curves"
            className="text-zinc-700 dark:text-zinc-300"
          >
            <text x={CM.left} y={13} fontSize={11} fontWeight={600} fill="currentColor">
              {label}, per layer
            </text>
            <YGrid y={y} ticks={4} left={CM.left} right={CW - CM.right} />
            <line
              x1={x(layer)}
              x2={x(layer)}
              y1={CM.top}
              y2={CH - CM.bottom}
              stroke="currentColor"
              strokeOpacity={0.25}
              strokeDasharray="3 3"
            />
            {series.map((vs, r) => (
              <g key={data.runs[r].id} data-testid="curve">
                <path d={path(vs)} fill="none" stroke={colorOf(r)} strokeWidth={2} />
                {vs.map((v, l) =>
                  v === null ? null : <circle key={l} cx={x(l)} cy={y(v)} r={2.5} fill={colorOf(r)} />,
                )}
              </g>
            ))}
            {Array.from({ length: L }, (_, l) => l)
              .filter((l) => l % every === 0)
              .map((l) => (
                <text key={l} x={x(l)} y={CH - CM.bottom + 14} fontSize={10} textAnchor="middle" fill="currentColor">
                  {l}
                </text>
              ))}
            <text x={(CM.left + CW - CM.right) / 2} y={CH - 3} fontSize={10} textAnchor="middle" fill="currentColor">
              MoE layer (click to choose the layer of the heatmaps)
            </text>
            {Array.from({ length: L }, (_, l) => (
              <rect
                key={l}
                x={x(l) - (x(1) - x(0)) / 2}
                width={Math.max(4, x(1) - x(0))}
                y={CM.top}
                height={CH - CM.top - CM.bottom}
                fill="transparent"
                onClick={() => onLayer(l)}
              >
                <title>{`layer ${l}: ${series.map((s, r) => `${data.runs[r].name} ${formatValue(s[l])}`).join(", ")}`}</title>
              </rect>
            ))}
          </svg>
        </div>
        <p className="max-w-3xl text-xs text-zinc-500">{definition}</p>
      </figure>
    </Exportable>
  );
}

/** A run × layer matrix as a table of coloured cells on [0, 1] (JS distance and flip rates are both in [0, 1]). */
function RunLayerMatrix({
  title,
  name,
  data,
  values,
  layer,
  testId,
  definition,
}: {
  title: string;
  name: string;
  data: ManyComparison;
  values: (number | null)[][];
  layer: number;
  testId: string;
  definition: string;
}) {
  const color = useMemo(() => makeColorScale([0, 1], "linear"), []);
  const L = data.layers;
  const cell = Math.max(8, Math.min(36, Math.floor(620 / L)));
  return (
    <Exportable
      name={name}
      csv={() =>
        toCsv(
          ["run", ...Array.from({ length: L }, (_, l) => `layer ${l}`)],
          data.runs.map((r, i) => [r.name, ...values[i]]),
        )
      }
      json={() => ({ base: data.base, runs: data.runs.map((r) => r.id), values })}
    >
      <figure className="flex flex-col gap-2">
        <figcaption className="text-sm font-medium">{title}</figcaption>
        <div className="max-w-full overflow-x-auto">
          <table className="border-collapse text-xs" data-testid={testId}>
            <tbody>
              {data.runs.map((r, i) => (
                <tr key={r.id}>
                  <th className="max-w-48 truncate pr-2 text-left font-normal" title={r.name}>
                    <span
                      className="mr-1 inline-block h-2.5 w-2.5 rounded-sm"
                      style={{ background: colorOf(i) }}
                      aria-hidden
                    />
                    {r.name}
                  </th>
                  {values[i].map((v, l) => (
                    <td
                      key={l}
                      data-testid="matrix-cell"
                      title={`${r.name}, layer ${l}: ${v === null ? "no value" : v.toFixed(4)}`}
                      style={{
                        width: cell,
                        height: 20,
                        background: v === null ? NO_VALUE_CSS : color.css(v),
                        outline: l === layer ? "2px solid currentColor" : undefined,
                      }}
                    />
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <ColorLegend color={color} title="0 = same as the base, 1 = disjoint (grey: no value)" width={260} />
        <p className="max-w-3xl text-xs text-zinc-500">{definition}</p>
      </figure>
    </Exportable>
  );
}

/** One layer of every run, side by side, all on the colour scale of the largest value among them. */
function SmallMultiples({
  data,
  layer,
  norm,
  frozen,
}: {
  data: ManyComparison;
  layer: number;
  norm: CompareManyViewState["norm"];
  frozen: boolean;
}) {
  const [maxes, setMaxes] = useState<Record<string, number>>({});
  const shown = data.runs.map((r) => maxes[`${r.id}/${layer}/${norm}`]);
  const max = shown.every((m) => m !== undefined) ? Math.max(1e-12, ...(shown as number[])) : null;
  const color = useMemo(() => (max === null ? null : makeColorScale([0, max], "linear")), [max]);
  const report = useCallback(
    (key: string, m: number) => setMaxes((prev) => (prev[key] === m ? prev : { ...prev, [key]: m })),
    [],
  );
  const E = data.experts;
  const cell = Math.max(1, Math.min(24, Math.floor(220 / E)));
  const what = norm === "raw" ? "co-activations per token, C / N" : `${norm} co-activation`;
  return (
    <section className="flex flex-col gap-2">
      <h2 className="text-sm font-medium">
        Layer {layer}: {what}, one shared colour scale
      </h2>
      <div className="flex flex-wrap gap-4" data-testid="small-multiples">
        {data.runs.map((r, i) => (
          <RunHeatmap
            key={r.id}
            runId={r.id}
            name={r.name}
            index={i}
            layer={layer}
            norm={norm}
            frozen={frozen}
            color={color}
            cell={cell}
            onMax={report}
          />
        ))}
      </div>
      {color ? <ColorLegend color={color} title={`${what} (every heatmap)`} width={320} /> : null}
      <p className="max-w-3xl text-xs text-zinc-500">
        {norm === "raw"
          ? "C_ij / N: how often experts i and j are chosen together, per token, so runs of any size share one scale."
          : NORMALIZATION_DEFINITIONS[norm].replace(/\.?$/, ".")}{" "}
        The scale runs from 0 to the largest off-diagonal value of any run shown.
      </p>
    </section>
  );
}

function RunHeatmap({
  runId,
  name,
  index,
  layer,
  norm,
  frozen,
  color,
  cell,
  onMax,
}: {
  runId: string;
  name: string;
  index: number;
  layer: number;
  norm: CompareManyViewState["norm"];
  frozen: boolean;
  color: ColorScale | null;
  cell: number;
  onMax: (key: string, max: number) => void;
}) {
  const { data, error } = useLayerFrame(runId, layer, norm, frozen);
  const current = data && data.layer === layer ? data : undefined;
  const values = useMemo(() => {
    if (!current) return null;
    if (norm === "raw") {
      const n = current.tokens;
      return Float64Array.from(current.coactivation, (v) => (n > 0 ? v / n : 0));
    }
    return current.normalized ? Float64Array.from(current.normalized) : null;
  }, [current, norm]);
  const E = current?.experts ?? 0;
  const max = useMemo(() => {
    if (!values) return null;
    let m = 0;
    for (let i = 0; i < E; i++) for (let j = 0; j < E; j++) if (i !== j && values[i * E + j] > m) m = values[i * E + j];
    return m;
  }, [values, E]);
  // The parent's shared scale waits for every run's largest value.
  useEffect(() => {
    if (max !== null) onMax(`${runId}/${layer}/${norm}`, max);
  }, [max, runId, layer, norm, onMax]);
  const order = useMemo(() => Array.from({ length: E }, (_, i) => i), [E]);
  return (
    <Exportable
      name={`${name} layer ${layer} ${norm}`}
      svg={
        values && color
          ? () => ({ text: heatmapSvg(values, E, order, color.css, cell), width: E * cell, height: E * cell })
          : undefined
      }
      csv={values ? () => flatMatrixToCsv(values, E) : undefined}
      json={values ? () => matrixRows(values, E) : undefined}
    >
      <figure data-testid="run-heatmap" data-run={runId}>
        <figcaption className="mb-1 flex max-w-[240px] items-center gap-1 truncate text-xs font-medium" title={name}>
          <span
            className="inline-block h-2.5 w-2.5 shrink-0 rounded-sm"
            style={{ background: colorOf(index) }}
            aria-hidden
          />
          {name}
        </figcaption>
        {error ? (
          <p role="alert" className="text-xs text-red-600">
            {(error as Error).message}
          </p>
        ) : values && color ? (
          <HeatmapCanvas
            values={values}
            n={E}
            order={order}
            color={color}
            cell={cell}
            label={`${name}, layer ${layer}, ${norm} co-activation`}
          />
        ) : (
          <div style={{ width: 200, height: 200 }} className="text-xs text-zinc-500">
            loading…
          </div>
        )}
      </figure>
    </Exportable>
  );
}
