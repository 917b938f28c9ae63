import type { Normalization } from "@/lib/analysis/coactivation";
import type { LayerFrame } from "@/lib/wire/layer-frame";
import type { HeatmapHover } from "@/components/viz/heatmap-canvas";
import { formatValue } from "@/components/viz/format";

/** What the cell under the pointer holds: the two experts, the shown value and the raw counts. */
export function HeatmapTooltip({ hover, data, norm }: { hover: HeatmapHover; data: LayerFrame; norm: Normalization }) {
  const { row, col } = hover;
  const n = data.experts;
  const value = data.normalized?.[row * n + col] ?? 0;
  return (
    <div
      role="tooltip"
      data-testid="heatmap-tooltip"
      data-row={row}
      data-col={col}
      data-value={value}
      className="pointer-events-none absolute z-10 min-w-44 rounded border border-zinc-300 bg-white/95 px-2 py-1 text-xs shadow dark:border-zinc-600 dark:bg-zinc-900/95"
      style={{ left: hover.x + 14, top: hover.y + 14 }}
    >
      {row === col ? (
        <div>expert {row} with itself (not counted)</div>
      ) : (
        <>
          <div className="font-semibold">
            expert {row} × expert {col}
          </div>
          <div>
            {norm}: <span className="num">{formatValue(value)}</span>
          </div>
          <div className="text-zinc-500">
            co-activations C = <span className="num">{formatValue(data.coactivation[row * n + col])}</span>
          </div>
          <div className="text-zinc-500">
            load {row}: <span className="num">{formatValue(data.load[row])}</span>, load {col}:{" "}
            <span className="num">{formatValue(data.load[col])}</span>
          </div>
        </>
      )}
    </div>
  );
}
