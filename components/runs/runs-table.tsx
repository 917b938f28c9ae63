"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useState, type ReactNode } from "react";
import { RUN_SUMMARY_DEFINITIONS } from "@/lib/analysis/run-summary";
import type { RunView } from "@/lib/query/api-types";
import { describePolicy } from "@/lib/runs/run-policy";
import { defaultOrder } from "@/lib/runs/run-sorts";
import { MAX_COMPARED_RUNS, MIN_COMPARED_RUNS } from "@/lib/url/compare-many-view-state";
import {
  PAGE_SIZES,
  RUN_COLUMNS,
  RUN_GROUPS,
  runsIndexHref,
  sortedBy,
  type RunColumn,
  type RunGroup,
  type RunsIndexState,
} from "@/lib/url/runs-index-state";
import { DeleteButton } from "@/components/ui/delete-button";
import { formatValue } from "@/components/viz/format";

type Run = Omit<RunView, "uploads" | "warnings">;
const input = "rounded border border-zinc-300 px-2 py-1 text-sm dark:border-zinc-600 dark:bg-zinc-800";
const RIGHT: ReadonlySet<RunColumn> = new Set(["tokens", "events", "balance", "entropy"]);
const TITLES: Partial<Record<RunColumn, string>> = {
  balance: RUN_SUMMARY_DEFINITIONS.meanBalance,
  entropy: RUN_SUMMARY_DEFINITIONS.meanCollaborationEntropy,
  series: "the series (training checkpoints) and this run's step in it",
};

function cell(run: Run, key: RunColumn): ReactNode {
  switch (key) {
    case "name":
      return (
        <>
          <Link
            href={`/runs/${run.id}`}
            className="font-medium text-indigo-700 hover:underline dark:text-indigo-400"
            data-testid="run-name"
          >
            {run.name}
          </Link>
          {run.description ? <div className="max-w-xs truncate text-xs text-zinc-500">{run.description}</div> : null}
        </>
      );
    case "model":
      return (
        <>
          {run.model.name}
          <div className="whitespace-nowrap text-xs text-zinc-500">
            {run.model.layers} layers · top-{run.model.topK} of {run.model.experts}
          </div>
        </>
      );
    case "policy":
      return <span data-testid="run-policy">{describePolicy(run.policy)}</span>;
    case "series":
      return run.series ? (
        <span>
          {run.series} <span className="num text-zinc-500">@ {run.step ?? "–"}</span>
        </span>
      ) : (
        <span className="text-zinc-400">–</span>
      );
    case "tags":
      return run.tags.join(", ");
    case "labels":
      return run.labels.join(", ");
    case "tokens":
      return formatValue(run.tokens);
    case "events":
      return <span data-testid="run-events">{formatValue(run.events)}</span>;
    case "balance":
      return run.meanBalance === null ? <span className="text-zinc-400">–</span> : run.meanBalance.toFixed(3);
    case "entropy":
      return run.meanCollaborationEntropy === null ? (
        <span className="text-zinc-400">–</span>
      ) : (
        run.meanCollaborationEntropy.toFixed(3)
      );
    case "created":
      return (
        <span className="whitespace-nowrap text-zinc-500" title={run.createdAt}>
          {run.createdAt.slice(0, 10)}
        </span>
      );
  }
}

