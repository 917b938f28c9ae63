import { ViewHeader } from "@/components/share/view-header";

export function FlowHeader({
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
    <ViewHeader runId={runId} runName={runName} title="Cross-layer flow" snapshot={snapshot}>
      {modelName}: where the tokens of each expert go at the next MoE layer, and how predictable that is.
    </ViewHeader>
  );
}
