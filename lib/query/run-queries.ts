import { queryOptions } from "@tanstack/react-query";
import type { Normalization } from "@/lib/analysis/coactivation";
import { apiFetch } from "./api-fetch";
import type {
  Comparison,
  ExpertsView,
  ManyComparison,
  ExpertView,
  FlowView,
  LayerGroups,
  LayerView,
  RunsList,
} from "./api-types";
import { queryKeys } from "./query-keys";

/** queryOptions factories: keys from the one factory, answers typed by the endpoints' response schemas; shared by server prefetch and client. */
export const layerQuery = (runId: string, layer: number, normalization: Normalization) =>
  queryOptions({
    queryKey: queryKeys.runs.layer(runId, layer, normalization),
    queryFn: () => apiFetch<LayerView>(`/api/runs/${runId}/layers/${layer}?normalization=${normalization}`),
  });

/** A layer with its transitions to the next layer (V7). */
export const transitionsQuery = (runId: string, layer: number) =>
  queryOptions({
    queryKey: queryKeys.runs.transitions(runId, layer),
    queryFn: () => apiFetch<LayerView>(`/api/runs/${runId}/layers/${layer}?include=transitions`),
  });

export const groupsQuery = (runId: string, layer: number) =>
  queryOptions({
    queryKey: queryKeys.runs.groups(runId, layer),
    queryFn: () => apiFetch<LayerGroups>(`/api/runs/${runId}/layers/${layer}/groups`),
  });

export const expertQuery = (runId: string, expert: number, topT: number) =>
  queryOptions({
    queryKey: queryKeys.runs.expert(runId, expert, topT),
    queryFn: () => apiFetch<ExpertView>(`/api/runs/${runId}/experts/${expert}?topT=${topT}`),
  });

export const expertsQuery = (runId: string, layer: number, topT: number) =>
  queryOptions({
    queryKey: queryKeys.runs.experts(runId, layer, topT),
    queryFn: () => apiFetch<ExpertsView>(`/api/runs/${runId}/experts?layer=${layer}&topT=${topT}`),
  });

export const flowQuery = (runId: string) =>
  queryOptions({
    queryKey: queryKeys.runs.flow(runId),
    queryFn: () => apiFetch<FlowView>(`/api/runs/${runId}/flow`),
  });

export const compareQuery = (a: string, b: string, layer: number, paired: boolean) =>
  queryOptions({
    queryKey: queryKeys.compare(a, b, layer, paired),
    queryFn: () =>
      apiFetch<Comparison>(
        `/api/compare?${new URLSearchParams({ a, b, layer: String(layer), ...(paired ? { paired: "1" } : {}) })}`,
      ),
    staleTime: 60_000,
    retry: false,
  });

/** 2 to 8 runs against a base (the N-run comparison view). */
export const compareManyQuery = (runs: readonly string[], base: string, paired: boolean) =>
  queryOptions({
    queryKey: queryKeys.compareMany(runs, base, paired),
    queryFn: () =>
      apiFetch<ManyComparison>(`/api/compare?runs=${runs.join(",")}&base=${base}${paired ? "&paired=1" : ""}`),
    staleTime: 60_000,
    retry: false,
  });

export const runsListQuery = () =>
  queryOptions({
    queryKey: queryKeys.runs.list(),
    queryFn: () => apiFetch<RunsList>("/api/runs"),
  });
