"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useCallback } from "react";
import { SERIES_METRIC_DEFINITIONS } from "@/lib/analysis/metric-definitions";
import { SATURATION_DEFINITION } from "@/lib/analysis/router-saturation";
import { SERIES_METRICS, SERIES_PLACEMENTS, type SeriesMetric } from "@/lib/analysis/series-metrics";
import type { SeriesView as SeriesAnswer } from "@/lib/query/api-types";
import { seriesQuery } from "@/lib/query/series-queries";
import {
  parseSeriesViewState,
  SERIES_HEATMAPS,
  seriesHref,
  type SeriesHeatmap,
  type SeriesViewState,
} from "@/lib/url/series-view-state";
import { useViewLocation } from "@/components/share/view-location";
import { DefinitionNote } from "@/components/ui/definition-note";
import { toCsv } from "@/components/viz/export";
import { Exportable } from "@/components/viz/exportable";
import { formatValue } from "@/components/viz/format";
import { StepChart } from "./step-chart";
import { StepHeatmap } from "./step-heatmap";

const input = "rounded border border-zinc-300 px-2 py-1 text-sm dark:border-zinc-600 dark:bg-zinc-800";
/** The N-run comparison takes 2 to 8 runs. */
const MAX_COMPARED = 8;

const label = (m: SeriesHeatmap) => (m === "saturation" ? "router saturation" : SERIES_METRIC_DEFINITIONS[m].label);

/** The runs a "compare" link names: all steps up to 8, else 8 spread evenly from first to last. */
export function compareRunIds(ids: string[]): string[] {
  if (ids.length <= MAX_COMPARED) return ids;
  return Array.from({ length: MAX_COMPARED }, (_, i) => ids[Math.round((i * (ids.length - 1)) / (MAX_COMPARED - 1))]);
}

