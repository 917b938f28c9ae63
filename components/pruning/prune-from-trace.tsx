"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { EXTRA_CRITERION_DEFINITIONS, keepMask, TRACE_CRITERIA, type TraceCriterion } from "@/lib/analysis/pruning";
import { apiFetch } from "@/lib/query/api-fetch";
import { runsListQuery } from "@/lib/query/run-queries";
import type { PruningRunView } from "@/lib/query/api-types";
import type { PruneResult } from "@/lib/query/api-types";
import { DefinitionNote } from "@/components/ui/definition-note";
import { useApiToken } from "@/components/ui/use-api-token";
import { download } from "@/components/viz/export";
import { formatValue } from "@/components/viz/format";
import { MetricChart } from "./metric-chart";

type Result = PruneResult;
const input = "rounded border border-zinc-300 px-2 py-1 text-sm dark:border-zinc-600 dark:bg-zinc-800";
const TRACE_DEFS: Record<TraceCriterion, string> = {
  EUF: "Expert usage frequency: the expert's load; the least used are dropped first.",
  ECC: "Expert-expert collaboration: take the pair with the smallest (min) or largest (max) co-activation, drop the one used less, repeat.",
  EVTC: "Vocabulary coverage: distinct token ids routed to the expert; the narrowest is dropped first (needs token ids).",
  ETS: "Token similarity: Jaccard overlap of the expert's token ids with the other experts'; the most redundant is dropped first (needs token ids).",
  ...EXTRA_CRITERION_DEFINITIONS,
};

