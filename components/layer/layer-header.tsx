import { ViewHeader } from "@/components/share/view-header";

export function LayerHeader({
  runId,
  runName,
  modelName,
  topK,
  snapshot,
}: {
  runId: string;
  runName: string;
  modelName: string;
  topK: number;
  snapshot?: { createdAt: string; path: string };
}) {
  return (
    <ViewHeader runId={runId} runName={runName} title="Expert co-activation" snapshot={snapshot}>
      {modelName}: cell (i, j) counts the tokens whose top-{topK} included both expert i and expert j.
    </ViewHeader>
  );
}