/** The series page: every metric against step, one as a layer x step heatmap, and router saturation. */
export function SeriesView({ series }: { series: string }) {
  const { search, frozen, replace } = useViewLocation();
  const state = parseSeriesViewState(search);
  const go = useCallback(
    (patch: Partial<SeriesViewState>) =>
      replace(seriesHref(series, { ...parseSeriesViewState(new URLSearchParams(window.location.search)), ...patch })),
    [series, replace],
  );
  const q = useQuery(seriesQuery(series, state.placement, state.devices, state.topT));
  const data = q.data;
  return (
    <div className="flex flex-col gap-5">
      <fieldset disabled={frozen} className="flex flex-wrap items-end gap-4 text-sm">
        <label className="flex flex-col">
          C_T placement
          <select
            aria-label="placement"
            className={input}
            value={state.placement}
            onChange={(e) => go({ placement: e.target.value as SeriesViewState["placement"] })}
          >
            {SERIES_PLACEMENTS.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label className="flex flex-col">
          devices
          <input
            aria-label="devices"
            type="number"
            min={1}
            className={`${input} w-20`}
            value={state.devices}
            onChange={(e) => go({ devices: Math.max(1, Number(e.target.value) || 1) })}
          />
        </label>
        <label className="flex flex-col">
          Top-T
          <input
            aria-label="top T"
            type="number"
            min={0}
            className={`${input} w-20`}
            value={state.topT}
            onChange={(e) => go({ topT: Math.max(0, Number(e.target.value) || 0) })}
          />
        </label>
        <label className="flex flex-col">
          heatmap
          <select
            aria-label="heatmap metric"
            className={input}
            value={state.heatmap}
            onChange={(e) => go({ heatmap: e.target.value as SeriesHeatmap })}
          >
            {SERIES_HEATMAPS.map((m) => (
              <option key={m} value={m}>
                {label(m)}
              </option>
            ))}
          </select>
        </label>
      </fieldset>
      {q.error ? (
        <p role="alert" className="text-red-600">
          {q.error.message}
        </p>
      ) : null}
      {q.isPending ? <p className="text-sm text-zinc-500">Computing every checkpoint…</p> : null}
      {data ? <SeriesBody data={data} state={state} onMetric={frozen ? undefined : (m) => go({ heatmap: m })} /> : null}
    </div>
  );
}

export function SeriesBody({
  data,
  state,
  onMetric,
}: {
  data: SeriesAnswer;
  state: SeriesViewState;
  onMetric?: (m: SeriesHeatmap) => void;
}) {
  const steps = data.steps.map((s) => s.step);
  const saturation = data.routerSaturation;
  const heat =
    state.heatmap === "saturation"
      ? saturation.map((s) => s.perLayer)
      : data.steps.map((s) => s.perLayer[state.heatmap as SeriesMetric]);
  const ids = data.steps.map((s) => s.runId);
  const compared = compareRunIds(ids);
  return (
    <>
      <section className="flex flex-col gap-2" data-testid="series-steps">
        <p className="text-sm">
          {data.steps.length} steps of {data.model.name} ({data.model.layers} layers × {data.model.experts} experts,
          top-{data.model.topK}).{" "}
          {compared.length >= 2 ? (
            <Link
              href={`/compare?runs=${compared.join(",")}`}
              className="text-indigo-600 hover:underline"
              data-testid="compare-series"
            >
              Compare {compared.length === ids.length ? "these runs" : `${compared.length} of these runs`}
            </Link>
          ) : null}
        </p>
        <ol className="flex flex-wrap gap-2 text-xs">
          {data.steps.map((s) => (
            <li key={s.runId}>
              <Link
                href={`/runs/${s.runId}`}
                className="rounded border border-zinc-300 px-1.5 py-0.5 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"
                title={s.name}
              >
                step {s.step.toLocaleString("en-US")}
              </Link>
            </li>
          ))}
        </ol>
      </section>
      <Exportable
        name={`router saturation ${data.series}`}
        csv={() =>
          toCsv(
            ["step", "runId", "mean", ...Array.from({ length: data.model.layers }, (_, l) => `layer ${l}`)],
            saturation.map((s) => [s.step, s.runId, s.mean, ...s.perLayer]),
          )
        }
        json={() => ({ series: data.series, finalStep: data.finalStep, routerSaturation: saturation })}
      >
        <StepChart
          title={`router saturation vs step ${data.finalStep.toLocaleString("en-US")} (mean over layers)`}
          steps={steps}
          values={saturation.map((s) => s.mean)}
          width={620}
          height={200}
          reference={{ value: 1, label: "1: the final step's routing" }}
          color="#0ea5e9"
          testId="saturation-chart"
        />
        {onMetric ? (
          <button
            type="button"
            className="text-xs text-indigo-600 hover:underline"
            onClick={() => onMetric("saturation")}
          >
            show saturation per layer below
          </button>
        ) : null}
        <p className="text-xs text-zinc-500">
          Router saturation
          <DefinitionNote text={`${SATURATION_DEFINITION} ${data.pairing}`} />
          {data.saturationNote ? ` — ${data.saturationNote}` : null}
        </p>
      </Exportable>
      <section className="flex flex-col gap-2">
        <h2 className="text-lg font-semibold">Layer means against step</h2>
        <p className="text-xs text-zinc-500">
          C_T under the {data.placement} placement on {data.devices} devices: {data.ctNote} Top-T coverage with T ={" "}
          {data.topT}. Click a chart to show it per layer below.
        </p>
        <Exportable
          name={`series metrics ${data.series}`}
          csv={() =>
            toCsv(
              ["step", "runId", ...SERIES_METRICS],
              data.steps.map((s) => [s.step, s.runId, ...SERIES_METRICS.map((m) => s[m])]),
            )
          }
          json={() => data}
        >
          <div className="grid grid-cols-[repeat(auto-fill,minmax(300px,1fr))] gap-3" data-testid="series-curves">
            {SERIES_METRICS.map((m) => (
              <div
                key={m}
                className={`rounded ${state.heatmap === m ? "ring-2 ring-indigo-400" : ""} ${onMetric ? "cursor-pointer" : ""}`}
                onClick={onMetric ? () => onMetric(m) : undefined}
              >
                <StepChart
                  title={`${SERIES_METRIC_DEFINITIONS[m].label}`}
                  steps={steps}
                  values={data.steps.map((s) => s[m])}
                  testId={`series-chart-${m}`}
                />
                <p className="px-2 text-xs text-zinc-500">
                  last {formatValue(data.steps.at(-1)?.[m])}
                  <DefinitionNote text={SERIES_METRIC_DEFINITIONS[m].definition} />
                </p>
              </div>
            ))}
          </div>
        </Exportable>
      </section>
      <Exportable
        name={`${label(state.heatmap)} per layer and step ${data.series}`}
        csv={() =>
          toCsv(
            ["layer", ...steps.map(String)],
            Array.from({ length: data.model.layers }, (_, l) => [l, ...heat.map((col) => col[l])]),
          )
        }
        json={() => ({ metric: state.heatmap, steps, perStep: heat })}
      >
        <StepHeatmap
          title={`${label(state.heatmap)} per layer and step`}
          steps={steps}
          layers={data.model.layers}
          values={heat}
          domain={state.heatmap === "saturation" ? [0, 1] : undefined}
        />
      </Exportable>
    </>
  );
}
