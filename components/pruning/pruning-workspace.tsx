"use client";

import { useQuery } from "@tanstack/react-query";
import { useCallback } from "react";
import { CRITERION_DEFINITIONS, CRITERION_SOURCE, type McSuiteCriterion } from "@/lib/analysis/pruning";
import { pruningCompareQuery, pruningListQuery, type PruningComparison } from "@/lib/query/pruning-queries";
import type { PruningRunView } from "@/lib/query/api-types";
import { MODEL_PRESETS } from "@/lib/models/presets";
import { parsePruningViewState, pruningHref, type PruningViewState } from "@/lib/url/pruning-view-state";
import { useViewLocation } from "@/components/share/view-location";
import { DefinitionNote } from "@/components/ui/definition-note";
import { DeleteButton } from "@/components/ui/delete-button";
import { ImportResultsFile } from "@/components/ui/import-results-file";
import { toCsv } from "@/components/viz/export";
import { Exportable } from "@/components/viz/exportable";
import { formatValue } from "@/components/viz/format";
import { DropStepMap } from "./drop-step-map";
import { MetricChart } from "./metric-chart";
import { PruneFromTrace } from "./prune-from-trace";
import { pruningRowNames } from "./row-names";

const input = "rounded border border-zinc-300 px-2 py-1 text-sm dark:border-zinc-600 dark:bg-zinc-800";

const PREFERRED = ["routing_mass_retained", "flip_rate", "max_over_mean", "c_t"];

const SOURCES = {
  weights: "needs the weights",
  trace: "computable from a trace",
  activations: "needs activations",
  gradients: "needs gradients",
} as const;

const definitionOf = (r: PruningRunView) => {
  const c = r.criterion as McSuiteCriterion;
  if (CRITERION_DEFINITIONS[c]) return `${CRITERION_DEFINITIONS[c]} (${SOURCES[CRITERION_SOURCE[c]]})`;
  return r.criterion === "Random" ? "Experts dropped at random (the baseline)." : `Criterion "${r.criterion}".`;
};

