"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { scaleLinear } from "d3";
import Link from "next/link";
import { useCallback, useMemo, useState } from "react";
import { COMPARE_DEFINITIONS } from "@/lib/analysis/compare";
import { compareFrameQuery } from "@/lib/query/frame-queries";
import { compareQuery, runsListQuery } from "@/lib/query/run-queries";
import type { Comparison } from "@/lib/query/api-types";
import { compareFrameFromJson, type CompareFrame } from "@/lib/wire/compare-frame";
import type { WireArray } from "@/lib/wire/frame";
import { compareHref, parseCompareViewState, type CompareViewState } from "@/lib/url/compare-view-state";
import { useViewLocation } from "@/components/share/view-location";
import { PAIRING_DEFINITION } from "@/lib/analysis/paired-join";
import { DefinitionNote } from "@/components/ui/definition-note";
import { ColorLegend } from "@/components/viz/color-legend";
import { makeColorScale, makeDivergingScale, type ColorScale } from "@/components/viz/color-scale";
import { flatMatrixToCsv, heatmapSvg, matrixRows, toCsv } from "@/components/viz/export";
import { Exportable } from "@/components/viz/exportable";
import { formatValue } from "@/components/viz/format";
import { ExpertAxis } from "@/components/viz/expert-axis";
import { HeatmapCanvas, type HeatmapHover } from "@/components/viz/heatmap-canvas";
import { YGrid } from "@/components/viz/y-grid";

const input = "rounded border border-zinc-300 px-2 py-1 text-sm dark:border-zinc-600 dark:bg-zinc-800";
const SERIES = [
  { key: "jsd", color: "#6366f1" },
  { key: "coactivationRelative", color: "#f59e0b" },
  { key: "flipRate", color: "#e11d48" },
] as const;

/** V10: two runs of the same model side by side, their difference, and divergence per layer. */
export function CompareRuns() {
  const { search, frozen, replace } = useViewLocation();
  const state = parseCompareViewState(search);
  const go = useCallback(
    (patch: Partial<CompareViewState>) =>
      replace(compareHref({ ...parseCompareViewState(new URLSearchParams(window.location.search)), ...patch })),
    [replace],
  );
  const runs = useQuery({ ...runsListQuery(), enabled: !frozen });
  const runA = runs.data?.runs.find((r) => r.id === state.a);
  const candidatesB = (runs.data?.runs ?? []).filter(
    (r) =>
      r.id !== state.a && (!runA || (r.model.layers === runA.model.layers && r.model.experts === runA.model.experts)),
  );
  const ready = Boolean(state.a && state.b);
  // Live: the binary frame (matrices as typed arrays); a share: the JSON it pinned, as the same arrays.
  const frame = useQuery({
    ...compareFrameQuery(state.a ?? "", state.b ?? "", state.layer, state.paired),
    enabled: ready && !frozen,
    placeholderData: keepPreviousData,
  });
  const pinned = useQuery({
    ...compareQuery(state.a ?? "", state.b ?? "", state.layer, state.paired),
    enabled: ready && frozen,
    select: selectCompareFrame,
    placeholderData: keepPreviousData,
  });
  const { data, error, isFetching } = frozen ? pinned : frame;

  return (
    <div className="flex flex-col gap-4">
      <fieldset disabled={frozen} className="flex flex-wrap items-end gap-4 text-sm">
        <RunSelect
          label="run A"
          value={state.a}
          runs={runs.data?.runs ?? []}
          onChange={(a) => go({ a, b: undefined })}
        />
        <RunSelect label="run B" value={state.b} runs={candidatesB} onChange={(b) => go({ b })} />
        <label className="flex flex-col">
          Layer <span className="num">{state.layer}</span>
          <input
            type="range"
            min={0}
            max={Math.max(0, (data?.layers ?? runA?.model.layers ?? 1) - 1)}
            value={state.layer}
            aria-label="layer"
            onChange={(e) => go({ layer: Number(e.target.value) })}
            className="w-48 accent-indigo-600"
          />
        </label>
        <label className="flex items-center gap-2">
          <input
            type="checkbox"
            checked={state.paired}
            aria-label="paired tokens"
            onChange={(e) => go({ paired: e.target.checked })}
          />
          <span>
            paired tokens (flip rate)
            <DefinitionNote text="For two routings of the same tokens (fp16 vs quantized, vanilla vs C2R): events are matched on sequence, position and layer, and the flip rate counts tokens whose top-k set differs." />
          </span>
        </label>
        {isFetching ? <span className="text-xs text-zinc-500">comparing…</span> : null}
      </fieldset>
      {!ready ? <p className="text-sm text-zinc-600">Choose two runs of the same model shape.</p> : null}
      {error ? (
        <p role="alert" className="text-red-600">
          {error.message}
        </p>
      ) : null}
      {data ? (
        <ComparisonView data={data} layer={state.layer} onLayer={frozen ? undefined : (layer) => go({ layer })} />
      ) : null}
    </div>
  );
}

