import { queryOptions } from "@tanstack/react-query";
import { apiFetch } from "./api-fetch";
import type { PruningComparison, PruningRunsList, QuantResultsList } from "./api-types";
import { queryKeys } from "./query-keys";

export type { PruningComparison } from "./api-types";

export const pruningListQuery = (f: { model?: string; criterion?: string; schedule?: string }) => {
  const q = new URLSearchParams(Object.entries(f).filter(([, v]) => v) as [string, string][]);
  return queryOptions({
    queryKey: queryKeys.pruningRuns.list(f),
    queryFn: () => apiFetch<PruningRunsList>(`/api/pruning-runs?${q}`),
  });
};

export const pruningCompareQuery = (ids: string[]) =>
  queryOptions({
    queryKey: queryKeys.pruningRuns.compare(ids),
    queryFn: () =>
      apiFetch<PruningComparison>(`/api/pruning-runs/compare?${new URLSearchParams({ ids: ids.join(",") })}`),
  });

export const quantListQuery = (model?: string) =>
  queryOptions({
    queryKey: queryKeys.quantResults.list(model),
    queryFn: () => apiFetch<QuantResultsList>(`/api/quant-results${model ? `?${new URLSearchParams({ model })}` : ""}`),
  });
