import { ViewHeader } from "@/components/share/view-header";

export function PlacementHeader({
  runId,
  runName,
  modelName,
  experts,
  snapshot,
}: {
  runId: string;
  runName: string;
  modelName: string;
  experts: number;
  snapshot?: { createdAt: string; path: string };
}) {
  return (
    <ViewHeader runId={runId} runName={runName} title="Placement & C2R lab" snapshot={snapshot}>
      {modelName}: {experts} experts per layer placed on devices. Contiguous and round-robin ignore routing; greedy is
      Occult&apos;s collaboration grouping; optimized is ours, never worse than greedy on any layer: for top-2 it
      maximizes co-located co-activation (exactly, by a maximum-weight matching, with two experts per device); beyond
      top-2 it minimizes C_T counted on the run&apos;s raw events by swaps until no swap lowers it (aggregate-only runs:
      co-location, a proxy). The note under the table says which.
    </ViewHeader>
  );
}
