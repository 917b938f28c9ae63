"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { schemeTableau10 } from "d3";
import { useRouter } from "next/navigation";
import { useCallback, useDeferredValue, useMemo, useState } from "react";
import { COMMUNITY_DEFINITIONS } from "@/lib/analysis/communities";
import { NORMALIZATION_DEFINITIONS, offDiagonalExtent } from "@/lib/analysis/coactivation";
import { expertsQuery, groupsQuery } from "@/lib/query/run-queries";
import { EXPERT_TABLE_TOP_T } from "@/lib/url/layer-view-state";
import { seriesLayerQuery } from "@/lib/query/series-queries";
import { DefinitionNote } from "@/components/ui/definition-note";
import { ColorLegend } from "@/components/viz/color-legend";
import { makeColorScale, minPositiveOffDiagonal } from "@/components/viz/color-scale";
import { HeatmapCanvas, type HeatmapHover } from "@/components/viz/heatmap-canvas";
import { formatValue } from "@/components/viz/format";
import { flatMatrixToCsv, heatmapSvg, matrixRows } from "@/components/viz/export";
import { Exportable } from "@/components/viz/exportable";
import { ExpertAxis } from "@/components/viz/expert-axis";
import { LoadBars } from "@/components/viz/load-bars";
import { LayerBalance } from "./layer-balance";
import { LayerControls } from "./layer-controls";
import { LayerExpertsTable } from "./layer-experts-table";
import type { ExpertSort, SortDir } from "./expert-table-sort";
import { StepScrubber } from "./step-scrubber";
import { HeatmapTooltip } from "./heatmap-tooltip";
import { useLayerFrame } from "./use-layer-frame";
import { useLayerNavigation } from "./use-layer-navigation";

interface Props {
  runId: string;
  layers: number;
  /** The run's series, when it is a step of one: the step scrubber and the shared colour scale. */
  series?: string | null;
}

const BAR_EXTENT = 48;
const NORM_TITLES = {
  raw: "raw co-activation count",
  conditional: "conditional P(j | i)",
  jaccard: "Jaccard",
  lift: "lift",
} as const;

