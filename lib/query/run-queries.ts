import { queryOptions } from "@tanstack/react-query";
import type { Normalization } from "@/lib/analysis/coactivation";
import type { Comparison } from "@/lib/runs/compare-runs";
import type { ExpertView } from "@/lib/runs/get-expert-view";
import type { ExpertsView } from "@/lib/runs/get-experts-view";
import type { RunView } from "@/lib/runs/run-view";
import type { FlowView } from "@/lib/runs/get-flow-view";
import type { LayerGroups } from "@/lib/runs/get-layer-groups";
import type { LayerView } from "@/lib/runs/get-layer-view";
import { apiFetch } from "./api-fetch";

/** queryOptions factories: one place for keys and fetchers, shared by server prefetch and client. */
export const layerQuery = (runId: string, layer: number, normalization: Normalization) =>
  queryOptions({
    queryKey: ["runs", runId, "layers", layer, normalization],
    queryFn: () => apiFetch<LayerView>(`/api/runs/${runId}/layers/${layer}?normalization=${normalization}`),
  });

/** A layer with its transitions to the next layer (V7). */
export const transitionsQuery = (runId: string, layer: number) =>
  queryOptions({
    queryKey: ["runs", runId, "layers", layer, "with-transitions"],
    queryFn: () => apiFetch<LayerView>(`/api/runs/${runId}/layers/${layer}?include=transitions`),
  });

export const groupsQuery = (runId: string, layer: number) =>
  queryOptions({
    queryKey: ["runs", runId, "layers", layer, "groups"],
    queryFn: () => apiFetch<LayerGroups>(`/api/runs/${runId}/layers/${layer}/groups`),
  });

export const expertQuery = (runId: string, expert: number, topT: number) =>
  queryOptions({
    queryKey: ["runs", runId, "experts", expert, topT],
    queryFn: () => apiFetch<ExpertView>(`/api/runs/${runId}/experts/${expert}?topT=${topT}`),
  });

export const expertsQuery = (runId: string, layer: number, topT: number) =>
  queryOptions({
    queryKey: ["runs", runId, "experts-of-layer", layer, topT],
    queryFn: () => apiFetch<ExpertsView>(`/api/runs/${runId}/experts?layer=${layer}&topT=${topT}`),
  });

export const flowQuery = (runId: string) =>
  queryOptions({
    queryKey: ["runs", runId, "flow"],
    queryFn: () => apiFetch<FlowView>(`/api/runs/${runId}/flow`),
  });

export const compareQuery = (a: string, b: string, layer: number, paired: boolean) =>
  queryOptions({
    queryKey: ["compare", a, b, layer, paired],
    queryFn: () => apiFetch<Comparison>(`/api/compare?a=${a}&b=${b}&layer=${layer}${paired ? "&paired=1" : ""}`),
    staleTime: 60_000,
    retry: false,
  });

export const runsListQuery = () =>
  queryOptions({
    queryKey: ["runs", "list"],
    queryFn: () => apiFetch<{ runs: RunView[] }>("/api/runs"),
  });
