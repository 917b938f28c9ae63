"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect } from "react";
import { layerHref, type LayerViewState } from "@/lib/url/layer-view-state";

/** Moves between layers and view settings by rewriting the URL, the only home of view state. */
export function useLayerNavigation(runId: string, layer: number, layers: number, state: LayerViewState) {
  const router = useRouter();
  const go = useCallback(
    (next: number, patch: Partial<LayerViewState> = {}) => {
      const l = Math.min(layers - 1, Math.max(0, next));
      router.replace(layerHref(runId, l, { ...state, ...patch }), { scroll: false });
    },
    [router, runId, layers, state],
  );

  useEffect(() => {
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
  }, [go, layer]);

  return go;
}
