import Link from "next/link";
import { ShareButton } from "@/components/share/share-button";
import { SnapshotBanner } from "@/components/share/view-header";

export function CompareHeader({ snapshot }: { snapshot?: { createdAt: string; path: string } }) {
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
        Two runs of the same model shape (A11): how far their expert loads and co-activations diverge per layer and, for
        two routings of the same tokens, how many tokens changed experts.
      </p>
    </div>
  );
}
