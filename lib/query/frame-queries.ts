import { queryOptions } from "@tanstack/react-query";
import type { Normalization } from "@/lib/analysis/coactivation";
import type { Comparison } from "./api-types";
import { decodeCompareFrame } from "@/lib/wire/compare-frame";
import { decodeLayerFrame } from "@/lib/wire/layer-frame";
import { ApiRequestError } from "./api-fetch";

/** GET a binary frame: the body into one ArrayBuffer; errors keep the API's JSON error contract. */
export async function fetchFrame(path: string): Promise<ArrayBuffer> {
  const res = await fetch(path);
  if (!res.ok) {
    const e = (await res.json().catch(() => null))?.error;
    throw new ApiRequestError(
      res.status,
      e?.code ?? "http_error",
      e?.message ?? `${res.status} ${res.statusText}`,
      e?.where,
    );
  }
  return res.arrayBuffer();
}

/** A layer as typed arrays (GET .../layers/{layer}/frame): the explorer's and the graph's data. */
export const layerFrameQuery = (runId: string, layer: number, normalization: Normalization) =>
  queryOptions({
    queryKey: ["runs", runId, "layers", layer, normalization, "frame"],
    queryFn: async () =>
      decodeLayerFrame(await fetchFrame(`/api/runs/${runId}/layers/${layer}/frame?normalization=${normalization}`)),
  });

/** A layer with its transitions to the next layer (V7), as typed arrays. */
export const transitionsFrameQuery = (runId: string, layer: number) =>
  queryOptions({
    queryKey: ["runs", runId, "layers", layer, "with-transitions", "frame"],
    queryFn: async () =>
      decodeLayerFrame(await fetchFrame(`/api/runs/${runId}/layers/${layer}/frame?include=transitions`)),
  });

/** The comparison of two runs (GET /api/compare/frame), its layer's matrices as typed arrays. */
export const compareFrameQuery = (a: string, b: string, layer: number, paired: boolean) =>
  queryOptions({
    queryKey: ["compare", a, b, layer, paired, "frame"],
    queryFn: async () =>
      decodeCompareFrame<Comparison>(
        await fetchFrame(`/api/compare/frame?a=${a}&b=${b}&layer=${layer}${paired ? "&paired=1" : ""}`),
      ),
    staleTime: 60_000,
    retry: false,
  });
