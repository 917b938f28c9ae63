"use client";

import { useRouter } from "next/navigation";
import type { SeriesLayer } from "@/lib/query/api-types";
import { layerHref, type LayerViewState } from "@/lib/url/layer-view-state";

/**
 * For a run that is a step of a series: move to another step's explorer at the same layer, with the
 * same normalization, scale and ordering (they are all in the URL), and choose one colour scale
 * for every step (the domain of this layer over all of them) instead of each step's own.
 */
export function StepScrubber({
  runId,
  series,
  layer,
  state,
  frozen,
  data,
  go,
}: {
  runId: string;
  series: string;
  layer: number;
  state: LayerViewState;
  frozen: boolean;
  data: SeriesLayer | undefined;
  go: (patch: Partial<LayerViewState>) => void;
}) {
  const router = useRouter();
  const steps = data?.steps ?? [];
  const at = steps.findIndex((s) => s.runId === runId);
  return (
    <fieldset disabled={frozen} className="flex flex-wrap items-end gap-4 text-sm" data-testid="step-scrubber">
      <label className="flex flex-col">
        Step of series {series}
        <span className="num" data-testid="scrubber-step">
          {at >= 0 ? `${steps[at].step.toLocaleString("en-US")} (${at + 1} of ${steps.length})` : "…"}
        </span>
        <input
          type="range"
          aria-label="step"
          min={0}
          max={Math.max(0, steps.length - 1)}
          value={Math.max(0, at)}
          disabled={steps.length < 2}
          onChange={(e) => {
            const next = steps[Number(e.target.value)];
            if (next && next.runId !== runId) router.push(layerHref(next.runId, layer, state));
          }}
          className="w-56 accent-indigo-600"
        />
      </label>
      <label className="flex items-center gap-2">
        <input
          type="checkbox"
          aria-label="one colour scale across steps"
          checked={state.stepScale === "shared"}
          onChange={(e) => go({ stepScale: e.target.checked ? "shared" : "own" })}
        />
        one colour scale across steps
      </label>
    </fieldset>
  );
}
