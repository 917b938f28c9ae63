"use client";

import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { loadShareGrid } from "@/lib/analysis/balance";
import { LOAD_SHARE_DEFINITION } from "@/lib/analysis/metric-definitions";
import type { RunBalance } from "@/lib/query/api-types";
import { DefinitionNote } from "@/components/ui/definition-note";
import { ColorLegend } from "@/components/viz/color-legend";
import { makeColorScale } from "@/components/viz/color-scale";
import { ExpertAxis } from "@/components/viz/expert-axis";
import { gridSvg, toCsv } from "@/components/viz/export";
import { Exportable } from "@/components/viz/exportable";
import { formatValue } from "@/components/viz/format";
import { GridCanvas, type HeatmapHover } from "@/components/viz/heatmap-canvas";

const ids = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * The run's layer x expert load map: one row per MoE layer, one column per expert, coloured by the
 * expert's load share in that layer (linear viridis from 0 to the largest share of the run), so hot
 * experts are bright and dead ones the darkest. Drawn from the overview's balance answer
 * (GET /api/runs/{id}/balance carries every layer's load), on a canvas: 58 x 256 cells at DeepSeek-V3.
 */
export function LoadHeatmap({ runId, balance }: { runId: string; balance: RunBalance }) {
  const router = useRouter();
  const [hover, setHover] = useState<HeatmapHover | null>(null);
  const view = useMemo(() => {
    const L = balance.layers.length;
    const E = balance.layers[0]?.load.length ?? 0;
    const { shares, max } = loadShareGrid(
      balance.layers.map((l) => l.load),
      E,
    );
    return {
      L,
      E,
      shares,
      color: makeColorScale([0, max], "linear"),
      rows: ids(L),
      cols: ids(E),
      cellWidth: Math.max(1, Math.min(24, Math.floor(768 / Math.max(E, 1)))),
      cellHeight: Math.max(3, Math.min(16, Math.floor(464 / Math.max(L, 1)))),
    };
  }, [balance]);
  const { L, E, shares, color, rows, cols, cellWidth, cellHeight } = view;
  if (!L || !E) return null;
  const width = E * cellWidth;
  const height = L * cellHeight;
  const at = hover ? hover.row * E + hover.col : -1;
  const hoverLayer = hover ? balance.layers[hover.row] : null;
  return (
    <section aria-label="load by layer and expert" className="text-sm" data-testid="load-heatmap">
      <h2 className="mb-1 font-semibold">
        Load by layer and expert
        <DefinitionNote text={`${LOAD_SHARE_DEFINITION} Each row is one MoE layer; the colour is the share.`} />
      </h2>
      <p className="mb-2 text-xs text-zinc-600 dark:text-zinc-400">
        {L} MoE layers × {E} experts; a balanced layer is one flat colour at share {formatValue(1 / E)}. Hover for the
        numbers, click a cell to open that expert at that layer.
      </p>
      <Exportable
        name="load share by layer and expert"
        svg={() => ({ text: gridSvg(shares, E, rows, cols, color.css, cellWidth, cellHeight), width, height })}
        csv={() =>
          toCsv(
            ["layer", ...cols.map((e) => `expert ${e}`)],
            rows.map((l) => [l, ...Array.from(shares.subarray(l * E, (l + 1) * E))]),
          )
        }
        json={() => ({
          run: runId,
          layers: balance.layers.map((l) => ({
            layer: l.layer,
            tokens: l.tokens,
            load: l.load,
            loadShare: Array.from(shares.subarray(l.layer * E, (l.layer + 1) * E)),
          })),
        })}
      >
        <div className="grid text-zinc-600 dark:text-zinc-400" style={{ gridTemplateColumns: `14px 28px ${width}px` }}>
          <div />
          <div />
          <div className="text-center text-[10px]">expert</div>
          <div className="flex items-center justify-center text-[10px] [writing-mode:vertical-rl] rotate-180">
            MoE layer
          </div>
          <ExpertAxis order={rows} cell={cellHeight} orientation="rows" />
          <div className="relative">
            <GridCanvas
              values={shares}
              stride={E}
              rowOrder={rows}
              colOrder={cols}
              color={color}
              cellWidth={cellWidth}
              cellHeight={cellHeight}
              cursorStart={[0, 0]}
              cursorLabel="layers and experts"
              testId="load-heatmap-canvas"
              label={`load share of each expert in each of the ${L} MoE layers`}
              onHover={setHover}
              onActivate={(layer, expert) => router.push(`/runs/${runId}/experts/${expert}?layer=${layer}`)}
            />
            {hover && hoverLayer ? (
              <div
                role="tooltip"
                data-testid="load-heatmap-tooltip"
                data-layer={hover.row}
                data-expert={hover.col}
                data-share={shares[at]}
                className="pointer-events-none absolute z-10 min-w-44 rounded border border-zinc-300 bg-white/95 px-2 py-1 text-xs shadow dark:border-zinc-600 dark:bg-zinc-900/95"
                style={{ left: Math.min(hover.x + 14, width - 180), top: hover.y + 14 }}
              >
                <div className="font-semibold">
                  layer {hover.row}, expert {hover.col}
                </div>
                <div>
                  load share <span className="num">{formatValue(shares[at])}</span> (
                  <span className="num">{formatValue(shares[at] * E)}</span>× balanced)
                </div>
                <div>
                  load <span className="num">{formatValue(hoverLayer.load[hover.col])}</span> of{" "}
                  <span className="num">{formatValue(hoverLayer.tokens)}</span> tokens
                </div>
              </div>
            ) : null}
          </div>
          <div />
          <div />
          <ExpertAxis order={cols} cell={cellWidth} orientation="columns" />
        </div>
        <div className="mt-3 pl-10">
          <ColorLegend color={color} title="load share (linear scale) — load_i / Σ_j load_j within the layer" />
        </div>
      </Exportable>
    </section>
  );
}
