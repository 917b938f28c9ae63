import type { ReactNode } from "react";
import Link from "next/link";
import { BALANCE_SCALARS, type BalanceScalar } from "@/lib/analysis/balance";
import type { RunBalance } from "@/lib/query/api-types";
import type { RunView } from "@/lib/query/api-types";
import { ShareButton } from "@/components/share/share-button";
import { ExpertIds } from "@/components/experts/expert-ids";
import { SnapshotBanner } from "@/components/share/view-header";
import { BalanceChart } from "./balance-chart";
import { LoadHeatmap } from "./load-heatmap";
import { RunSummary } from "./run-summary";
import { RunWarnings } from "./run-warnings";

/** The ?metric= of the overview, defaulting to max/mean. */
export function parseMetric(value: string | string[] | undefined): BalanceScalar {
  const m = [value].flat()[0];
  return BALANCE_SCALARS.includes(m as BalanceScalar) ? (m as BalanceScalar) : "maxOverMean";
}

const secondary =
  "rounded border border-indigo-600 px-3 py-2 text-sm font-medium text-indigo-700 hover:bg-indigo-50 dark:text-indigo-300 dark:hover:bg-indigo-950";

/** V2 body, drawn from data: the live run page and its share snapshot both render it. */
export function RunOverview({
  view,
  balance,
  metric,
  snapshot,
  actions,
  children,
}: {
  view: RunView;
  balance: RunBalance;
  metric: BalanceScalar;
  snapshot?: { id: string; createdAt: string; path: string };
  actions?: ReactNode;
  children?: ReactNode;
}) {
  const id = view.id;
  return (
    <div className="flex flex-col gap-6">
      {snapshot ? <SnapshotBanner createdAt={snapshot.createdAt} path={snapshot.path} /> : null}
      <RunSummary run={view} />
      {snapshot ? null : <ShareButton />}
      {actions}
      {view.tokens > 0 ? (
        <>
          <div className="flex flex-wrap gap-3">
            <Link
              href={`/runs/${id}/layers/0`}
              className="rounded bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-700"
            >
              Explore co-activation by layer →
            </Link>
            <Link href={`/runs/${id}/graph`} className={secondary}>
              Collaboration graph →
            </Link>
            <Link href={`/runs/${id}/flow`} className={secondary}>
              Cross-layer flow →
            </Link>
            {view.labels.length ? (
              <Link href={`/runs/${id}/specialization`} className={secondary}>
                Domain specialization →
              </Link>
            ) : null}
            <Link href={`/runs/${id}/layers/0#layer-experts`} className={secondary}>
              Experts by layer →
            </Link>
            <Link href={`/runs/${id}/tokens`} className={secondary}>
              Tokens →
            </Link>
            <Link
              href={`/runs/${id}/placement`}
              className="rounded border border-indigo-600 px-3 py-2 text-sm font-medium text-indigo-700 hover:bg-indigo-50 dark:text-indigo-300 dark:hover:bg-indigo-950"
            >
              Placement &amp; C2R lab →
            </Link>
          </div>
          <BalanceChart
            runId={id}
            balance={balance}
            metric={metric}
            basePath={snapshot ? `/s/${snapshot.id}` : undefined}
          />
          <LoadHeatmap runId={id} balance={balance} />
          <HotDead runId={id} balance={balance} />
        </>
      ) : (
        <p className="text-zinc-600">Nothing counted yet: upload a trace below.</p>
      )}
      <RunWarnings warnings={view.warnings ?? []} />
      {children}
    </div>
  );
}

function HotDead({ runId, balance }: { runId: string; balance: RunBalance }) {
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
              <td className="pr-4">
                <ExpertIds runId={runId} layer={l.layer} experts={l.hot} />
              </td>
              <td>
                <ExpertIds runId={runId} layer={l.layer} experts={l.dead} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