/** V8: stored pruning runs, filtered and compared; new ones imported or computed from a trace. */
export function PruningWorkspace() {
  const { search, replace } = useViewLocation();
  const state = parsePruningViewState(search);
  const go = useCallback(
    (patch: Partial<PruningViewState>) =>
      replace(pruningHref({ ...parsePruningViewState(new URLSearchParams(window.location.search)), ...patch })),
    [replace],
  );
  const list = useQuery(pruningListQuery({ model: state.model, criterion: state.criterion, schedule: state.schedule }));
  const compare = useQuery({ ...pruningCompareQuery(state.ids), enabled: state.ids.length > 0 });
  const toggle = (id: string) =>
    go({ ids: state.ids.includes(id) ? state.ids.filter((x) => x !== id) : [...state.ids, id] });

  return (
    <div className="flex flex-col gap-6">
      <section className="flex flex-wrap items-end gap-4 text-sm" aria-label="filters">
        <label className="flex flex-col">
          Model
          <select
            aria-label="filter by model"
            className={input}
            value={state.model ?? ""}
            onChange={(e) => go({ model: e.target.value || undefined })}
          >
            <option value="">all models</option>
            {MODEL_PRESETS.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col">
          Criterion
          <input
            aria-label="filter by criterion"
            className={`${input} w-32`}
            placeholder="e.g. Min-EAN"
            defaultValue={state.criterion}
            onBlur={(e) => go({ criterion: e.target.value.trim() || undefined })}
            onKeyDown={(e) => e.key === "Enter" && e.currentTarget.blur()}
          />
        </label>
        <label className="flex flex-col">
          Schedule
          <select
            aria-label="filter by schedule"
            className={input}
            value={state.schedule ?? ""}
            onChange={(e) => go({ schedule: (e.target.value || undefined) as PruningViewState["schedule"] })}
          >
            <option value="">all schedules</option>
            <option value="one-shot">one-shot</option>
            <option value="iterative">iterative</option>
            <option value="lottery">lottery (iterative + fine-tuning)</option>
          </select>
        </label>
        <ImportResultsFile
          endpoint="/api/pruning-runs/import"
          what={["pruning run", "pruning runs"]}
          invalidate="pruning-runs"
          testId="pruning-import-status"
          help="JSON: one run, a list, or {pruningRuns: [...]} with model, criterion (e.g. Min-EAN), schedule, dense metrics and steps [{droppedPercent, expertsDroppedPerLayer, dropped?, metrics}]. CSV: criterion, schedule, dropped_percent and metric columns, one row per step (0% = dense); the model below applies when the file names none. Or POST /api/pruning-runs."
        />
      </section>
      {list.error ? (
        <p role="alert" className="text-red-600">
          {list.error.message}
        </p>
      ) : null}
      {list.data ? <RunsTable runs={list.data.pruningRuns} selected={state.ids} toggle={toggle} /> : <p>Loading…</p>}
      {state.ids.length ? (
        compare.data ? (
          <Comparison data={compare.data} metric={state.metric} setMetric={(metric) => go({ metric })} />
        ) : compare.error ? (
          <p role="alert" className="text-red-600">
            {compare.error.message}
          </p>
        ) : (
          <p>Comparing…</p>
        )
      ) : (
        <p className="text-sm text-zinc-600">
          Tick runs to compare them: the metric against the share of experts dropped, which experts each dropped and
          when, and how far their choices overlap.
        </p>
      )}
      <PruneFromTrace />
    </div>
  );
}

function RunsTable({
  runs,
  selected,
  toggle,
}: {
  runs: PruningRunView[];
  selected: string[];
  toggle: (id: string) => void;
}) {
  if (!runs.length) return <p className="text-sm">No pruning runs match.</p>;
  const names = pruningRowNames(runs);
  return (
    <table className="text-sm [&_td]:px-2 [&_td]:py-0.5 [&_th]:px-2" data-testid="pruning-table">
      <thead>
        <tr className="text-left text-xs text-zinc-500">
          <th>compare</th>
          <th>name</th>
          <th>criterion</th>
          <th>schedule</th>
          <th>model</th>
          <th className="text-right">steps</th>
          <th>dropped sets</th>
          <th>metrics</th>
          <th>source</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.id} data-pruning-run={r.id}>
            <td>
              <input
                type="checkbox"
                aria-label={`compare ${names.get(r.id)}`}
                checked={selected.includes(r.id)}
                onChange={() => toggle(r.id)}
              />
            </td>
            <th scope="row" className="text-left font-normal" data-testid="pruning-row-name">
              {names.get(r.id)}
            </th>
            <td>
              {r.label}
              <DefinitionNote text={definitionOf(r)} />
            </td>
            <td>{r.schedule}</td>
            <td>{r.model.name}</td>
            <td className="num text-right">{r.steps.length}</td>
            <td>{r.steps.some((s) => s.dropped) ? "yes" : "—"}</td>
            <td className="max-w-48 truncate">
              {[...new Set([...Object.keys(r.dense), ...r.steps.flatMap((s) => Object.keys(s.metrics))])].join(", ")}
            </td>
            <td className="max-w-72 truncate text-xs text-zinc-600 dark:text-zinc-400" title={r.source}>
              {r.source || "—"}
            </td>
            <td>
              <DeleteButton
                small
                endpoint={`/api/pruning-runs/${r.id}`}
                what={`pruning run "${r.name}"`}
                consequences={`Its ${r.steps.length} step(s) and their metrics go${r.runId ? "; the trace run it was computed on stays" : ""}.`}
                invalidate={[["pruning-runs"]]}
                onDeleted={() => selected.includes(r.id) && toggle(r.id)}
              />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Comparison({
  data,
  metric,
  setMetric,
}: {
  data: PruningComparison;
  metric?: string;
  setMetric: (m: string) => void;
}) {
  // Most-reported first (ties: a fixed order for the simulated metrics, then by name): jsonb keeps
  // its own key order, which is not the order anyone wrote them in.
  const counts = new Map<string, number>();
  for (const r of data.runs)
    for (const m of new Set([...Object.keys(r.dense), ...r.steps.flatMap((s) => Object.keys(s.metrics))]))
      counts.set(m, (counts.get(m) ?? 0) + 1);
  const rank = (m: string) => (PREFERRED.indexOf(m) < 0 ? PREFERRED.length : PREFERRED.indexOf(m));
  const metrics = [...counts.keys()].sort(
    (a, b) => counts.get(b)! - counts.get(a)! || rank(a) - rank(b) || a.localeCompare(b),
  );
  const shown = metric && metrics.includes(metric) ? metric : metrics[0];
  const sources = [...new Set(data.runs.map((r) => r.source).filter(Boolean))];
  const names = pruningRowNames(data.runs);
  return (
    <section aria-label="comparison" className="flex flex-col gap-4">
      <h2 className="font-semibold">{data.runs.length === 1 ? "One run" : `Comparison of ${data.runs.length} runs`}</h2>
      {shown ? (
        <>
          <label className="flex items-center gap-2 text-sm">
            Metric
            <select aria-label="metric" className={input} value={shown} onChange={(e) => setMetric(e.target.value)}>
              {metrics.map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
          </label>
          <Exportable
            name={`pruning ${shown} vs dropped`}
            csv={() =>
              toCsv(
                ["run", "criterion", "schedule", "dropped_percent", shown],
                data.runs.flatMap((r) => [
                  ...(r.dense[shown] !== undefined ? [[names.get(r.id)!, r.label, r.schedule, 0, r.dense[shown]]] : []),
                  ...r.steps.map((s) => [
                    names.get(r.id)!,
                    r.label,
                    r.schedule,
                    s.droppedPercent,
                    s.metrics[shown] ?? null,
                  ]),
                ]),
              )
            }
            json={() => data.runs}
          >
            <MetricChart runs={data.runs} metric={shown} />
          </Exportable>
          {sources.length ? (
            <p className="text-xs text-zinc-500" data-testid="pruning-sources">
              Source: {sources.join("; ")}
            </p>
          ) : null}
        </>
      ) : (
        <p className="text-sm">These runs record no metrics.</p>
      )}
      <div className="flex flex-wrap gap-6">
        {data.runs.map((r) =>
          data.dropStep[r.id] ? (
            <DropStepMap
              key={r.id}
              name={names.get(r.id)!}
              steps={r.steps.length}
              percents={r.steps.map((s) => s.droppedPercent)}
              dropStep={data.dropStep[r.id]!}
              runId={r.runId}
            />
          ) : null,
        )}
      </div>
      {data.runs.some((r) => !data.dropStep[r.id]) ? (
        <p className="text-xs text-zinc-500">
          Runs imported from tables record how many experts were dropped, not which: they have no drop map.
        </p>
      ) : null}
      {data.jaccard.length ? (
        <table className="text-sm [&_td]:px-2 [&_th]:px-2" data-testid="pruning-jaccard">
          <thead>
            <tr className="text-left text-xs text-zinc-500">
              <th>run A</th>
              <th>run B</th>
              <th className="text-right">
                Jaccard of dropped sets
                <DefinitionNote text="|A ∩ B| / |A ∪ B| of the experts each run dropped by its last step, per layer, averaged over layers: 1 = the same experts, 0 = disjoint choices." />
              </th>
            </tr>
          </thead>
          <tbody>
            {data.jaccard.map((j) => (
              <tr key={`${j.a}-${j.b}`}>
                <td>{names.get(j.a)}</td>
                <td>{names.get(j.b)}</td>
                <td className="num text-right">{formatValue(j.mean)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <p className="text-xs">
        {data.runs
          .filter((r) => r.steps.some((s) => s.dropped))
          .map((r) => (
            <a
              key={r.id}
              className="mr-3 text-indigo-600 underline"
              href={`/api/pruning-runs/${r.id}/keep-mask`}
              download={`keep-mask-${r.id}.json`}
            >
              keep-mask of {names.get(r.id)} (JSON)
            </a>
          ))}
      </p>
    </section>
  );
}
