import type { ReactNode } from "react";
import type { BalanceScalar } from "@/lib/analysis/balance";
import type { RunBalance } from "@/lib/query/api-types";
import type { RunView } from "@/lib/query/api-types";
import type { ViewKind } from "@/lib/views/registry";
import { CompareHeader } from "@/components/compare/compare-header";
import { CompareMany } from "@/components/compare/compare-many";
import { CompareManyHeader } from "@/components/compare/compare-many-header";
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
import { SeriesHeader } from "@/components/series/series-header";
import { SeriesView } from "@/components/series/series-view";
import { LabelSpecialization } from "@/components/specialization/label-specialization";
import { SpecializationHeader } from "@/components/specialization/specialization-header";
import { TokenHeader } from "@/components/tokens/token-header";
import { TokenView } from "@/components/tokens/token-view";

/** What a view's component is drawn with, on its live page and on a share. */
export interface ViewFrame {
  run: RunView;
  /** The entry's props answers (lib/views/registry.ts): computed for the live page, pinned on a share. */
  props: Record<string, unknown>;
  /** The query string of the request (on a share: of /s/<id>, where only what the answers do not depend on may change). */
  requestSearch: URLSearchParams;
  /** On a share: which, when it was pinned and the live view's path (for the banner). */
  snapshot?: { id: string; createdAt: string; path: string };
  /** What the live page shows beyond the view (the overview's manage, uploads and shares panels). */
  actions?: ReactNode;
  children?: ReactNode;
}

/**
 * A view drawn: its header (server-rendered, outside the query cache) and its body, which reads
 * its state through useViewLocation and its answers from the query cache (prefetched on the live
 * page, pinned on a share).
 */
export type ViewComponent = (frame: ViewFrame) => { header?: ReactNode; body: ReactNode };

const banner = (f: ViewFrame) => (f.snapshot ? { createdAt: f.snapshot.createdAt, path: f.snapshot.path } : undefined);
const named = (f: ViewFrame) => ({
  runId: f.run.id,
  runName: f.run.name,
  modelName: f.run.model.name,
  snapshot: banner(f),
});

/**
 * The component of each view in the registry, by kind. Apart from the registry because these are
 * React components (mostly client components) while the registry is server code that the share API
 * route and the tests load to compute answers from the database, and lib/ does not import components/.
 * `satisfies Record<ViewKind, …>`: a view added to the registry without its component does not compile.
 */
export const VIEW_COMPONENTS = {
  overview: (f) => ({
    body: (
      <RunOverview
        view={f.run}
        balance={f.props.balance as RunBalance}
        metric={parseMetric(f.requestSearch.get("metric") ?? undefined) as BalanceScalar}
        snapshot={f.snapshot}
        actions={f.actions}
      >
        {f.children}
      </RunOverview>
    ),
  }),
  layer: (f) => ({
    header: <LayerHeader {...named(f)} topK={f.run.model.topK} />,
    body: <LayerExplorer runId={f.run.id} layers={f.run.model.layers} series={f.run.series} />,
  }),
  placement: (f) => ({
    header: <PlacementHeader {...named(f)} experts={f.run.model.experts} />,
    body: (
      <PlacementLab
        runId={f.run.id}
        experts={f.run.model.experts}
        layers={f.run.model.layers}
        topK={f.run.model.topK}
        noLogits={f.props.noLogits as string | undefined}
      />
    ),
  }),
  expert: (f) => ({
    header: <ExpertHeader {...named(f)} />,
    body: <ExpertView runId={f.run.id} experts={f.run.model.experts} layers={f.run.model.layers} />,
  }),
  graph: (f) => ({
    header: <GraphHeader {...named(f)} />,
    body: <CollaborationGraph runId={f.run.id} layers={f.run.model.layers} />,
  }),
  flow: (f) => ({
    header: <FlowHeader {...named(f)} />,
    body: <CrossLayerFlow runId={f.run.id} layers={f.run.model.layers} experts={f.run.model.experts} />,
  }),
  specialization: (f) => ({
    header: <SpecializationHeader {...named(f)} />,
    body: <LabelSpecialization runId={f.run.id} layers={f.run.model.layers} />,
  }),
  tokens: (f) => ({
    header: <TokenHeader {...named(f)} />,
    body: <TokenView runId={f.run.id} layers={f.run.model.layers} experts={f.run.model.experts} />,
  }),
  compare: (f) => ({
    header: <CompareHeader snapshot={banner(f)} />,
    body: <CompareRuns />,
  }),
  "compare-many": (f) => ({
    header: <CompareManyHeader snapshot={banner(f)} />,
    body: <CompareMany />,
  }),
  series: (f) => ({
    header: <SeriesHeader series={f.run.series ?? ""} modelName={f.run.model.name} snapshot={banner(f)} />,
    body: <SeriesView series={f.run.series ?? ""} />,
  }),
} satisfies Record<ViewKind, ViewComponent>;
