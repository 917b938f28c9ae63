"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useCallback, useState } from "react";
import { AVERAGE_BITS_DEFINITION } from "@/lib/analysis/quantization";
import { MODEL_PRESETS } from "@/lib/models/presets";
import { apiFetch } from "@/lib/query/api-fetch";
import { quantListQuery } from "@/lib/query/pruning-queries";
import { runsListQuery } from "@/lib/query/run-queries";
import type { QuantResultView, QuantSuggestion } from "@/lib/query/api-types";
import { parseQuantViewState, quantHref, type QuantViewState } from "@/lib/url/quant-view-state";
import { useViewLocation } from "@/components/share/view-location";
import { DefinitionNote } from "@/components/ui/definition-note";
import { DeleteButton } from "@/components/ui/delete-button";
import { ImportResultsFile } from "@/components/ui/import-results-file";
import { useApiToken } from "@/components/ui/use-api-token";
import { toCsv } from "@/components/viz/export";
import { Exportable } from "@/components/viz/exportable";
import { formatValue } from "@/components/viz/format";
import { BitHeatmap } from "./bit-heatmap";
import { ParetoChart } from "./pareto-chart";

type Suggestion = QuantSuggestion;
const input = "rounded border border-zinc-300 px-2 py-1 text-sm dark:border-zinc-600 dark:bg-zinc-800";
const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