function RunSelect({
  label,
  value,
  runs,
  onChange,
}: {
  label: string;
  value?: string;
  runs: { id: string; name: string; model: { name: string } }[];
  onChange: (id: string | undefined) => void;
}) {
  return (
    <label className="flex flex-col">
      {label}
      <select
        aria-label={label}
        className={`${input} max-w-72`}
        value={value ?? ""}
        onChange={(e) => onChange(e.target.value || undefined)}
      >
        <option value="">—</option>
        {runs.map((r) => (
          <option key={r.id} value={r.id}>
            {r.name} ({r.model.name})
          </option>
        ))}
        {value && !runs.some((r) => r.id === value) ? <option value={value}>run {value}</option> : null}
      </select>
    </label>
  );
}

function ComparisonView({
  data,
  layer,
  onLayer,
}: {
  data: CompareFrame<Comparison>;
  layer: number;
  onLayer?: (l: number) => void;
}) {
  const d = data.layerDetail;
  const E = data.experts;
  const view = useMemo(() => {
    if (!d) return null;
    const { perTokenA: a, perTokenB: b, diff } = d;
    let hi = 0;
    let maxAbs = 0;
    for (let i = 0; i < E * E; i++) {
      if (i % (E + 1) === 0) continue;
      hi = Math.max(hi, a[i], b[i]);
      maxAbs = Math.max(maxAbs, Math.abs(diff[i]));
    }
    return { a, b, diff, shared: makeColorScale([0, hi || 1], "linear"), diverging: makeDivergingScale(maxAbs) };
  }, [d, E]);
  const order = useMemo(() => Array.from({ length: E }, (_, i) => i), [E]);
  const cell = Math.max(2, Math.min(36, Math.floor(300 / E)));
  const fmtPct = (v: number | null) => (v === null ? "—" : formatValue(v));
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap gap-6 text-sm" data-testid="compare-summary">
        <Stat
          label={COMPARE_DEFINITIONS.jsd.label}
          def={COMPARE_DEFINITIONS.jsd.definition}
          value={fmtPct(data.meanJsd)}
          testId="mean-jsd"
        />
        <Stat
          label={COMPARE_DEFINITIONS.coactivationRelative.label}
          def={COMPARE_DEFINITIONS.coactivationRelative.definition}
          value={fmtPct(data.meanCoactivationRelative)}
        />
        {data.paired ? (
          <Stat
            label={COMPARE_DEFINITIONS.flipRate.label}
            def={`${COMPARE_DEFINITIONS.flipRate.definition} ${PAIRING_DEFINITION}`}
            value={fmtPct(data.meanFlipRate)}
            testId="mean-flip-rate"
          />
        ) : null}
        {data.paired ? (
          <p className="self-end text-xs text-zinc-600 dark:text-zinc-400" data-testid="pairing-summary">
            paired: <span className="num">{formatValue(data.paired.matchedEvents)}</span> events · only in A{" "}
            <span className="num">{formatValue(data.paired.unmatchedA)}</span> · only in B{" "}
            <span className="num">{formatValue(data.paired.unmatchedB)}</span> · repeated keys paired in order: A{" "}
            <span className="num">{formatValue(data.paired.repeatedA)}</span>, B{" "}
            <span className="num">{formatValue(data.paired.repeatedB)}</span>
            <DefinitionNote text={PAIRING_DEFINITION} />
          </p>
        ) : null}
        <span className="self-end text-xs text-zinc-500">
          means over layers · {data.a.name} ({formatValue(data.a.tokens)} tokens) vs {data.b.name} (
          {formatValue(data.b.tokens)} tokens)
        </span>
      </div>
      <Exportable
        name={`divergence per layer ${data.a.name} vs ${data.b.name}`}
        csv={() =>
          toCsv(
            ["layer", "tokens_a", "tokens_b", "js_distance", "coactivation_diff", "flip_rate", "paired_tokens"],
            data.perLayer.map((l) => [
              l.layer,
              l.tokensA,
              l.tokensB,
              l.jsd,
              l.coactivationRelative,
              l.flipRate,
              l.pairedTokens,
            ]),
          )
        }
        json={() => data.perLayer}
      >
        <DivergenceChart data={data} layer={layer} onLayer={onLayer} />
      </Exportable>
      {d && view ? (
        <div className="flex flex-wrap items-start gap-6">
          <Matrix
            title={`A: ${data.a.name}`}
            name={`co-activation per token A layer ${layer}`}
            values={view.a}
            n={E}
            order={order}
            color={view.shared}
            cell={cell}
            cells={view}
          />
          <Matrix
            title={`B: ${data.b.name}`}
            name={`co-activation per token B layer ${layer}`}
            values={view.b}
            n={E}
            order={order}
            color={view.shared}
            cell={cell}
            cells={view}
          />
          <Matrix
            title="A − B"
            name={`co-activation difference layer ${layer}`}
            values={view.diff}
            n={E}
            order={order}
            color={view.diverging}
            cell={cell}
            cells={view}
            testId="diff-heatmap"
          />
          <div className="flex flex-col gap-2">
            <ColorLegend color={view.shared} title="co-activations per token, C_ij / N (A and B)" width={260} />
            <ColorLegend color={view.diverging} title="A − B (red: more in A, blue: more in B)" width={260} />
          </div>
        </div>
      ) : null}
      <p className="text-xs text-zinc-500">
        <Link className="underline" href={`/runs/${data.a.id}/layers/${layer}`}>
          A at layer {layer}
        </Link>{" "}
        ·{" "}
        <Link className="underline" href={`/runs/${data.b.id}/layers/${layer}`}>
          B at layer {layer}
        </Link>
      </p>
    </div>
  );
}

