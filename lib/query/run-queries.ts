import { queryOptions } from "@tanstack/react-query";
import type { Normalization } from "@/lib/analysis/coactivation";
import type { LayerView } from "@/lib/runs/get-layer-view";
import { apiFetch } from "./api-fetch";

/** queryOptions factories: one place for keys and fetchers, shared by server prefetch and client. */
export const layerQuery = (runId: string, layer: number, normalization: Normalization) =>
  queryOptions({
    queryKey: ["runs", runId, "layers", layer, normalization],
    queryFn: () => apiFetch<LayerView>(`/api/runs/${runId}/layers/${layer}?normalization=${normalization}`),
  });
