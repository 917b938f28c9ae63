import Link from "next/link";
import { SnapshotBanner } from "@/components/share/view-header";
import { ShareButton } from "@/components/share/share-button";

/** The series page's header: its name and model, Share (or, on a snapshot, what it pins). */
export function SeriesHeader({
  series,
  modelName,
  snapshot,
}: {
  series: string;
  modelName: string;
  snapshot?: { createdAt: string; path: string };
}) {
  return (
    <div className="flex flex-col gap-2">
      {snapshot ? <SnapshotBanner {...snapshot} /> : null}
      <p className="text-sm">
        <Link href="/" className="text-indigo-600 hover:underline">
          ← all runs
        </Link>
      </p>
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h1 className="text-2xl font-semibold">Series {series}</h1>
        {snapshot ? null : <ShareButton />}
      </div>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        {modelName}: how routing changes over training, one run per checkpoint (step). Only the steps you may read are
        shown; router saturation is measured against the last of them.
      </p>
    </div>
  );
}
