"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { scaleLinear, scaleSqrt, schemeTableau10 } from "d3";
import { useRouter } from "next/navigation";
import { useCallback, useMemo, useState } from "react";
import { collaborationEdgesFlat, COMMUNITY_DEFINITIONS } from "@/lib/analysis/communities";
import { NORMALIZED_LIFT_DEFINITION } from "@/lib/analysis/coactivation";
import { expertsQuery, groupsQuery } from "@/lib/query/run-queries";
import { useLayerFrame } from "@/components/layer/use-layer-frame";
import type { ExpertsView } from "@/lib/query/api-types";
import { graphHref, parseGraphViewState, type GraphViewState } from "@/lib/url/graph-view-state";
import { useViewLocation } from "@/components/share/view-location";
import { DefinitionNote } from "@/components/ui/definition-note";
import { toCsv } from "@/components/viz/export";
import { Exportable } from "@/components/viz/exportable";
import { formatValue } from "@/components/viz/format";
import { YGrid } from "@/components/viz/y-grid";
import { forceLayout, type GraphNode } from "./force-layout";

const W = 620;
const H = 520;
/** Beyond this many edges a force layout is a hairball; the strongest are kept and the count says so. */
const MAX_EDGES = 600;
const input = "rounded border border-zinc-300 px-2 py-1 text-sm dark:border-zinc-600 dark:bg-zinc-800";
const groupColor = (c: number, size: number) => (size > 1 ? schemeTableau10[c % 10] : "#a1a1aa");