/** V9: quantization results, their bit allocations, accuracy against bits, and allocations suggested under a budget. */
export function QuantWorkspace() {
  const { search, replace } = useViewLocation();
  const state = parseQuantViewState(search);
  const go = useCallback(
    (patch: Partial<QuantViewState>) =>
      replace(quantHref({ ...parseQuantViewState(new URLSearchParams(window.location.search)), ...patch })),
    [replace],
  );
  const list = useQuery(quantListQuery(state.model));
  const results = list.data?.quantResults ?? [];
  const shown = results.find((r) => r.id === state.show) ?? results[0];
  const metrics = [...new Set(results.flatMap((r) => Object.keys(r.metrics)))];
  const metric = state.metric && metrics.includes(state.metric) ? state.metric : metrics[0];
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-end gap-4 text-sm">
        <label className="flex flex-col">
          Model
          <select
            aria-label="filter by model"
            className={input}
            value={state.model ?? ""}
            onChange={(e) => go({ model: e.target.value || undefined, show: undefined })}
          >
            <option value="">all models</option>
            {MODEL_PRESETS.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <ImportResultsFile
          endpoint="/api/quant-results/import"
          what={["quantization result", "quantization results"]}
          invalidate="quant-results"
          testId="quant-import-status"
          help="JSON: {name, model, method, groupSize, bits: {attention, experts: n | [n per layer] | [[n per expert] per layer], shared?}, metrics}. CSV: name, method, group_size, attention_bits, expert_bits and metric columns. Average bits are computed from the model's parameter counts."
        />
      </div>
      {list.error ? (
        <p role="alert" className="text-red-600">
          {list.error.message}
        </p>
      ) : null}
      <Exportable
        name="quantization results"
        csv={() =>
          toCsv(
            [
              "id",
              "name",
              "model",
              "method",
              "group_size",
              "attention_bits",
              "avg_bits",
              "size_bytes",
              ...metrics,
              "source",
            ],
            results.map((r) => [
              r.id,
              r.name,
              r.model.name,
              r.method,
              r.groupSize,
              r.bits.attention,
              r.avgBits,
              r.sizeBytes,
              ...metrics.map((m) => r.metrics[m] ?? null),
              r.source,
            ]),
          )
        }
        json={() => results}
      >
        <table className="text-sm [&_td]:px-2 [&_td]:py-0.5 [&_th]:px-2" data-testid="quant-table">
          <thead>
            <tr className="text-left text-xs text-zinc-500">
              <th>name</th>
              <th>model</th>
              <th>method</th>
              <th className="text-right">group</th>
              <th className="text-right">
                avg bits
                <DefinitionNote text={AVERAGE_BITS_DEFINITION} />
              </th>
              <th className="text-right">size</th>
              {metrics.map((m) => (
                <th key={m} className="text-right">
                  {m}
                </th>
              ))}
              <th>routing drift</th>
              <th>source</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {results.map((r) => (
              <tr
                key={r.id}
                data-quant={r.id}
                className={r.id === shown?.id ? "bg-indigo-50 dark:bg-indigo-950" : undefined}
              >
                <td>
                  <button
                    type="button"
                    className="text-left text-indigo-600 underline"
                    onClick={() => go({ show: r.id })}
                  >
                    {r.name}
                  </button>
                </td>
                <td>{r.model.name}</td>
                <td>{r.method}</td>
                <td className="num text-right">{r.groupSize ?? "—"}</td>
                <td className="num text-right" data-testid={`avg-bits-${r.id}`}>
                  {r.avgBits.toFixed(2)}
                </td>
                <td className="num text-right">{gib(r.sizeBytes)}</td>
                {metrics.map((m) => (
                  <td key={m} className="num text-right">
                    {formatValue(r.metrics[m] ?? null)}
                  </td>
                ))}
                <td>
                  {r.fpRunId && r.quantRunId ? (
                    <Link
                      className="text-indigo-600 underline"
                      href={`/compare?a=${r.fpRunId}&b=${r.quantRunId}&layer=0&paired=1`}
                    >
                      flip rate
                    </Link>
                  ) : (
                    "—"
                  )}
                </td>
                <td className="max-w-72 truncate text-xs text-zinc-600 dark:text-zinc-400" title={r.source}>
                  {r.source || "—"}
                </td>
                <td>
                  <DeleteButton
                    small
                    endpoint={`/api/quant-results/${r.id}`}
                    what={`quantization result "${r.name}"`}
                    consequences="Its bit allocation and metrics go; the runs it is tied to stay."
                    invalidate={[["quant-results"]]}
                    onDeleted={() => r.id === state.show && go({ show: undefined })}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Exportable>
      <div className="flex flex-wrap items-start gap-8">
        {shown ? (
          <Exportable
            name={`bit allocation ${shown.name}`}
            json={() => shown.bits}
            csv={() =>
              toCsv(
                ["layer", ...shown.bits.experts[0].map((_, e) => `expert_${e}`)],
                shown.bits.experts.map((row, l) => [l, ...row]),
              )
            }
          >
            <BitHeatmap result={shown} />
          </Exportable>
        ) : null}
        <section aria-label="accuracy against bits" className="flex flex-col gap-2 text-sm">
          {metric ? (
            <>
              <label className="flex items-center gap-2">
                Accuracy metric
                <select
                  aria-label="accuracy metric"
                  className={input}
                  value={metric}
                  onChange={(e) => go({ metric: e.target.value })}
                >
                  {metrics.map((m) => (
                    <option key={m}>{m}</option>
                  ))}
                </select>
              </label>
              <Exportable
                name={`${metric} vs average bits`}
                json={() =>
                  results.map((r) => ({ name: r.name, avgBits: r.avgBits, [metric]: r.metrics[metric] ?? null }))
                }
              >
                <ParetoChart results={results} metric={metric} />
              </Exportable>
            </>
          ) : (
            <p className="max-w-md text-zinc-600">
              No result records an accuracy yet, so there is no accuracy-vs-bits chart. Import results with metrics
              (JSON or CSV) to see their Pareto frontier.
            </p>
          )}
        </section>
      </div>
      <Suggester />
    </div>
  );
}

function Suggester() {
  const { authHeader } = useApiToken();
  const client = useQueryClient();
  const runs = useQuery(runsListQuery());
  const [form, setForm] = useState({
    strategy: "usage" as "usage" | "outliers" | "block",
    runId: "",
    preset: "mixtral-8x7b",
    budget: 2.54,
    high: 4,
    low: 2,
    attention: 4,
    scores: "",
  });
  const withParams = (runs.data?.runs ?? []).filter((r) => r.events > 0 || r.tokens > 0);
  const run =
    withParams.find((r) => r.id === form.runId) ??
    withParams.find((r) => r.model.preset === "mixtral-8x7b") ??
    withParams[0];
  const suggest = useMutation({
    mutationFn: () => {
      let scores: number[][] | undefined;
      if (form.strategy === "outliers") {
        try {
          scores = JSON.parse(form.scores);
        } catch {
          throw new Error("outlier scores must be JSON: [[score per expert] per layer]");
        }
      }
      const model = form.strategy === "usage" ? undefined : { preset: form.preset };
      return apiFetch<Suggestion>("/api/quant-results/suggest", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          strategy: form.strategy,
          runId: form.strategy === "usage" ? run?.id : undefined,
          model,
          budget: form.budget,
          high: form.high,
          low: form.low,
          attention: form.attention,
          scores,
        }),
      });
    },
  });
  const s = suggest.data;
  const save = useMutation({
    mutationFn: (x: Suggestion) =>
      apiFetch<QuantResultView>("/api/quant-results", {
        method: "POST",
        headers: { "content-type": "application/json", ...authHeader },
        body: JSON.stringify({
          name: `${x.strategy} allocation ≤ ${form.budget} bits (${form.high}/${form.low}, attention ${form.attention})`,
          model:
            form.strategy === "usage" && run
              ? run.model.preset
                ? { preset: run.model.preset }
                : run.model
              : { preset: form.preset },
          method: "suggested",
          bits: x.bits,
          runId: x.runId,
          source: `suggested by MoE Atlas (${x.strategy}${x.runId && run ? `, usage of run "${run.name}"` : ""})`,
        }),
      }),
    onSuccess: () => client.invalidateQueries({ queryKey: ["quant-results"] }),
  });
  const asView = s ? ({ id: "suggested", name: "suggested", bits: s.bits } as unknown as QuantResultView) : null;
  return (
    <section
      aria-label="allocation suggester"
      className="flex flex-col gap-3 rounded border border-zinc-200 p-4 dark:border-zinc-800"
      data-testid="quant-suggester"
    >
      <h2 className="font-semibold">Suggest a bit allocation under a budget</h2>
      <div className="flex flex-wrap items-end gap-3 text-sm">
        <label className="flex flex-col">
          By
          <select
            aria-label="suggest by"
            className={input}
            value={form.strategy}
            onChange={(e) => setForm({ ...form, strategy: e.target.value as typeof form.strategy })}
          >
            <option value="usage">expert usage (from a run)</option>
            <option value="outliers">per-expert outlier scores</option>
            <option value="block">block position (first blocks)</option>
          </select>
        </label>
        {form.strategy === "usage" ? (
          <label className="flex flex-col">
            Run
            <select
              aria-label="usage run"
              className={`${input} max-w-64`}
              value={run?.id ?? ""}
              onChange={(e) => setForm({ ...form, runId: e.target.value })}
            >
              {withParams.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <label className="flex flex-col">
            Model
            <select
              aria-label="suggest model"
              className={input}
              value={form.preset}
              onChange={(e) => setForm({ ...form, preset: e.target.value })}
            >
              {MODEL_PRESETS.filter((p) => p.params).map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
        )}
        {(["budget", "high", "low", "attention"] as const).map((k) => (
          <label key={k} className="flex flex-col">
            {k === "budget" ? "budget (avg bits)" : `${k} bits`}
            <input
              aria-label={k}
              type="number"
              step={k === "budget" ? 0.01 : 1}
              value={form[k]}
              className={`${input} w-20`}
              onChange={(e) => setForm({ ...form, [k]: Number(e.target.value) })}
            />
          </label>
        ))}
        <button
          type="button"
          onClick={() => suggest.mutate()}
          disabled={suggest.isPending}
          className="rounded bg-indigo-600 px-3 py-1.5 font-medium text-white hover:bg-indigo-700 disabled:opacity-50"
        >
          Suggest
        </button>
      </div>
      {form.strategy === "outliers" ? (
        <textarea
          aria-label="outlier scores"
          className={`${input} h-20 font-mono text-xs`}
          placeholder="[[score per expert] per layer], e.g. max over the expert's linears of max_i |W_ij| / mean_i |W_ij|"
          value={form.scores}
          onChange={(e) => setForm({ ...form, scores: e.target.value })}
        />
      ) : null}
      {suggest.error ? (
        <p role="alert" className="text-sm text-red-600">
          {suggest.error.message}
        </p>
      ) : null}
      {s && asView ? (
        <div className="flex flex-wrap items-start gap-6 text-sm" data-testid="suggestion">
          <BitHeatmap result={asView} />
          <div className="flex flex-col gap-2">
            <p>
              Average bits{" "}
              <strong className="num" data-testid="suggested-avg-bits">
                {s.avgBits.toFixed(3)}
              </strong>{" "}
              (budget {s.budget ?? "—"}), {gib(s.sizeBytes)} of quantized weights.
            </p>
            {s.budget !== null ? (
              <p className="max-w-md text-xs text-zinc-600 dark:text-zinc-400" data-testid="suggested-budget-use">
                {s.avgBits > s.budget + 1e-9
                  ? `Even every expert at the low bits averages ${s.avgBits.toFixed(3)}, over the budget: lower the low or attention bits.`
                  : s.budget - s.avgBits >= s.step
                    ? "Every expert is at the high bits: the budget allows more than this allocation can use."
                    : `${formatValue(s.budget - s.avgBits)} bits of the budget left unused, less than one more promotion (${s.strategy === "block" ? "a whole MoE layer's experts" : "one expert"} to the high bits) would add: ${formatValue(s.step)}.`}
              </p>
            ) : null}
            <button
              type="button"
              className="rounded border border-indigo-600 px-3 py-1 text-indigo-700 dark:text-indigo-300"
              onClick={() => save.mutate(s)}
              disabled={save.isPending || save.isSuccess}
            >
              {save.isSuccess ? "Saved" : "Save as a configuration"}
            </button>
            {save.error ? (
              <span role="alert" className="text-red-600">
                {save.error.message}
              </span>
            ) : null}
          </div>
        </div>
      ) : null}
    </section>
  );
}
