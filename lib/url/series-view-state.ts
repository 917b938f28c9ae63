import { z } from "zod";
import { SERIES_METRICS, SERIES_PLACEMENTS } from "@/lib/analysis/series-metrics";
/** What the layer x step heatmap shows: a per-layer metric, or router saturation. */
export const SERIES_HEATMAPS = [...SERIES_METRICS, "saturation"] as const;
export type SeriesHeatmap = (typeof SERIES_HEATMAPS)[number];

/**
 * The series page's state in the URL. `run` is a run of the series that a share of the page is
 * anchored to (the page puts the last step the reader can read there); the rest say what is drawn.
 */
export const seriesViewStateSchema = z.object({
  run: z
    .string()
    .regex(/^[a-z0-9]{1,64}$/)
    .optional()
    .catch(undefined),
  heatmap: z.enum(SERIES_HEATMAPS).catch("gini"),
  placement: z.enum(SERIES_PLACEMENTS).catch("contiguous"),
  devices: z.coerce.number().int().min(1).max(4096).catch(4),
  topT: z.coerce.number().int().min(0).max(4096).catch(2),
});
export type SeriesViewState = z.infer<typeof seriesViewStateSchema>;

export function parseSeriesViewState(search: URLSearchParams): SeriesViewState {
  return seriesViewStateSchema.parse({
    run: search.get("run") ?? undefined,
    heatmap: search.get("heatmap") ?? undefined,
    placement: search.get("placement") ?? undefined,
    devices: search.get("devices") ?? undefined,
    topT: search.get("topT") ?? undefined,
  });
}

export function seriesHref(series: string, s: SeriesViewState): string {
  const q = new URLSearchParams();
  if (s.run) q.set("run", s.run);
  q.set("heatmap", s.heatmap);
  q.set("placement", s.placement);
  q.set("devices", String(s.devices));
  q.set("topT", String(s.topT));
  return `/series/${encodeURIComponent(series)}?${q}`;
}
