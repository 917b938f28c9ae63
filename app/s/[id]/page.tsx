import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getDb } from "@/lib/db/client";
import { getShare } from "@/lib/db/queries/shares";
import { pageViewer } from "@/lib/auth/page-viewer";
import type { RunBalance } from "@/lib/runs/get-run-balance";
import type { PinnedView } from "@/lib/share/pin-view";
import { parseViewPath } from "@/lib/url/view-path";
import { CompareHeader } from "@/components/compare/compare-header";
import { CompareRuns } from "@/components/compare/compare-runs";
import { ExpertHeader } from "@/components/experts/expert-header";
import { ExpertView } from "@/components/experts/expert-view";
import { CrossLayerFlow } from "@/components/flow/cross-layer-flow";
import { FlowHeader } from "@/components/flow/flow-header";
import { CollaborationGraph } from "@/components/graph/collaboration-graph";
import { GraphHeader } from "@/components/graph/graph-header";
import { LayerExplorer } from "@/components/layer/layer-explorer";
import { LayerHeader } from "@/components/layer/layer-header";
import { PlacementHeader } from "@/components/placement/placement-header";
import { PlacementLab } from "@/components/placement/placement-lab";
import { parseMetric, RunOverview } from "@/components/runs/run-overview";
import { SnapshotProvider } from "@/components/share/view-location";
import { LabelSpecialization } from "@/components/specialization/label-specialization";
import { SpecializationHeader } from "@/components/specialization/specialization-header";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

async function loadShare(id: string) {
  const share = await getShare(await getDb(), id, await pageViewer());
  const view = share && parseViewPath(share.path);
  return share && view ? { share, view, pinned: share.snapshot as PinnedView } : null;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const s = await loadShare((await params).id);
  return { title: s ? `${s.pinned.run.name} · snapshot` : "Share not found" };
}

/**
 * V12: a share link: what was pinned, never recomputed. It is as visible as the runs it shows
 * (public and unlisted runs: anyone with the link; a private run: its owner and admin tokens).
 */
export default async function SharePage({ params, searchParams }: Props) {
  const { id } = await params;
  const s = await loadShare(id);
  if (!s) notFound();
  const { share, view, pinned } = s;
  const run = pinned.run;
  const snapshot = { shareId: share.id, pathname: view.pathname, search: view.search, createdAt: share.createdAt.toISOString() };
  const banner = { createdAt: snapshot.createdAt, path: share.path };
  switch (view.kind) {
    case "overview": {
      const metric = parseMetric((await searchParams).metric ?? new URLSearchParams(view.search).get("metric") ?? undefined);
      return <RunOverview view={run} balance={pinned.props!.balance as RunBalance} metric={metric} snapshot={{ id: share.id, ...banner }} />;
    }
    case "layer":
      return (
        <div className="flex flex-col gap-4">
          <LayerHeader runId={run.id} runName={run.name} modelName={run.model.name} topK={run.model.topK} snapshot={banner} />
          <SnapshotProvider snapshot={snapshot} pinned={pinned.queries}>
            <LayerExplorer runId={run.id} layers={run.model.layers} />
          </SnapshotProvider>
        </div>
      );
    case "expert":
      return (
        <div className="flex flex-col gap-4">
          <ExpertHeader runId={run.id} runName={run.name} modelName={run.model.name} snapshot={banner} />
          <SnapshotProvider snapshot={snapshot} pinned={pinned.queries}>
            <ExpertView runId={run.id} experts={run.model.experts} layers={run.model.layers} />
          </SnapshotProvider>
        </div>
      );
    case "graph":
      return (
        <div className="flex flex-col gap-4">
          <GraphHeader runId={run.id} runName={run.name} modelName={run.model.name} snapshot={banner} />
          <SnapshotProvider snapshot={snapshot} pinned={pinned.queries}>
            <CollaborationGraph runId={run.id} layers={run.model.layers} />
          </SnapshotProvider>
        </div>
      );
    case "specialization":
      return (
        <div className="flex flex-col gap-4">
          <SpecializationHeader runId={run.id} runName={run.name} modelName={run.model.name} snapshot={banner} />
          <SnapshotProvider snapshot={snapshot} pinned={pinned.queries}>
            <LabelSpecialization runId={run.id} layers={run.model.layers} />
          </SnapshotProvider>
        </div>
      );
    case "flow":
      return (
        <div className="flex flex-col gap-4">
          <FlowHeader runId={run.id} runName={run.name} modelName={run.model.name} snapshot={banner} />
          <SnapshotProvider snapshot={snapshot} pinned={pinned.queries}>
            <CrossLayerFlow runId={run.id} layers={run.model.layers} experts={run.model.experts} />
          </SnapshotProvider>
        </div>
      );
    case "compare":
      return (
        <div className="flex flex-col gap-4">
          <CompareHeader snapshot={banner} />
          <SnapshotProvider snapshot={snapshot} pinned={pinned.queries}>
            <CompareRuns />
          </SnapshotProvider>
        </div>
      );
    case "placement":
      return (
        <div className="flex flex-col gap-4">
          <PlacementHeader runId={run.id} runName={run.name} modelName={run.model.name} experts={run.model.experts} snapshot={banner} />
          <SnapshotProvider snapshot={snapshot} pinned={pinned.queries}>
            <PlacementLab runId={run.id} experts={run.model.experts} layers={run.model.layers} topK={run.model.topK} />
          </SnapshotProvider>
        </div>
      );
  }
}
