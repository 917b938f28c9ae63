import { ViewHeader } from "@/components/share/view-header";

export function ExpertHeader({
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
    <ViewHeader runId={runId} runName={runName} title="Expert across layers" snapshot={snapshot}>
      {modelName}: one expert id at every MoE layer (each layer&apos;s expert is its own weights): how much it is used,
      with whom it co-activates, which labels it serves.
    </ViewHeader>
  );
}
