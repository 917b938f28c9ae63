import { ViewHeader } from "@/components/share/view-header";

export function SpecializationHeader({
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
    <ViewHeader runId={runId} runName={runName} title="Domain specialization" snapshot={snapshot}>
      {modelName}: which experts each label (domain, task, dataset) relies on, against an even spread.
    </ViewHeader>
  );
}
