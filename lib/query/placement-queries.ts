import { queryOptions } from "@tanstack/react-query";
import type { computePlacement, PlacementStrategy } from "@/lib/runs/compute-placement";
import { apiFetch } from "./api-fetch";

export type PlacementResult = Awaited<ReturnType<typeof computePlacement>>;

export const placementQuery = (runId: string, devices: number, strategy: PlacementStrategy) =>
  queryOptions({
    queryKey: ["runs", runId, "placement", devices, strategy],
    queryFn: () =>
      apiFetch<PlacementResult>(`/api/runs/${runId}/placement`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ devices, strategy }),
      }),
    staleTime: Infinity,
  });
