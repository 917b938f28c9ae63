import { ViewHeader } from "@/components/share/view-header";

export function PlacementHeader({ runId, runName, modelName, experts, snapshot }: { runId: string; runName: string; modelName: string; experts: number; snapshot?: { createdAt: string; path: string } }) {
  return (
    <ViewHeader runId={runId} runName={runName} title="Placement & C2R lab" snapshot={snapshot}>
      {modelName}: {experts} experts per layer placed on devices. Contiguous and round-robin ignore routing; greedy is Occult&apos;s collaboration grouping; optimized is our swap
      search started from all three, never worse than greedy on any layer.
    </ViewHeader>
  );
}
