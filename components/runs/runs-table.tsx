import Link from "next/link";
import type { RunWithModel } from "@/lib/db/queries/runs";
import { formatValue } from "@/components/viz/format";

export function RunsTable({ runs }: { runs: RunWithModel[] }) {
  if (runs.length === 0) {
    return (
      <p className="rounded border border-dashed border-zinc-300 p-6 text-center text-zinc-600 dark:border-zinc-700">
        No runs match. <Link href="/runs/new" className="text-indigo-600 underline">Create one</Link> and upload a trace.
      </p>
    );
  }
  return (
    <table className="w-full border-collapse text-sm [&_td]:px-2 [&_th]:px-2" data-testid="runs-table">
      <thead>
        <tr className="border-b border-zinc-300 text-left dark:border-zinc-700">
          <th className="py-2">Name</th>
          <th>Model</th>
          <th className="text-right">Tokens</th>
          <th className="text-right">Events</th>
          <th>Labels</th>
          <th>Tags</th>
          <th>Created</th>
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
              <div className="text-xs text-zinc-500">
                {r.model.layers} layers · top-{r.model.topK} of {r.model.experts}
              </div>
            </td>
            <td className="num text-right">{formatValue(r.tokens)}</td>
            <td className="num text-right">{formatValue(r.events)}</td>
            <td className="text-xs">{r.labels.join(", ")}</td>
            <td className="text-xs">{r.tags.join(", ")}</td>
            <td className="text-xs text-zinc-500">{r.createdAt.toISOString().slice(0, 10)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
