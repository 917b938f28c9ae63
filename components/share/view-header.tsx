import Link from "next/link";
import type { ReactNode } from "react";
import { ShareButton } from "./share-button";

/**
 * The header of a run's view: back to the run, title, what the view shows, and Share; on a
 * snapshot, the banner saying what it pins instead of the Share button.
 */
export function ViewHeader({
  runId,
  runName,
  title,
  snapshot,
  children,
}: {
  runId: string;
  runName: string;
  title: string;
  snapshot?: { createdAt: string; path: string };
  children?: ReactNode;
}) {
  return (
    <div className="flex flex-col gap-2">
      {snapshot ? <SnapshotBanner {...snapshot} /> : null}
      <p className="text-sm">
        <Link href={`/runs/${runId}`} className="text-indigo-600 hover:underline">
          ← {runName}
        </Link>
      </p>
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h1 className="text-2xl font-semibold">{title}</h1>
        {snapshot ? null : <ShareButton />}
      </div>
      {children ? <div className="text-sm text-zinc-600 dark:text-zinc-400">{children}</div> : null}
    </div>
  );
}

export function SnapshotBanner({ createdAt, path }: { createdAt: string; path: string }) {
  return (
    <p
      role="note"
      data-testid="snapshot-banner"
      className="rounded border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-200"
    >
      Snapshot taken {new Date(createdAt).toISOString().replace("T", " ").slice(0, 16)} UTC: it shows the data as it was
      then, whatever was uploaded since.{" "}
      <Link href={path} className="font-medium underline">
        Open the live view
      </Link>
    </p>
  );
}
