import { queryOptions } from "@tanstack/react-query";
import { apiFetch } from "./api-fetch";
import type { ExpertTokens, LayerTokens, SequenceList, SequenceRoutes, TokenSearch } from "./api-types";
import { queryKeys } from "./query-keys";

/** The token answers (issue 15): keys from the one factory, shared by server prefetch, shares and client. */

/** The expert page's token panel: 25 tokens, the default minimum support. */
export const expertTokensQuery = (runId: string, expert: number, layer: number, by: "count" | "lift") =>
  queryOptions({
    queryKey: queryKeys.runs.expertTokens(runId, expert, layer, by),
    queryFn: () => apiFetch<ExpertTokens>(`/api/runs/${runId}/experts/${expert}/tokens?layer=${layer}&by=${by}`),
  });

export const layerTokensQuery = (runId: string, layer: number) =>
  queryOptions({
    queryKey: queryKeys.runs.layerTokens(runId, layer),
    queryFn: () => apiFetch<LayerTokens>(`/api/runs/${runId}/layers/${layer}/tokens`),
  });

export const tokenSearchQuery = (runId: string, q: string) =>
  queryOptions({
    queryKey: queryKeys.runs.tokenSearch(runId, q),
    queryFn: () => apiFetch<TokenSearch>(`/api/runs/${runId}/tokens?q=${encodeURIComponent(q)}`),
    enabled: q.trim().length > 0,
  });

export const sequencesQuery = (runId: string) =>
  queryOptions({
    queryKey: queryKeys.runs.sequences(runId),
    queryFn: () => apiFetch<SequenceList>(`/api/runs/${runId}/sequences`),
  });

/** The first 512 positions of a sequence with their routes. */
export const sequenceQuery = (runId: string, seq: number) =>
  queryOptions({
    queryKey: queryKeys.runs.sequence(runId, seq),
    queryFn: () => apiFetch<SequenceRoutes>(`/api/runs/${runId}/sequences/${seq}`),
  });
