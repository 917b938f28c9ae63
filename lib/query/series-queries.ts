import { queryOptions } from "@tanstack/react-query";
import type { Normalization } from "@/lib/analysis/coactivation";
import type { SeriesLayer, SeriesView } from "./api-types";
import { apiFetch } from "./api-fetch";
import { queryKeys } from "./query-keys";

export const seriesQuery = (series: string, placement: string, devices: number, topT: number) =>
  queryOptions({
    queryKey: queryKeys.series(series, placement, devices, topT),
    queryFn: () =>
      apiFetch<SeriesView>(
        `/api/series/${encodeURIComponent(series)}?placement=${placement}&devices=${devices}&topT=${topT}`,
      ),
  });

export const seriesLayerQuery = (series: string, layer: number, normalization: Normalization) =>
  queryOptions({
    queryKey: queryKeys.seriesLayer(series, layer, normalization),
    queryFn: () =>
      apiFetch<SeriesLayer>(`/api/series/${encodeURIComponent(series)}/layers/${layer}?normalization=${normalization}`),
  });
