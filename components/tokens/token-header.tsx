import { ViewHeader } from "@/components/share/view-header";

export function TokenHeader({
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
    <ViewHeader runId={runId} runName={runName} title="Tokens" snapshot={snapshot}>
      {modelName}: a sequence&apos;s text coloured by routing, each token&apos;s route through the layers, where a token
      goes.
    </ViewHeader>
  );
}
