import { ViewHeader } from "@/components/share/view-header";

export function GraphHeader({
  runId,
  runName,
  modelName,
  snapshot,
}: {
  runId: string;
  runName: string;
  modelName: string;
  snapshot?: { createdAt: string; path: string };
}) {
  return (
    <ViewHeader runId={runId} runName={runName} title="Collaboration graph" snapshot={snapshot}>
      {modelName}: which experts work together. Experts are linked when they co-activate more often than chance under
      top-k routing (normalized lift), grouped into modularity communities.
    </ViewHeader>
  );
}
