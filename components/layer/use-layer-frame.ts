"use client";

import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useSyncExternalStore } from "react";
import type { Normalization } from "@/lib/analysis/coactivation";
import { layerFrameQuery, transitionsFrameQuery } from "@/lib/query/frame-queries";
import { layerQuery, transitionsQuery } from "@/lib/query/run-queries";
import { layerFrameFromJson, type LayerJson } from "@/lib/wire/layer-frame";

/**
 * Which transport the live views read layers by: binary frames, unless `localStorage["atlas.transport"]`
 * is "json" (bench/explorer measures both in the same run; also handy to compare by hand). The server
 * render and hydration always use frames (what the page prefetches).
 */
export function useLayerTransport(): "frame" | "json" {
  return useSyncExternalStore(noopSubscribe, readTransport, () => "frame");
}
const noopSubscribe = () => () => {};
const readTransport = () => (window.localStorage.getItem("atlas.transport") === "json" ? "json" : "frame");
// Module-level: a stable select runs once per answer, not once per render.
const selectFrame = (v: unknown) => layerFrameFromJson(v as LayerJson);

/**
 * A layer as typed arrays. Live: the binary frame. A share (frozen): the JSON answer it pinned,
 * turned into the same typed arrays once (shares store the API's JSON).
 */
export function useLayerFrame(
  runId: string,
  layer: number,
  normalization: Normalization,
  frozen: boolean,
  opts: { prefetchNeighbours?: { layers: number } } = {},
) {
  const transport = useLayerTransport();
  const json = transport === "json" || frozen;
  const frame = useQuery({
    ...layerFrameQuery(runId, layer, normalization),
    enabled: !json,
    placeholderData: keepPreviousData,
  });
  const fromJson = useQuery({
    ...layerQuery(runId, layer, normalization),
    enabled: json,
    select: selectFrame,
    placeholderData: keepPreviousData,
  });
  const current = json ? fromJson : frame;
  // Once the reader steps through layers, fetch the layers on either side of the shown one in the
  // background (same transport), so the next arrow key usually finds its layer on the way. Not on
  // the first paint (the page asks only for what it draws) and not for shares (nothing to fetch).
  const client = useQueryClient();
  const shown = current.data?.layer;
  const total = opts.prefetchNeighbours?.layers;
  const firstLayer = useRef(layer);
  useEffect(() => {
    if (frozen || total === undefined || shown !== layer || layer === firstLayer.current) return;
    // The transport as stored now: during hydration the hook still reports the server's ("frame").
    const json = readTransport() === "json";
    for (const l of [layer + 1, layer - 1]) {
      if (l < 0 || l >= total) continue;
      if (json) void client.prefetchQuery(layerQuery(runId, l, normalization));
      else void client.prefetchQuery(layerFrameQuery(runId, l, normalization));
    }
  }, [client, frozen, total, shown, layer, runId, normalization, transport]);
  return current;
}

/** A layer with its transitions to the next layer, as typed arrays (as useLayerFrame). */
export function useTransitionsFrame(runId: string, layer: number, frozen: boolean) {
  const json = useLayerTransport() === "json" || frozen;
  const frame = useQuery({ ...transitionsFrameQuery(runId, layer), enabled: !json, placeholderData: keepPreviousData });
  const fromJson = useQuery({
    ...transitionsQuery(runId, layer),
    enabled: json,
    select: selectFrame,
    placeholderData: keepPreviousData,
  });
  return json ? fromJson : frame;
}
