import Link from "next/link";
import { ShareButton } from "@/components/share/share-button";
import { SnapshotBanner } from "@/components/share/view-header";

export function CompareManyHeader({ snapshot }: { snapshot?: { createdAt: string; path: string } }) {
  return (
    <div className="flex flex-col gap-2">
      {snapshot ? <SnapshotBanner {...snapshot} /> : null}
      <p className="text-sm">
        <Link href="/" className="text-indigo-600 hover:underline">
          ← runs
        </Link>
      </p>
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h1 className="text-2xl font-semibold">Compare runs</h1>
        {snapshot ? null : <ShareButton />}
      </div>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        2 to 8 runs of one model shape (A11): each run&apos;s per-layer curve, how far each run&apos;s expert loads are
        from the base run&apos;s at every layer, and one layer of every run on a shared colour scale.
      </p>
    </div>
  );
}
