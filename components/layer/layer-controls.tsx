"use client";

import { NORMALIZATIONS, type Normalization } from "@/lib/analysis/coactivation";
import type { LayerViewState } from "@/lib/url/layer-view-state";

interface Props {
  layer: number;
  layers: number;
  modelLayer: number;
  state: LayerViewState;
  go: (layer: number, patch?: Partial<LayerViewState>) => void;
  /** A shared snapshot: the controls show the pinned state and cannot change it. */
  frozen?: boolean;
}

const selectClass = "rounded border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-600 dark:bg-zinc-800";

export function LayerControls({ layer, layers, modelLayer, state, go, frozen = false }: Props) {
  return (
    <fieldset disabled={frozen} className="flex flex-wrap items-end gap-4">
      <label className="flex flex-col text-sm">
        <span>
          MoE layer{" "}
          <strong className="num" data-testid="layer-number">
            {layer}
          </strong>{" "}
          of {layers}
          <span className="text-zinc-500"> (model layer {modelLayer}; ← → keys)</span>
        </span>
        <span className="flex items-center gap-2">
          <button
            type="button"
            className={selectClass}
            onClick={() => go(layer - 1)}
            disabled={layer === 0}
            aria-label="previous layer"
          >
            ‹
          </button>
          <input
            type="range"
            min={0}
            max={layers - 1}
            value={layer}
            aria-label="MoE layer"
            className="w-56 accent-indigo-600"
            onChange={(e) => go(Number(e.target.value))}
          />
          <button
            type="button"
            className={selectClass}
            onClick={() => go(layer + 1)}
            disabled={layer === layers - 1}
            aria-label="next layer"
          >
            ›
          </button>
        </span>
      </label>
      <label className="flex flex-col text-sm">
        Normalization
        <select
          className={selectClass}
          aria-label="normalization"
          value={state.norm}
          onChange={(e) => go(layer, { norm: e.target.value as Normalization })}
        >
          {NORMALIZATIONS.map((n) => (
            <option key={n} value={n}>
              {n === "raw" ? "raw count" : n === "conditional" ? "conditional P(j|i)" : n}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col text-sm">
        Color scale
        <select
          className={selectClass}
          aria-label="color scale"
          value={state.scale}
          onChange={(e) => go(layer, { scale: e.target.value as LayerViewState["scale"] })}
        >
          <option value="linear">linear</option>
          <option value="log">log</option>
        </select>
      </label>
      <label className="flex flex-col text-sm">
        Order experts by
        <select
          className={selectClass}
          aria-label="expert order"
          value={state.order}
          onChange={(e) => go(layer, { order: e.target.value as LayerViewState["order"] })}
        >
          <option value="id">id</option>
          <option value="load">load (descending)</option>
          <option value="group">group (co-activation communities)</option>
        </select>
      </label>
    </fieldset>
  );
}