/** A9 from a trace: rank experts by a criterion, drop one more per layer each step, re-route with the logits, save. */
export function PruneFromTrace() {
  const { authHeader } = useApiToken();
  const client = useQueryClient();
  const runs = useQuery(runsListQuery());
  const [form, setForm] = useState({
    runId: "",
    criterion: "EUF" as TraceCriterion,
    mode: "min" as "min" | "max",
    schedule: "one-shot" as "one-shot" | "iterative",
    steps: 2,
  });
  const run = runs.data?.runs.find((r) => r.id === form.runId) ?? runs.data?.runs.find((r) => r.events > 0);
  const compute = useMutation({
    mutationFn: () =>
      apiFetch<Result>(`/api/runs/${run!.id}/pruning`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          criterion: form.criterion,
          schedule: form.schedule,
          steps: form.steps,
          ...(form.criterion === "ECC" ? { mode: form.mode } : {}),
        }),
      }),
  });
  const save = useMutation({
    mutationFn: (r: Result) =>
      apiFetch<PruningRunView>("/api/pruning-runs", {
        method: "POST",
        headers: { "content-type": "application/json", ...authHeader },
        body: JSON.stringify({
          model: run!.model.preset ? { preset: run!.model.preset } : run!.model,
          criterion: r.criterion,
          direction: r.mode,
          schedule: r.schedule,
          runId: r.run,
          steps: r.steps,
          source: `computed by MoE Atlas from run "${run!.name}"`,
          tags: ["computed"],
        }),
      }),
    onSuccess: () => client.invalidateQueries({ queryKey: ["pruning-runs"] }),
  });
  const r = compute.data;
  const simLabel = r ? (r.mode ? `${r.mode === "min" ? "Min" : "Max"}-${r.criterion}` : r.criterion) : "";
  const asView = r
    ? ({
        id: "sim",
        name: `${simLabel} ${r.schedule} (computed, not saved)`,
        source: "",
        label: simLabel,
        schedule: r.schedule,
        dense: { routing_mass_retained: 1, flip_rate: 0 },
        steps: r.steps,
      } as unknown as PruningRunView)
    : null;
  return (
    <section
      aria-label="pruning from a trace"
      className="flex flex-col gap-3 rounded border border-zinc-200 p-4 dark:border-zinc-800"
      data-testid="prune-from-trace"
    >
      <h2 className="font-semibold">Drop experts by a trace criterion (A9)</h2>
      <div className="flex flex-wrap items-end gap-3 text-sm">
        <label className="flex flex-col">
          Run
          <select
            aria-label="trace run"
            className={`${input} max-w-64`}
            value={run?.id ?? ""}
            onChange={(e) => setForm({ ...form, runId: e.target.value })}
          >
            {(runs.data?.runs ?? [])
              .filter((x) => x.events > 0)
              .map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
          </select>
        </label>
        <label className="flex flex-col">
          <span>
            Criterion
            <DefinitionNote text={TRACE_DEFS[form.criterion]} />
          </span>
          <select
            aria-label="criterion"
            className={input}
            value={form.criterion}
            onChange={(e) => setForm({ ...form, criterion: e.target.value as TraceCriterion })}
          >
            {TRACE_CRITERIA.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        {form.criterion === "ECC" ? (
          <label className="flex flex-col">
            Pair
            <select
              aria-label="ECC pair"
              className={input}
              value={form.mode}
              onChange={(e) => setForm({ ...form, mode: e.target.value as "min" | "max" })}
            >
              <option value="min">min C_ij</option>
              <option value="max">max C_ij</option>
            </select>
          </label>
        ) : null}
        <label className="flex flex-col">
          Schedule
          <select
            aria-label="schedule"
            className={input}
            value={form.schedule}
            onChange={(e) => setForm({ ...form, schedule: e.target.value as "one-shot" | "iterative" })}
          >
            <option value="one-shot">one-shot (rank once)</option>
            <option value="iterative">iterative (re-route, re-rank)</option>
          </select>
        </label>
        <label className="flex flex-col">
          Experts dropped per layer
          <input
            aria-label="steps"
            type="number"
            min={1}
            value={form.steps}
            className={`${input} w-20`}
            onChange={(e) => setForm({ ...form, steps: Math.max(1, Number(e.target.value)) })}
          />
        </label>
        <button
          type="button"
          disabled={!run || compute.isPending}
          onClick={() => compute.mutate()}
          className="rounded bg-indigo-600 px-3 py-1.5 font-medium text-white hover:bg-indigo-700 disabled:opacity-50"
        >
          {compute.isPending ? "Computing…" : "Compute"}
        </button>
      </div>
      {compute.error ? (
        <p role="alert" className="text-sm text-amber-800 dark:text-amber-300">
          {compute.error.message}
        </p>
      ) : null}
      {r && asView ? (
        <div className="flex flex-col gap-2 text-sm" data-testid="prune-result">
          <p className="text-xs text-zinc-500">{r.note}</p>
          <table className="[&_td]:px-2 [&_th]:px-2">
            <thead>
              <tr className="text-left text-xs text-zinc-500">
                <th>step</th>
                <th>dropped at layer 0</th>
                <th className="text-right">mass retained</th>
                <th className="text-right">flip rate</th>
                <th className="text-right">max/mean load</th>
                <th className="text-right">C_T</th>
              </tr>
            </thead>
            <tbody>
              {r.steps.map((s, i) => (
                <tr key={i}>
                  <td>
                    {i + 1} ({s.droppedPercent}%)
                  </td>
                  <td className="num">{s.dropped[0].join(", ")}</td>
                  <td className="num text-right">{formatValue(s.metrics.routing_mass_retained ?? null)}</td>
                  <td className="num text-right">{formatValue(s.metrics.flip_rate ?? null)}</td>
                  <td className="num text-right">{formatValue(s.metrics.max_over_mean ?? null)}</td>
                  <td className="num text-right">{formatValue(s.metrics.c_t ?? null)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {r.simulated ? <MetricChart runs={[asView]} metric="routing_mass_retained" /> : null}
          <div className="flex flex-wrap gap-3">
            <button
              type="button"
              className="rounded border border-indigo-600 px-3 py-1 text-indigo-700 dark:text-indigo-300"
              onClick={() => save.mutate(r)}
              disabled={save.isPending || save.isSuccess}
            >
              {save.isSuccess ? "Saved" : "Save as pruning run"}
            </button>
            <button
              type="button"
              className="rounded border border-zinc-300 px-3 py-1 dark:border-zinc-600"
              onClick={() => {
                const last = r.steps[r.steps.length - 1];
                download(
                  `keep-mask-${r.criterion}-${r.schedule}.json`,
                  JSON.stringify(
                    {
                      run: r.run,
                      criterion: r.criterion,
                      mode: r.mode,
                      schedule: r.schedule,
                      droppedPercent: last.droppedPercent,
                      keep: keepMask(last.dropped, run!.model.experts),
                    },
                    null,
                    1,
                  ),
                  "application/json",
                );
              }}
            >
              Keep-mask (JSON)
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