/** V5: experts as nodes, normalized lift above a threshold as edges, groups colored; entropy vs load beside it. */
export function CollaborationGraph({ runId, layers }: { runId: string; layers: number }) {
  const { search, frozen, replace } = useViewLocation();
  const state = parseGraphViewState(search);
  const layer = Math.min(state.layer, layers - 1);
  const go = useCallback(
    (patch: Partial<GraphViewState>) =>
      replace(graphHref(runId, { ...parseGraphViewState(new URLSearchParams(window.location.search)), ...patch })),
    [runId, replace],
  );
  // The lift matrix as typed arrays (binary frame; a share: its pinned JSON).
  const lift = useLayerFrame(runId, layer, "lift", frozen);
  const experts = useQuery({ ...expertsQuery(runId, layer, 3), placeholderData: keepPreviousData });
  const groups = useQuery({ ...groupsQuery(runId, layer), placeholderData: keepPreviousData });
  const [hover, setHover] = useState<number | null>(null);
  const router = useRouter();

  const graph = useMemo(() => {
    if (!lift.data?.normalized || !groups.data) return null;
    const E = lift.data.experts;
    // Edges on the same scale the groups were found on: lift over its top-k chance baseline. A share
    // snapshot pinned before groups carried a baseline was drawn (and grouped) on raw lift: keep it so.
    const legacy = !("liftBaseline" in groups.data);
    const baseline = legacy ? 1 : groups.data.liftBaseline;
    const { edges: links, total } = collaborationEdgesFlat(
      lift.data.normalized,
      lift.data.coactivation,
      E,
      baseline,
      state.minLift,
      MAX_EDGES,
    );
    const r = scaleSqrt()
      .domain([0, Math.max(1, ...lift.data.load)])
      .range([3, E > 64 ? 9 : 16]);
    const nodes: GraphNode[] = Array.from(lift.data.load, (load, id) => ({ id, r: r(load) }));
    forceLayout(nodes, links, W, H);
    const size = new Map<number, number>();
    for (const c of groups.data.community) size.set(c, (size.get(c) ?? 0) + 1);
    return {
      E,
      nodes,
      links,
      total,
      size,
      community: groups.data.community,
      baseline: legacy ? null : baseline,
      legacy,
      topK: groups.data.topK,
    };
  }, [lift.data, groups.data, state.minLift]);

  const error = lift.error ?? experts.error ?? groups.error;
  const neighbors = useMemo(() => {
    const s = new Set<number>();
    if (graph && hover !== null)
      for (const l of graph.links)
        if (l.source === hover || l.target === hover) s.add(l.source === hover ? l.target : l.source);
    return s;
  }, [graph, hover]);

  return (
    <div className="flex flex-col gap-4">
      <fieldset disabled={frozen} className="flex flex-wrap items-end gap-4 text-sm">
        <label className="flex flex-col">
          Layer <span className="num">{layer}</span>
          <input
            type="range"
            min={0}
            max={layers - 1}
            value={layer}
            aria-label="layer"
            onChange={(e) => go({ layer: Number(e.target.value) })}
            className="w-56 accent-indigo-600"
          />
        </label>
        <label className="flex flex-col">
          <span>
            Edge when normalized lift ≥
            <DefinitionNote text={NORMALIZED_LIFT_DEFINITION} />
          </span>
          <input
            aria-label="minimum lift"
            type="number"
            min={0}
            step={0.1}
            value={state.minLift}
            className={`${input} w-24`}
            onChange={(e) => go({ minLift: Math.max(0, Number(e.target.value)) })}
          />
        </label>
        {graph ? (
          <span className="text-xs text-zinc-600 dark:text-zinc-400" data-testid="graph-summary">
            {graph.E} experts · {graph.links.length} edges
            {graph.total > graph.links.length ? ` (the strongest of ${graph.total})` : ""} · {groups.data?.groups}{" "}
            groups, modularity {formatValue(groups.data?.modularity)}
            <DefinitionNote
              text={`${COMMUNITY_DEFINITIONS.graph} ${COMMUNITY_DEFINITIONS.communities} ${COMMUNITY_DEFINITIONS.modularity}`}
            />
            {graph.baseline !== null ? (
              <span data-testid="lift-baseline">
                {" "}
                · chance lift for top-{graph.topK} of {graph.E}: {formatValue(graph.baseline)} (= normalized 1)
              </span>
            ) : null}
          </span>
        ) : null}
      </fieldset>
      {graph?.legacy ? (
        <p className="text-amber-700">
          This snapshot predates normalized lift: its edges and groups are on raw lift (C_ij · N / (load_i · load_j)).
        </p>
      ) : null}
      {graph && !graph.legacy && graph.baseline === null ? (
        <p className="text-amber-700" data-testid="top1-note">
          Top-1 routing: no token has two experts, so co-activation is empty and there is nothing to link or group.
        </p>
      ) : null}
      {error ? (
        <p role="alert" className="text-red-600">
          {error.message}
        </p>
      ) : null}
      {graph ? (
        <div className="flex flex-wrap items-start gap-6">
          <Exportable
            className="max-w-full"
            name={`collaboration graph layer ${layer} lift ${state.minLift}`}
            csv={() =>
              toCsv(
                ["source", "target", "normalized_lift", "lift", "coactivations"],
                graph.links.map((l) => [
                  l.source,
                  l.target,
                  l.weight,
                  l.lift,
                  lift.data!.coactivation[l.source * graph.E + l.target],
                ]),
              )
            }
            json={() => ({
              layer,
              minNormalizedLift: state.minLift,
              liftBaseline: graph.baseline,
              nodes: graph.nodes.map((n) => ({
                expert: n.id,
                load: lift.data!.load[n.id],
                community: graph.community[n.id],
                x: n.x,
                y: n.y,
              })),
              links: graph.links,
            })}
          >
            <div className="max-w-full overflow-x-auto">
              <svg
                width={W}
                height={H}
                role="img"
                aria-label={`collaboration graph of layer ${layer}: experts linked when normalized lift ≥ ${state.minLift}`}
                data-testid="collaboration-graph"
                className="rounded border border-zinc-200 text-zinc-700 dark:border-zinc-800 dark:text-zinc-300"
              >
                <g>
                  {graph.links.map((l) => {
                    const a = graph.nodes[l.source];
                    const b = graph.nodes[l.target];
                    const lit = hover === null || l.source === hover || l.target === hover;
                    return (
                      <line
                        key={`${l.source}-${l.target}`}
                        x1={a.x}
                        y1={a.y}
                        x2={b.x}
                        y2={b.y}
                        stroke="currentColor"
                        strokeOpacity={lit ? 0.45 : 0.06}
                        strokeWidth={0.5 + Math.min(4, l.weight / 2)}
                      />
                    );
                  })}
                </g>
                {graph.nodes.map((n) => {
                  const c = graph.community[n.id];
                  const dim = hover !== null && hover !== n.id && !neighbors.has(n.id);
                  return (
                    <g
                      key={n.id}
                      transform={`translate(${n.x},${n.y})`}
                      opacity={dim ? 0.25 : 1}
                      onMouseEnter={() => setHover(n.id)}
                      onMouseLeave={() => setHover(null)}
                      onClick={() => router.push(`/runs/${runId}/experts/${n.id}?layer=${layer}`)}
                      className="cursor-pointer"
                      data-expert={n.id}
                    >
                      <circle r={n.r} fill={groupColor(c, graph.size.get(c)!)} stroke="white" strokeWidth={1} />
                      {graph.E <= 64 ? (
                        <text textAnchor="middle" dy="0.35em" fontSize={9} fill="white" pointerEvents="none">
                          {n.id}
                        </text>
                      ) : null}
                      <title>{`expert ${n.id}: load ${lift.data!.load[n.id]}, group ${c}, ${graph.links.filter((l) => l.source === n.id || l.target === n.id).length} edges`}</title>
                    </g>
                  );
                })}
              </svg>
            </div>
          </Exportable>
          {experts.data ? (
            <EntropyScatter
              data={experts.data}
              community={graph.community}
              size={graph.size}
              hover={hover}
              setHover={setHover}
              layer={layer}
            />
          ) : null}
        </div>
      ) : !error ? (
        <p>Laying out layer {layer}…</p>
      ) : null}
      <p className="text-xs text-zinc-500">
        Node area ∝ load; color = co-activation group (gray: an expert in no group); edge width ∝ normalized lift (lift
        over its top-k chance value, so 1 = chance). Hover an expert to see its partners, click to open it.
      </p>
    </div>
  );
}