/** V3: a layer's co-activation heatmap with aligned load bars, legend, tooltip and balance. */
export function LayerExplorer({ runId, layers, series = null }: Props) {
  const { layer, state, go, frozen } = useLayerNavigation(runId, layers);
  // Typed arrays from the wire to the canvas: no nested rows on the way (lib/wire/frame.ts).
  const { data, error, isFetching } = useLayerFrame(runId, layer, state.norm, frozen, {
    prefetchNeighbours: { layers },
  });
  const groups = useQuery({
    ...groupsQuery(runId, layer),
    enabled: state.order === "group",
    placeholderData: keepPreviousData,
  });
  // The expert table's answer is asked for once the heatmap of this layer is drawn from its frame, so a
  // layer switch's request and render are not shared with it; rendered at a lower priority (deferred).
  const experts = useQuery({
    ...expertsQuery(runId, layer, EXPERT_TABLE_TOP_T),
    enabled: data?.layer === layer,
    placeholderData: keepPreviousData,
  });
  const expertsAnswer = useDeferredValue(experts.data);
  const onSort = useCallback((esort: ExpertSort, edir: SortDir) => go(layer, { esort, edir }), [go, layer]);
  const stepLayer = useQuery({
    ...seriesLayerQuery(series ?? "", layer, state.norm),
    enabled: series !== null,
    placeholderData: keepPreviousData,
  });
  const shared =
    state.stepScale === "shared" && stepLayer.data?.layer === layer && stepLayer.data.normalization === state.norm
      ? stepLayer.data
      : null;
  const [hover, setHover] = useState<HeatmapHover | null>(null);
  const router = useRouter();
  const community = state.order === "group" && groups.data?.layer === layer ? groups.data.community : null;

  const view = useMemo(() => {
    if (!data?.normalized) return null;
    const n = data.experts;
    const values = data.normalized;
    // Expert-id order keeps its identity across layers of one width, so the axes (memoized) skip re-rendering.
    let order: number[] = identityOrder(n);
    if (state.order === "load") order = [...order].sort((a, b) => data.load[b] - data.load[a] || a - b);
    if (state.order === "group" && groups.data?.layer === data.layer) order = groups.data.order;
    // One scale across the series' steps when asked (this layer's domain over all of them).
    const color = shared
      ? makeColorScale(shared.extent, state.scale, shared.minPositive)
      : makeColorScale(offDiagonalExtent(values, n), state.scale, minPositiveOffDiagonal(values, n));
    const cell = Math.max(2, Math.min(48, Math.floor(576 / n)));
    return { n, values, order, color, cell };
  }, [data, state.order, state.scale, groups.data, shared]);

  return (
    <div className="flex flex-col gap-4">
      <LayerControls
        layer={layer}
        layers={layers}
        modelLayer={data?.modelLayer ?? layer}
        state={state}
        go={go}
        frozen={frozen}
      />
      {series !== null ? (
        <StepScrubber
          runId={runId}
          series={series}
          layer={layer}
          state={state}
          frozen={frozen}
          data={stepLayer.data}
          go={(patch) => go(layer, patch)}
        />
      ) : null}
      {error ? (
        <p role="alert" className="text-red-600">
          Could not load layer {layer}: {error.message}
        </p>
      ) : null}
      {data && view ? (
        <div className="flex flex-wrap items-start gap-8">
          <div className="relative" aria-busy={isFetching} data-testid="heatmap" data-layer={data.layer}>
            {data.tokens === 0 ? <p className="mb-2 text-amber-700">No tokens recorded at this layer yet.</p> : null}
            {state.order === "group" && groups.data ? (
              <p className="mb-1 text-xs text-zinc-600 dark:text-zinc-400" data-testid="groups-summary">
                {groups.data.groups} groups of co-activating experts (on normalized lift), modularity{" "}
                {formatValue(groups.data.modularity)}
                <DefinitionNote
                  text={`${COMMUNITY_DEFINITIONS.graph} ${COMMUNITY_DEFINITIONS.communities} ${COMMUNITY_DEFINITIONS.modularity}`}
                />
              </p>
            ) : null}
            <Exportable
              name={`co-activation layer ${layer} ${state.norm}`}
              svg={() => ({
                text: heatmapSvg(view.values, view.n, view.order, view.color.css, view.cell),
                width: view.n * view.cell,
                height: view.n * view.cell,
              })}
              csv={() => flatMatrixToCsv(view.values, view.n)}
              json={() => ({
                run: runId,
                layer,
                normalization: state.norm,
                tokens: data.tokens,
                load: Array.from(data.load),
                coactivation: matrixRows(data.coactivation, view.n),
                normalized: matrixRows(view.values, view.n),
              })}
            >
              <div className="grid" style={{ gridTemplateColumns: `28px ${view.n * view.cell}px ${BAR_EXTENT}px` }}>
                <div />
                <LoadBars
                  load={data.load}
                  order={view.order}
                  cell={view.cell}
                  orientation="columns"
                  extent={BAR_EXTENT}
                  highlight={hover?.col}
                />
                <div className="self-end pl-1 text-[10px] text-zinc-500">load</div>
                <ExpertAxis order={view.order} cell={view.cell} orientation="rows" />
                <div className="relative">
                  <HeatmapCanvas
                    values={view.values}
                    n={view.n}
                    order={view.order}
                    color={view.color}
                    cell={view.cell}
                    label={`co-activation heatmap of layer ${layer}, ${NORM_TITLES[state.norm]}`}
                    onHover={setHover}
                    onActivate={(row) => router.push(`/runs/${runId}/experts/${row}?layer=${layer}`)}
                  />
                  {hover ? <HeatmapTooltip hover={hover} data={data} norm={state.norm} /> : null}
                </div>
                <LoadBars
                  load={data.load}
                  order={view.order}
                  cell={view.cell}
                  orientation="rows"
                  extent={BAR_EXTENT}
                  highlight={hover?.row}
                />
                <div />
                <ExpertAxis order={view.order} cell={view.cell} orientation="columns" />
                {community ? (
                  <>
                    <div />
                    <div />
                    <GroupStrip order={view.order} cell={view.cell} community={community} />
                  </>
                ) : null}
              </div>
              <p className="mt-1 pl-7 text-xs text-zinc-500">
                rows: expert i · columns: expert j · gray diagonal: an expert with itself
              </p>
              <div className="mt-3 pl-7">
                <ColorLegend
                  color={view.color}
                  title={`${NORM_TITLES[state.norm]} (${state.scale} scale${shared ? `, one scale across the ${shared.steps.length} steps of ${shared.series}` : ""}) — ${NORMALIZATION_DEFINITIONS[state.norm]}`}
                />
              </div>
            </Exportable>
          </div>
          <LayerBalance balance={data.balance} tokens={data.tokens} runId={runId} layer={layer} />
        </div>
      ) : !error ? (
        <p>Loading layer {layer}…</p>
      ) : null}
      {expertsAnswer ? (
        <LayerExpertsTable runId={runId} answer={expertsAnswer} sort={state.esort} dir={state.edir} onSort={onSort} />
      ) : experts.error ? (
        <p role="alert" className="text-red-600">
          Could not load the experts of layer {layer}: {experts.error.message}
        </p>
      ) : null}
    </div>
  );
}

const identities = new Map<number, number[]>();
function identityOrder(n: number): number[] {
  let o = identities.get(n);
  if (!o) identities.set(n, (o = Array.from({ length: n }, (_, i) => i)));
  return o;
}

/** Each expert's community as a colored band under the columns: blocks of one color are groups. */
function GroupStrip({ order, cell, community }: { order: readonly number[]; cell: number; community: number[] }) {
  const size = new Map<number, number>();
  for (const c of community) size.set(c, (size.get(c) ?? 0) + 1);
  return (
    <svg width={order.length * cell} height={8} aria-label="expert groups" data-testid="group-strip" className="block">
      {order.map((e, pos) => (
        <rect
          key={e}
          x={pos * cell}
          width={cell}
          height={8}
          fill={size.get(community[e])! > 1 ? schemeTableau10[community[e] % 10] : "transparent"}
        >
          <title>{`expert ${e}: group ${community[e]}`}</title>
        </rect>
      ))}
    </svg>
  );
}
