import Link from "next/link";
import { pageViewer } from "@/lib/auth/page-viewer";
import { getDb } from "@/lib/db/client";
import { listRuns } from "@/lib/db/queries/runs";
import { MODEL_PRESETS } from "@/lib/models/presets";
import { POLICY_KINDS } from "@/lib/runs/run-policy";
import { toRunView } from "@/lib/runs/run-view";
import { parseRunsIndexState } from "@/lib/url/runs-index-state";
import { RunsTable } from "@/components/runs/runs-table";

export const dynamic = "force-dynamic";

/** V1: the runs index, filtered, sorted and paged on the server by what the URL says (lib/url/runs-index-state.ts). */
export default async function RunsIndexPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const raw = await searchParams;
  const filter = parseRunsIndexState(
    new URLSearchParams(Object.entries(raw).flatMap(([k, v]) => (v === undefined ? [] : [[k, [v].flat()[0]]]))),
  );
  const page = await listRuns(
    await getDb(),
    { ...filter, limit: filter.per, offset: (filter.page - 1) * filter.per },
    await pageViewer(),
  );
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
        <input
          name="series"
          defaultValue={filter.series}
          placeholder="series"
          aria-label="filter by series"
          className="w-32 rounded border border-zinc-300 px-2 py-1 dark:border-zinc-600 dark:bg-zinc-800"
        />
        {/* What the filter form does not change stays: sort, page size, columns, grouping (a new filter starts at page 1). */}
        {filter.sort ? <input type="hidden" name="sort" value={filter.sort} /> : null}
        {filter.order ? <input type="hidden" name="order" value={filter.order} /> : null}
        {filter.per !== 50 ? <input type="hidden" name="per" value={filter.per} /> : null}
        {raw.cols ? <input type="hidden" name="cols" value={filter.cols.join(",")} /> : null}
        {filter.group ? <input type="hidden" name="group" value={filter.group} /> : null}
        <button className="rounded border border-zinc-300 px-3 py-1 dark:border-zinc-600">Filter</button>
      </form>
      <RunsTable runs={page.runs.map((r) => toRunView(r))} total={page.total} state={filter} />
    </div>
  );
}
