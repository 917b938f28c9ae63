import Link from "next/link";
import { listRunsQuerySchema } from "@/lib/api/contracts/runs";
import { pageViewer } from "@/lib/auth/page-viewer";
import { getDb } from "@/lib/db/client";
import { listRuns } from "@/lib/db/queries/runs";
import { MODEL_PRESETS } from "@/lib/models/presets";
import { POLICY_KINDS } from "@/lib/runs/run-policy";
import { RunsTable } from "@/components/runs/runs-table";

export const dynamic = "force-dynamic";

/** V1: the runs index, filtered and sorted by what the URL says (?q, model, tag, policy, sort, order). */
export default async function RunsIndexPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const raw = await searchParams;
  const filter = listRunsQuerySchema
    .catch({})
    .parse(Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, [v].flat()[0]])));
  const runs = await listRuns(await getDb(), filter, await pageViewer());
  return (
    <div className="flex flex-col gap-6">
      <div className="flex items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Runs</h1>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            Routing traces of MoE models: load, balance and expert co-activation, computed on the server.
          </p>
        </div>
        <Link
          href="/runs/new"
          className="rounded bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-700"
        >
          New run
        </Link>
      </div>
      <form className="flex flex-wrap gap-3 text-sm" role="search">
        <input
          name="q"
          defaultValue={filter.q}
          placeholder="Search name or description"
          aria-label="search runs"
          className="rounded border border-zinc-300 px-2 py-1 dark:border-zinc-600 dark:bg-zinc-800"
        />
        <select
          name="model"
          defaultValue={filter.model ?? ""}
          aria-label="filter by model"
          className="rounded border border-zinc-300 px-2 py-1 dark:border-zinc-600 dark:bg-zinc-800"
        >
          <option value="">all models</option>
          {MODEL_PRESETS.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
        <input
          name="tag"
          defaultValue={filter.tag}
          placeholder="tag"
          aria-label="filter by tag"
          className="w-28 rounded border border-zinc-300 px-2 py-1 dark:border-zinc-600 dark:bg-zinc-800"
        />
        <select
          name="policy"
          defaultValue={filter.policy ?? ""}
          aria-label="filter by policy"
          className="rounded border border-zinc-300 px-2 py-1 dark:border-zinc-600 dark:bg-zinc-800"
        >
          <option value="">all policies</option>
          {POLICY_KINDS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
        {filter.sort ? <input type="hidden" name="sort" value={filter.sort} /> : null}
        {filter.order ? <input type="hidden" name="order" value={filter.order} /> : null}
        <button className="rounded border border-zinc-300 px-3 py-1 dark:border-zinc-600">Filter</button>
      </form>
      <RunsTable runs={runs} filter={filter} />
    </div>
  );
}