const SW = 420;
const SH = 360;
const SM = { top: 16, right: 12, bottom: 40, left: 48 };

/** A3: collaboration entropy against load share, one dot per expert, colored by group. */
function EntropyScatter({
  data,
  community,
  size,
  hover,
  setHover,
  layer,
}: {
  data: ExpertsView;
  community: number[];
  size: Map<number, number>;
  hover: number | null;
  setHover: (e: number | null) => void;
  layer: number;
}) {
  const pts = data.experts.filter((e) => e.collaborationEntropy !== null);
  const x = scaleLinear()
    .domain([0, Math.max(1e-9, ...pts.map((p) => p.loadShare))])
    .nice()
    .range([SM.left, SW - SM.right]);
  const y = scaleLinear()
    .domain([0, Math.max(1e-9, ...pts.map((p) => p.collaborationEntropy!))])
    .nice()
    .range([SH - SM.bottom, SM.top]);
  return (
    <Exportable
      className="max-w-full"
      name={`entropy vs load layer ${layer}`}
      csv={() =>
        toCsv(
          ["expert", "load", "load_share", "collaboration_entropy", "top_coverage", "group"],
          data.experts.map((e) => [
            e.expert,
            e.load,
            e.loadShare,
            e.collaborationEntropy,
            e.topCoverage,
            community[e.expert],
          ]),
        )
      }
      json={() => data}
    >
      <div className="max-w-full overflow-x-auto">
        <svg
          width={SW}
          height={SH}
          role="img"
          aria-label={`collaboration entropy against load share, layer ${layer}`}
          data-testid="entropy-scatter"
          className="text-zinc-700 dark:text-zinc-300"
        >
          <YGrid y={y} ticks={5} left={SM.left} right={SW - SM.right} />
          {x.ticks(5).map((t) => (
            <text key={t} x={x(t)} y={SH - SM.bottom + 14} textAnchor="middle" fontSize={10} fill="currentColor">
              {formatValue(t)}
            </text>
          ))}
          <text x={(SM.left + SW - SM.right) / 2} y={SH - 6} textAnchor="middle" fontSize={11} fill="currentColor">
            load share (load / Σ load)
          </text>
          <text
            transform={`translate(12,${(SM.top + SH - SM.bottom) / 2}) rotate(-90)`}
            textAnchor="middle"
            fontSize={11}
            fill="currentColor"
          >
            collaboration entropy (nats)
          </text>
          {pts.map((p) => {
            const c = community[p.expert];
            return (
              <circle
                key={p.expert}
                cx={x(p.loadShare)}
                cy={y(p.collaborationEntropy!)}
                r={hover === p.expert ? 7 : 4.5}
                fill={groupColor(c, size.get(c)!)}
                stroke={hover === p.expert ? "currentColor" : "white"}
                onMouseEnter={() => setHover(p.expert)}
                onMouseLeave={() => setHover(null)}
              >
                <title>{`expert ${p.expert}: load share ${formatValue(p.loadShare)}, entropy ${formatValue(p.collaborationEntropy)}, group ${c}`}</title>
              </circle>
            );
          })}
        </svg>
      </div>
      <p className="max-w-[420px] text-xs text-zinc-500">
        Mean collaboration entropy {formatValue(data.meanCollaborationEntropy)} nats. Low: an expert that co-activates
        with a few specific partners (specialized); high: broadly collaborative.
      </p>
    </Exportable>
  );
}