/** Rows of this page grouped by model, series or tag, groups in the order they first appear (a run with several tags is under each). */
function groupsOf(runs: Run[], by: RunGroup | undefined): { name: string | null; runs: Run[] }[] {
  if (!by) return [{ name: null, runs }];
  const groups = new Map<string, Run[]>();
  for (const r of runs) {
    const keys =
      by === "model"
        ? [r.model.name]
        : by === "series"
          ? [r.series ?? "no series"]
          : r.tags.length
            ? r.tags
            : ["no tag"];
    for (const k of keys) groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return [...groups].map(([name, runs]) => ({ name, runs }));
}

/**
 * V1: the runs table. Sorting, paging, filters, the columns shown and the grouping are in the URL
 * (lib/url/runs-index-state.ts), sorted and paged on the server; ticking rows selects runs to
 * compare (2 to 8 of one model shape: /compare?runs=) or delete.
 */
export function RunsTable({ runs, total, state }: { runs: Run[]; total: number; state: RunsIndexState }) {
  const router = useRouter();
  const [selected, setSelected] = useState<string[]>([]);
  const go = (s: RunsIndexState) => router.push(runsIndexHref(s));
  const columns = RUN_COLUMNS.filter((c) => state.cols.includes(c.key));
  const groups = useMemo(() => groupsOf(runs, state.group), [runs, state.group]);
  const chosen = selected.map((id) => runs.find((r) => r.id === id)).filter((r): r is Run => Boolean(r));
  const toggle = (id: string) => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));
  const pageIds = runs.map((r) => r.id);
  const allTicked = pageIds.length > 0 && pageIds.every((id) => selected.includes(id));
  const shapes = new Set(chosen.map((r) => `${r.model.layers}x${r.model.experts}`));
  const compareProblem =
    chosen.length < MIN_COMPARED_RUNS
      ? `tick ${MIN_COMPARED_RUNS} to ${MAX_COMPARED_RUNS} runs to compare`
      : chosen.length > MAX_COMPARED_RUNS
        ? `at most ${MAX_COMPARED_RUNS} runs compare at once`
        : shapes.size > 1
          ? "the ticked runs have different model shapes"
          : null;
  const first = (state.page - 1) * state.per;
  const pages = Math.max(1, Math.ceil(total / state.per));
  const sort = state.sort ?? "created";
  const order = state.order ?? defaultOrder(sort);

  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <details className="relative" data-testid="column-picker">
          <summary className={`${input} cursor-pointer select-none`}>Columns ({columns.length})</summary>
          <div className="absolute z-10 mt-1 flex w-56 flex-col gap-1 rounded border border-zinc-300 bg-white p-2 shadow dark:border-zinc-700 dark:bg-zinc-900">
            {RUN_COLUMNS.map((c) => (
              <label key={c.key} className="flex items-center gap-2">
                <input
                  type="checkbox"
                  checked={state.cols.includes(c.key)}
                  disabled={state.cols.length === 1 && state.cols.includes(c.key)}
                  onChange={() =>
                    go({
                      ...state,
                      cols: state.cols.includes(c.key)
                        ? state.cols.filter((k) => k !== c.key)
                        : RUN_COLUMNS.map((x) => x.key).filter((k) => k === c.key || state.cols.includes(k)),
                    })
                  }
                  aria-label={`show column ${c.label}`}
                />
                {c.label}
              </label>
            ))}
          </div>
        </details>
        <label className="flex items-center gap-1">
          Group by
          <select
            className={input}
            value={state.group ?? ""}
            aria-label="group by"
            onChange={(e) => go({ ...state, group: (e.target.value || undefined) as RunGroup | undefined })}
          >
            <option value="">nothing</option>
            {RUN_GROUPS.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>
        </label>
        <label className="flex items-center gap-1">
          Per page
          <select
            className={input}
            value={state.per}
            aria-label="runs per page"
            onChange={(e) => go({ ...state, per: Number(e.target.value), page: 1 })}
          >
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        {state.group ? (
          <span className="text-xs text-zinc-500">groups the runs of this page, in its sort order</span>
        ) : null}
      </div>

      <div
        className="flex min-h-10 flex-wrap items-center gap-3 rounded border border-zinc-200 px-3 py-1.5 text-sm dark:border-zinc-800"
        data-testid="selection-bar"
      >
        <span data-testid="selected-count">{chosen.length} selected</span>
        {compareProblem ? (
          <span className="text-xs text-zinc-500">{compareProblem}</span>
        ) : (
          <Link
            href={`/compare?runs=${chosen.map((r) => r.id).join(",")}`}
            className="rounded bg-indigo-600 px-3 py-1 font-medium text-white hover:bg-indigo-700"
            data-testid="compare-selected"
          >
            Compare {chosen.length} runs
          </Link>
        )}
        {chosen.length ? (
          <>
            <DeleteButton
              endpoint={chosen.map((r) => `/api/runs/${r.id}`)}
              what={`${chosen.length} run(s)`}
              label={`Delete ${chosen.length}`}
              consequences={`${chosen.map((r) => `"${r.name}"`).join(", ")}, with their uploads, raw events, aggregates, pruning runs, quantization results and shares.`}
              invalidate={[["runs"], ["compare"], ["pruning-runs"], ["quant-results"]]}
              onDeleted={() => {
                setSelected([]);
                router.refresh();
              }}
              small
            />
            <button type="button" className="text-xs underline" onClick={() => setSelected([])}>
              clear
            </button>
          </>
        ) : null}
      </div>

      {runs.length === 0 ? (
        <p className="rounded border border-dashed border-zinc-300 p-6 text-center text-zinc-600 dark:border-zinc-700">
          No runs match.{" "}
          <Link href="/runs/new" className="text-indigo-600 underline">
            Create one
          </Link>{" "}
          and upload a trace.
        </p>
      ) : (
        <div className="max-w-full overflow-x-auto">
          <table className="w-full border-collapse text-sm [&_td]:px-2 [&_th]:px-2" data-testid="runs-table">
            <thead>
              <tr className="border-b border-zinc-300 text-left dark:border-zinc-700">
                <th className="w-6">
                  <input
                    type="checkbox"
                    checked={allTicked}
                    aria-label="select every run of this page"
                    onChange={() =>
                      setSelected((s) =>
                        allTicked
                          ? s.filter((id) => !pageIds.includes(id))
                          : [...s, ...pageIds.filter((id) => !s.includes(id))],
                      )
                    }
                  />
                </th>
                {columns.map((c) => {
                  const active = c.sort === sort;
                  return (
                    <th
                      key={c.key}
                      className={`whitespace-nowrap ${RIGHT.has(c.key) ? "text-right" : ""}`}
                      aria-sort={active ? (order === "asc" ? "ascending" : "descending") : "none"}
                      title={TITLES[c.key]}
                    >
                      {c.sort ? (
                        <Link
                          href={runsIndexHref(sortedBy(state, c.sort))}
                          title={`sort by ${c.label.toLowerCase()}`}
                          className={`hover:underline ${active ? "text-indigo-700 dark:text-indigo-400" : ""}`}
                          data-testid={`sort-${c.sort}`}
                        >
                          {c.label}
                          <span aria-hidden className={active ? "" : "text-zinc-400"}>
                            {active ? (order === "asc" ? " ▲" : " ▼") : " ⇅"}
                          </span>
                        </Link>
                      ) : (
                        c.label
                      )}
                    </th>
                  );
                })}
              </tr>
            </thead>
            {groups.map((g) => (
              <tbody key={g.name ?? ""} data-testid={g.name === null ? undefined : "run-group"}>
                {g.name !== null ? (
                  <tr className="bg-zinc-100 dark:bg-zinc-800/60">
                    <th
                      colSpan={columns.length + 1}
                      className="py-1 text-left text-xs font-semibold"
                      data-testid="group-name"
                    >
                      {g.name} <span className="font-normal text-zinc-500">({g.runs.length})</span>
                    </th>
                  </tr>
                ) : null}
                {g.runs.map((r) => (
                  <tr
                    key={r.id}
                    className={`border-b border-zinc-200 dark:border-zinc-800 ${selected.includes(r.id) ? "bg-indigo-50 dark:bg-indigo-950/40" : ""}`}
                    data-testid="run-row"
                  >
                    <td>
                      <input
                        type="checkbox"
                        checked={selected.includes(r.id)}
                        onChange={() => toggle(r.id)}
                        aria-label={`select ${r.name}`}
                      />
                    </td>
                    {columns.map((c) => (
                      <td
                        key={c.key}
                        className={`py-2 ${RIGHT.has(c.key) ? "num text-right" : ""} ${c.key === "tags" || c.key === "labels" || c.key === "policy" || c.key === "created" ? "text-xs" : ""}`}
                      >
                        {cell(r, c.key)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            ))}
          </table>
        </div>
      )}

      <nav className="flex items-center gap-3 text-sm" aria-label="pages" data-testid="pager">
        <span className="num">
          {total ? `${first + 1}–${Math.min(total, first + runs.length)} of ${total}` : "0 runs"}
        </span>
        {state.page > 1 ? (
          <Link href={runsIndexHref({ ...state, page: state.page - 1 })} className="text-indigo-600 hover:underline">
            ← previous
          </Link>
        ) : null}
        <span className="text-zinc-500">
          page {state.page} of {pages}
        </span>
        {state.page < pages ? (
          <Link
            href={runsIndexHref({ ...state, page: state.page + 1 })}
            className="text-indigo-600 hover:underline"
            data-testid="next-page"
          >
            next →
          </Link>
        ) : null}
      </nav>
    </div>
  );
}
