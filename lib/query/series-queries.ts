import { queryOptions } from "@tanstack/react-query";
import type { SeriesView } from "./api-types";
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
