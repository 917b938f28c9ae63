import type { Metadata } from "next";
import Link from "next/link";
import { pageRun, pageRunOrNull } from "@/lib/auth/page-viewer";
import { PlacementLab } from "@/components/placement/placement-lab";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const run = await pageRunOrNull((await params).id);
  return { title: run ? `${run.name} · placement` : "Run not found" };
}

/** V6, placement part: how many devices a token's all-to-all reaches under each placement. */
export default async function PlacementPage({ params }: Props) {
  const { id } = await params;
  const run = await pageRun(id);
  const { experts, layers, topK } = run.model.config;
  return (
    <div className="flex flex-col gap-4">
      <div>
        <p className="text-sm">
          <Link href={`/runs/${id}`} className="text-indigo-600 hover:underline">
            ← {run.name}
          </Link>
        </p>
        <h1 className="text-2xl font-semibold">Expert-parallel placement</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          {run.model.name}: {experts} experts per layer placed on devices. Contiguous and round-robin ignore routing; greedy is Occult&apos;s collaboration grouping; optimized is
          our swap search started from all three, never worse than greedy on any layer.
        </p>
      </div>
      <PlacementLab runId={id} experts={experts} layers={layers} topK={topK} />
    </div>
  );
}
