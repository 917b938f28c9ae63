import { queryOptions } from "@tanstack/react-query";
import type { PlacementStrategy } from "@/lib/runs/compute-placement";
import type { PlanBody, SimulationBody } from "@/lib/url/placement-view-state";
import { apiFetch } from "./api-fetch";
import type { PlacementResult, PlanResult, SimulationResult } from "./api-types";
import { queryKeys } from "./query-keys";

export type { PlacementResult, PlanResult, SimulationResult } from "./api-types";

const post = (body: unknown) => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

/** The device bound applies to the optimizer only; other strategies ignore it, so it stays out of their keys. */
export const placementQuery = (runId: string, devices: number, strategy: PlacementStrategy, maxImbalance?: number) => {
  const bound = strategy === "optimized" ? maxImbalance : undefined;
  return queryOptions({
    queryKey: queryKeys.runs.placement(runId, devices, strategy, bound ?? null),
    queryFn: () =>
      apiFetch<PlacementResult>(
        `/api/runs/${runId}/placement`,
        post({ devices, strategy, ...(bound ? { maxImbalance: bound } : {}) }),
      ),
    staleTime: Infinity,
  });
};

export const simulationQuery = (runId: string, body: SimulationBody) =>
  queryOptions({
    queryKey: queryKeys.runs.simulation(runId, body),
    queryFn: () => apiFetch<SimulationResult>(`/api/runs/${runId}/simulations`, post(body)),
    staleTime: Infinity,
    retry: false,
  });

export const planQuery = (runId: string, body: PlanBody) =>
  queryOptions({
    queryKey: queryKeys.runs.plan(runId, body),
    queryFn: () => apiFetch<PlanResult>(`/api/runs/${runId}/plan`, post(body)),
    staleTime: Infinity,
    retry: false,
  });
