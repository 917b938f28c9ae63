import type { Metadata } from "next";
import Link from "next/link";
import { BALANCE_SCALARS, type BalanceScalar } from "@/lib/analysis/balance";
import { pageRun, pageRunOrNull } from "@/lib/auth/page-viewer";
import { getDb } from "@/lib/db/client";
import { listCommittedUploads } from "@/lib/db/queries/runs";
import { getRunBalance } from "@/lib/runs/get-run-balance";
import { toRunView } from "@/lib/runs/run-view";
import { BalanceChart } from "@/components/runs/balance-chart";
import { RunSummary } from "@/components/runs/run-summary";
import { RunWarnings } from "@/components/runs/run-warnings";
import { UploadPanel } from "@/components/upload/upload-panel";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const run = await pageRunOrNull((await params).id);
  return { title: run?.name ?? "Run not found" };
}

/** V2: the run overview. */
export default async function RunPage({ params, searchParams }: Props) {
  const { id } = await params;
  const metricParam = [(await searchParams).metric].flat()[0];
  const metric: BalanceScalar = BALANCE_SCALARS.includes(metricParam as BalanceScalar) ? (metricParam as BalanceScalar) : "maxOverMean";
  const db = await getDb();
  const run = await pageRun(id);
  const view = toRunView(run, await listCommittedUploads(db, id));
  const balance = await getRunBalance(db, run);
  return (
    <div className="flex flex-col gap-6">
      <RunSummary run={view} />
      {run.tokens > 0 ? (
        <>
          <div className="flex gap-3">
            <Link href={`/runs/${id}/layers/0`} className="rounded bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-700">
              Explore co-activation by layer →
            </Link>
            <Link href={`/runs/${id}/placement`} className="rounded border border-indigo-600 px-3 py-2 text-sm font-medium text-indigo-700 hover:bg-indigo-50 dark:text-indigo-300 dark:hover:bg-indigo-950">
              Expert-parallel placement →
            </Link>
          </div>
          <BalanceChart runId={id} balance={balance} metric={metric} />
          <HotDead runId={id} balance={balance} />
        </>
      ) : (
        <p className="text-zinc-600">Nothing counted yet: upload a trace below.</p>
      )}
      <RunWarnings warnings={view.warnings ?? []} />
      <UploadPanel runId={id} />
    </div>
  );
}

function HotDead({ runId, balance }: { runId: string; balance: Awaited<ReturnType<typeof getRunBalance>> }) {
  const rows = balance.layers.filter((l) => l.hot.length || l.dead.length);
  if (!rows.length) return <p className="text-sm">No hot or dead experts in any layer.</p>;
  return (
    <details className="text-sm">
      <summary className="cursor-pointer font-semibold">Hot and dead experts ({rows.length} layers)</summary>
      <table className="mt-2 text-xs">
        <thead>
          <tr className="text-left">
            <th className="pr-4">layer</th>
            <th className="pr-4">hot (≥ 2× mean load)</th>
            <th>dead (load 0)</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((l) => (
            <tr key={l.layer}>
              <td className="pr-4">
                <Link href={`/runs/${runId}/layers/${l.layer}`} className="text-indigo-600 underline">
                  {l.layer}
                </Link>
              </td>
              <td className="num pr-4">{l.hot.join(", ") || "—"}</td>
              <td className="num">{l.dead.join(", ") || "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
