import { queryOptions } from "@tanstack/react-query";
import type { comparePruningRuns } from "@/lib/pruning/compare-pruning";
import type { PruningRunView } from "@/lib/pruning/create-pruning-run";
import type { QuantResultView } from "@/lib/quant/quant-results";
import { apiFetch } from "./api-fetch";

export type PruningComparison = Awaited<ReturnType<typeof comparePruningRuns>>;

export const pruningListQuery = (f: { model?: string; criterion?: string; schedule?: string }) => {
  const q = new URLSearchParams(Object.entries(f).filter(([, v]) => v) as [string, string][]);
  return queryOptions({ queryKey: ["pruning-runs", f], queryFn: () => apiFetch<{ pruningRuns: PruningRunView[] }>(`/api/pruning-runs?${q}`) });
};

export const pruningCompareQuery = (ids: string[]) =>
  queryOptions({ queryKey: ["pruning-runs", "compare", ids], queryFn: () => apiFetch<PruningComparison>(`/api/pruning-runs/compare?ids=${ids.join(",")}`) });

export const quantListQuery = (model?: string) =>
  queryOptions({ queryKey: ["quant-results", model ?? null], queryFn: () => apiFetch<{ quantResults: QuantResultView[] }>(`/api/quant-results${model ? `?model=${model}` : ""}`) });
