import type { Metadata } from "next";
import { pageRun, pageRunOrNull } from "@/lib/auth/page-viewer";
import { PlacementHeader } from "@/components/placement/placement-header";
import { PlacementLab } from "@/components/placement/placement-lab";
import { getDb } from "@/lib/db/client";
import { runHasLogits } from "@/lib/runs/run-simulation";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const run = await pageRunOrNull((await params).id);
  return { title: run ? `${run.name} · placement` : "Run not found" };
}

/** V6: how many devices a token's all-to-all reaches under each placement, and what C2R or device-limited routing would change. */
export default async function PlacementPage({ params }: Props) {
  const { id } = await params;
  const run = await pageRun(id);
  const { experts, layers, topK } = run.model.config;
  // Why Simulate is disabled, if it is: every simulation re-routes tokens from their stored logits.
  const noLogits =
    run.events === 0
      ? "this run holds aggregates only (no raw events, so no router logits)"
      : !(await runHasLogits(await getDb(), id))
        ? "this run's events carry no router logits (top-k ids only)"
        : undefined;
  return (
    <div className="flex flex-col gap-4">
      <PlacementHeader runId={id} runName={run.name} modelName={run.model.name} experts={experts} />
      <PlacementLab runId={id} experts={experts} layers={layers} topK={topK} noLogits={noLogits} />
    </div>
  );
}