function Stat({ label, def, value, testId }: { label: string; def: string; value: string; testId?: string }) {
  return (
    <div className="rounded border border-zinc-200 bg-white p-2 dark:border-zinc-800 dark:bg-zinc-900">
      <div className="text-xs text-zinc-500">
        {label}
        <DefinitionNote text={def} />
      </div>
      <div className="num text-lg font-medium" data-testid={testId}>
        {value}
      </div>
    </div>
  );
}

interface Cells {
  a: WireArray;
  b: WireArray;
  diff: WireArray;
}

// Module-level: a stable select runs once per answer, not once per render.
const selectCompareFrame = (c: Comparison) => compareFrameFromJson(c);

function Matrix({
  title,
  name,
  values,
  n,
  order,
  color,
  cell,
  cells,
  testId,
}: {
  title: string;
  name: string;
  values: WireArray;
  n: number;
  order: number[];
  color: ColorScale;
  cell: number;
  cells: Cells;
  testId?: string;
}) {
  const [hover, setHover] = useState<HeatmapHover | null>(null);
  const at = hover ? hover.row * n + hover.col : 0;
  return (
    <Exportable
      name={name}
      svg={() => ({ text: heatmapSvg(values, n, order, color.css, cell), width: n * cell, height: n * cell })}
      csv={() => flatMatrixToCsv(values, n)}
      json={() => matrixRows(values, n)}
    >
      <figure data-testid={testId} className="relative">
        <figcaption className="mb-1 max-w-[300px] truncate text-xs font-medium" title={title}>
          {title}
        </figcaption>
        <div
          className="grid text-zinc-600 dark:text-zinc-400"
          style={{ gridTemplateColumns: `14px 28px ${n * cell}px` }}
        >
          <div />
          <div />
          <div className="text-center text-[10px]">column expert</div>
          <div />
          <div />
          <ExpertAxis order={order} cell={cell} orientation="columns" />
          <div className="flex items-center justify-center text-[10px] [writing-mode:vertical-rl] rotate-180">
            row expert
          </div>
          <ExpertAxis order={order} cell={cell} orientation="rows" />
          <HeatmapCanvas
            values={values}
            n={n}
            order={order}
            color={color}
            cell={cell}
            label={name}
            onHover={setHover}
          />
        </div>
        {hover ? (
          <div
            role="tooltip"
            data-testid="compare-tooltip"
            className="pointer-events-none absolute z-10 min-w-40 rounded border border-zinc-300 bg-white/95 px-2 py-1 text-xs shadow dark:border-zinc-600 dark:bg-zinc-900/95"
            style={{ left: hover.x + 56, top: hover.y + 60 }}
          >
            {hover.row === hover.col ? (
              <div>expert {hover.row} with itself (not counted)</div>
            ) : (
              <>
                <div className="font-semibold">
                  expert {hover.row} × expert {hover.col}
                </div>
                <div>
                  per token: A <span className="num">{formatValue(cells.a[at])}</span>, B{" "}
                  <span className="num">{formatValue(cells.b[at])}</span>
                </div>
                <div>
                  A − B <span className="num">{formatValue(cells.diff[at])}</span>
                </div>
              </>
            )}
          </div>
        ) : null}
      </figure>
    </Exportable>
  );
}

