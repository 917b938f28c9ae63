import Link from "next/link";
import type { RunFilter, RunWithModel } from "@/lib/db/queries/runs";
import { describePolicy } from "@/lib/runs/run-policy";
import type { RunSort } from "@/lib/runs/run-sorts";
import { formatValue } from "@/components/viz/format";

/** Names and policies read A→Z first; dates and counts largest first (as listRuns defaults). */
const defaultOrder = (sort: RunSort) => (sort === "name" || sort === "policy" ? "asc" : "desc");

/** The index URL sorted by `key`: the same filters; a second click on the sorted column reverses it. */
export function sortHref(filter: RunFilter, key: RunSort): string {
  const current = filter.sort ?? "created";
  const order =
    current === key ? ((filter.order ?? defaultOrder(current)) === "asc" ? "desc" : "asc") : defaultOrder(key);
  const q = new URLSearchParams();
  for (const k of ["q", "model", "tag", "policy"] as const) if (filter[k]) q.set(k, filter[k]!);
  if (key !== "created" || order !== "desc") {
    q.set("sort", key);
    q.set("order", order);
  }
  return q.size ? `/?${q}` : "/";
}

function SortHeader({
  filter,
  by,
  children,
  right = false,
}: {
  filter: RunFilter;
  by: RunSort;
  children: string;
  right?: boolean;
}) {
  const current = filter.sort ?? "created";
  const order = filter.order ?? defaultOrder(current);
  const active = current === by;
  return (
    <th
      className={`whitespace-nowrap ${right ? "text-right" : ""}`}
      aria-sort={active ? (order === "asc" ? "ascending" : "descending") : "none"}
    >
      <Link
        href={sortHref(filter, by)}
        title={`sort by ${children.toLowerCase()}`}
        className={`hover:underline ${active ? "text-indigo-700 dark:text-indigo-400" : ""}`}
        data-testid={`sort-${by}`}
      >
        {children}
        <span aria-hidden className={active ? "" : "text-zinc-400"}>
          {active ? (order === "asc" ? " ▲" : " ▼") : " ⇅"}
        </span>
      </Link>
    </th>
  );
}

export function RunsTable({ runs, filter = {} }: { runs: RunWithModel[]; filter?: RunFilter }) {
  if (runs.length === 0) {
    return (
      <p className="rounded border border-dashed border-zinc-300 p-6 text-center text-zinc-600 dark:border-zinc-700">
        No runs match.{" "}
        <Link href="/runs/new" className="text-indigo-600 underline">
          Create one
        </Link>{" "}
        and upload a trace.
      </p>
    );
  }
  return (
    <table className="w-full border-collapse text-sm [&_td]:px-2 [&_th]:px-2" data-testid="runs-table">
      <thead>
        <tr className="border-b border-zinc-300 text-left dark:border-zinc-700">
          <SortHeader filter={filter} by="name">
            Name
          </SortHeader>
          <th>Model</th>
          <SortHeader filter={filter} by="policy">
            Policy
          </SortHeader>
          <SortHeader filter={filter} by="tokens" right>
            Tokens
          </SortHeader>
          <SortHeader filter={filter} by="events" right>
            Events
          </SortHeader>
          <th>Labels</th>
          <th>Tags</th>
          <SortHeader filter={filter} by="created">
            Created
          </SortHeader>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.id} className="border-b border-zinc-200 dark:border-zinc-800">
            <td className="py-2">
              <Link href={`/runs/${r.id}`} className="font-medium text-indigo-700 hover:underline dark:text-indigo-400">
                {r.name}
              </Link>
              {r.description ? <div className="max-w-md truncate text-xs text-zinc-500">{r.description}</div> : null}
            </td>
            <td>
              {r.model.name}
              <div className="whitespace-nowrap text-xs text-zinc-500">
                {r.model.layers} layers · top-{r.model.topK} of {r.model.experts}
              </div>
            </td>
            <td className="whitespace-nowrap text-xs" data-testid="run-policy">
              {describePolicy(r.policy)}
            </td>
            <td className="num text-right">{formatValue(r.tokens)}</td>
            <td className="num text-right">{formatValue(r.events)}</td>
            <td className="text-xs">{r.labels.join(", ")}</td>
            <td className="text-xs">{r.tags.join(", ")}</td>
            <td className="whitespace-nowrap text-xs text-zinc-500" title={r.createdAt.toISOString()}>
              {r.createdAt.toISOString().slice(0, 10)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
