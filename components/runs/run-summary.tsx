import Link from "next/link";
import type { RunView } from "@/lib/query/api-types";
import { formatValue } from "@/components/viz/format";

/** Name, model shape and totals of a run. */
export function RunSummary({ run }: { run: RunView }) {
  const m = run.model;
  const stats: [string, string][] = [
    ["model", m.name],
    ["MoE layers", String(m.layers)],
    ["experts", `top-${m.topK} of ${m.experts}${m.sharedExperts ? ` + ${m.sharedExperts} shared` : ""}`],
    ["router", `${m.router}${m.renormalize ? ", top-k renormalized" : ", not renormalized"}`],
    ["tokens (fullest layer)", formatValue(run.tokens)],
    ["events", formatValue(run.events)],
    ["uploads", String(run.uploads?.length ?? 0)],
    ["labels", run.labels.length ? run.labels.join(", ") : "none"],
  ];
  return (
    <section aria-label="run summary" className="flex flex-col gap-3">
      <div>
        <h1 className="text-2xl font-semibold" data-testid="run-name">
          {run.name}
        </h1>
        {run.description ? <p className="text-sm text-zinc-600 dark:text-zinc-400">{run.description}</p> : null}
        <p className="text-xs text-zinc-500">
          policy {run.policy} · {run.visibility}
          {run.tags.length ? ` · tags ${run.tags.join(", ")}` : ""} · id <span className="font-mono">{run.id}</span>
        </p>
        {run.series !== null ? (
          <p className="text-sm" data-testid="run-series">
            Step <span className="num">{run.step?.toLocaleString("en-US")}</span> of series{" "}
            <Link href={`/series/${encodeURIComponent(run.series)}`} className="text-indigo-600 hover:underline">
              {run.series}
            </Link>
          </p>
        ) : null}
      </div>
      <dl className="grid grid-cols-2 gap-2 sm:grid-cols-4">
        {stats.map(([k, v]) => (
          <div key={k} className="rounded border border-zinc-200 bg-white p-2 dark:border-zinc-800 dark:bg-zinc-900">
            <dt className="text-xs text-zinc-500">{k}</dt>
            <dd className="num text-sm font-medium" data-testid={`stat-${k.split(" ")[0]}`}>
              {v}
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