const W = 760;
const H = 200;
const M = { top: 20, right: 16, bottom: 30, left: 44 };

function DivergenceChart({
  data,
  layer,
  onLayer,
}: {
  data: CompareFrame<Comparison>;
  layer: number;
  onLayer?: (l: number) => void;
}) {
  const L = data.layers;
  const series = SERIES.filter((s) => s.key !== "flipRate" || data.paired);
  const all = series.flatMap((s) => data.perLayer.map((l) => l[s.key]).filter((v): v is number => v !== null));
  const x = scaleLinear()
    .domain([0, Math.max(1, L - 1)])
    .range([M.left, W - M.right]);
  const y = scaleLinear()
    .domain([0, Math.max(0.01, ...all)])
    .nice()
    .range([H - M.bottom, M.top]);
  const band = (W - M.left - M.right) / L;
  return (
    <svg
      width={W}
      height={H}
      role="img"
      aria-label="divergence per layer"
      data-testid="divergence-chart"
      className="text-zinc-700 dark:text-zinc-300"
    >
      <YGrid y={y} ticks={4} left={M.left} right={W - M.right} />
      <line
        x1={x(layer)}
        x2={x(layer)}
        y1={M.top}
        y2={H - M.bottom}
        stroke="currentColor"
        strokeOpacity={0.35}
        strokeDasharray="3 3"
      />
      {series.map((s, i) => (
        <g key={s.key}>
          <polyline
            fill="none"
            stroke={s.color}
            strokeWidth={2}
            points={data.perLayer.map((l) => (l[s.key] === null ? "" : `${x(l.layer)},${y(l[s.key]!)}`)).join(" ")}
          />
          <g transform={`translate(${M.left + 8 + i * 170},4)`}>
            <line x1={0} x2={16} y1={5} y2={5} stroke={s.color} strokeWidth={2} />
            <text x={20} y={9} fontSize={10} fill="currentColor">
              {COMPARE_DEFINITIONS[s.key].label}
            </text>
          </g>
        </g>
      ))}
      {data.perLayer.map((l) => (
        <rect
          key={l.layer}
          x={x(l.layer) - band / 2}
          y={M.top}
          width={band}
          height={H - M.top - M.bottom}
          fill="transparent"
          onClick={onLayer ? () => onLayer(l.layer) : undefined}
          className={onLayer ? "cursor-pointer" : undefined}
        >
          <title>{`layer ${l.layer}: ${series.map((s) => `${COMPARE_DEFINITIONS[s.key].label} ${formatValue(l[s.key])}`).join(", ")}`}</title>
        </rect>
      ))}
      {x.ticks(Math.min(L, 16)).map((t) => (
        <text key={t} x={x(t)} y={H - M.bottom + 14} textAnchor="middle" fontSize={10} fill="currentColor">
          {t}
        </text>
      ))}
      <text x={(M.left + W - M.right) / 2} y={H - 3} textAnchor="middle" fontSize={10} fill="currentColor">
        MoE layer{onLayer ? " (click to select)" : ""}
      </text>
    </svg>
  );
}
