"use client";

import { useCallback, useEffect } from "react";
import { useViewLocation } from "@/components/share/view-location";
import { layerHref, parseLayerViewState, type LayerViewState } from "@/lib/url/layer-view-state";

/**
 * The explorer's layer and view settings, read from the URL, which is their only home. Changes
 * rewrite the URL with history.replaceState: Next keeps usePathname/useSearchParams in step, no
 * server round trip is needed (the data comes through TanStack Query), and rapid changes build
 * on each other instead of on a stale render.
 */
export function useLayerNavigation(runId: string, layers: number) {
  const { pathname, search, frozen, replace } = useViewLocation();
  const layer = Number(pathname.split("/").pop());
  const state = parseLayerViewState(search);

  const go = useCallback(
    (next: number, patch: Partial<LayerViewState> = {}) => {
      const current = parseLayerViewState(new URLSearchParams(window.location.search));
      const l = Math.min(layers - 1, Math.max(0, next));
      replace(layerHref(runId, l, { ...current, ...patch }));
    },
    [runId, layers, replace],
  );

  useEffect(() => {
    if (frozen) return;
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      // Form controls handle their own arrows (the slider moves the layer itself).
      if (t && (t.isContentEditable || ["INPUT", "SELECT", "TEXTAREA"].includes(t.tagName))) return;
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      if (e.key === "ArrowLeft" || e.key === "ArrowUp" || e.key === "[") {
        e.preventDefault();
        go(layer - 1);
      } else if (e.key === "ArrowRight" || e.key === "ArrowDown" || e.key === "]") {
        e.preventDefault();
        go(layer + 1);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [go, layer, frozen]);

  return { layer, state, go, frozen };
}
