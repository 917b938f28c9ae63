import type { Metadata } from "next";
import { pageRun, pageRunOrNull } from "@/lib/auth/page-viewer";
import { CollaborationGraph } from "@/components/graph/collaboration-graph";
import { GraphHeader } from "@/components/graph/graph-header";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const run = await pageRunOrNull((await params).id);
  return { title: run ? `${run.name} · collaboration graph` : "Run not found" };
}

/** V5: the collaboration graph and entropy vs load. */
export default async function GraphPage({ params }: Props) {
  const { id } = await params;
  const run = await pageRun(id);
  return (
    <div className="flex flex-col gap-4">
      <GraphHeader runId={id} runName={run.name} modelName={run.model.name} />
      <CollaborationGraph runId={id} layers={run.model.config.layers} />
    </div>
  );
}
