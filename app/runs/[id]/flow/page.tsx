import type { Metadata } from "next";
import { pageRun, pageRunOrNull } from "@/lib/auth/page-viewer";
import { CrossLayerFlow } from "@/components/flow/cross-layer-flow";
import { FlowHeader } from "@/components/flow/flow-header";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const run = await pageRunOrNull((await params).id);
  return { title: run ? `${run.name} · cross-layer flow` : "Run not found" };
}

/** V7: cross-layer flow (A7). */
export default async function FlowPage({ params }: Props) {
  const { id } = await params;
  const run = await pageRun(id);
  return (
    <div className="flex flex-col gap-4">
      <FlowHeader runId={id} runName={run.name} modelName={run.model.name} />
      <CrossLayerFlow runId={id} layers={run.model.config.layers} experts={run.model.config.experts} />
    </div>
  );
}
