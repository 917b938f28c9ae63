"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { scaleBand, scaleLinear, schemeTableau10 } from "d3";
import { useCallback } from "react";
import { meanOf } from "@/lib/analysis/stats";
import { expertsQuery } from "@/lib/query/run-queries";
import type { ExpertsView } from "@/lib/query/api-types";
import { parseSpecializationViewState, specializationHref } from "@/lib/url/specialization-view-state";
import { useViewLocation } from "@/components/share/view-location";
import { DefinitionNote } from "@/components/ui/definition-note";
import { toCsv } from "@/components/viz/export";
import { Exportable } from "@/components/viz/exportable";
import { formatValue } from "@/components/viz/format";
import { YGrid } from "@/components/viz/y-grid";

const SHARE_DEF =
  "A8: a label's load share on expert e = load_label[e] / Σ_e load_label[e]; under no specialization every expert gets the uniform 1 / E (dashed). Bars far above it mark experts that label relies on.";
const KL_DEF =
  "A8: KL(p(label | e) ‖ overall label mix), nats: 0 when an expert sees the labels in the same proportions as the whole layer; larger = more domain-specialized.";

/** A8: each label's load share per expert against uniform (the OLMoE paper's chart), and each expert's KL. */
export function LabelSpecialization({ runId, layers }: { runId: string; layers: number }) {
  const { search, frozen, replace } = useViewLocation();
  const state = parseSpecializationViewState(search);
  const layer = Math.min(state.layer, layers - 1);
  const go = useCallback((l: number) => replace(specializationHref(runId, { layer: l })), [runId, replace]);
  const { data, error } = useQuery({ ...expertsQuery(runId, layer, 3), placeholderData: keepPreviousData });
  const labels = data?.labelShares ? Object.keys(data.labelShares) : [];
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
            onChange={(e) => go(Number(e.target.value))}
            className="w-56 accent-indigo-600"
          />
        </label>
      </fieldset>
      {error ? (
        <p role="alert" className="text-red-600">
          {error.message}
        </p>
      ) : null}
      {data && !data.labelShares ? (
        <p className="text-amber-700">
          This run has no labels: upload traces with `label=` (or labels in the events or aggregate shards) to see
          domain specialization.
        </p>
      ) : null}
      {data && data.tokens === 0 ? <p className="text-amber-700">No tokens recorded at layer {layer}.</p> : null}
      {data?.labelShares && data.tokens > 0 && labels.length === 1 ? (
        <p className="text-amber-700" data-testid="single-label-note">
          This run has one label, <strong>{labels[0]}</strong>: every expert&apos;s tokens all carry it, so each
          expert&apos;s label mix equals the layer&apos;s (KL = 0) and there is nothing to compare. The chart below is
          just the load share per expert; upload traces under a second label (e.g. another dataset) to see domain
          specialization.
        </p>
      ) : null}
      {data?.labelShares && data.tokens > 0 ? (
        <>
          <Exportable
            className="max-w-full"
            name={`label load share per expert layer ${layer}`}
            csv={() =>
              toCsv(
                ["expert", ...labels, "kl_nats"],
                data.experts.map((e) => [e.expert, ...labels.map((l) => data.labelShares![l][e.expert]), e.labelKl]),
              )
            }
            json={() => ({
              layer,
              uniformShare: data.uniformShare,
              labelMix: data.labelMix,
              labelShares: data.labelShares,
            })}
          >
            <SharesChart data={data} labels={labels} layer={layer} />
          </Exportable>
          <p className="text-xs text-zinc-500">
            Load share of each label per expert
            <DefinitionNote text={SHARE_DEF} /> · mix of the layer:{" "}
            {labels.map((l) => `${l} ${formatValue(data.labelMix![l])}`).join(", ")}
          </p>
          {labels.length > 1 ? (
            <>
              <Exportable
                className="max-w-full"
                name={`specialization KL per expert layer ${layer}`}
                json={() => data.experts.map((e) => ({ expert: e.expert, kl: e.labelKl }))}
              >
                <KlChart data={data} layer={layer} />
              </Exportable>
              <p className="text-xs text-zinc-500">
                Specialization per expert
                <DefinitionNote text={KL_DEF} /> · mean {formatValue(meanOf(data.experts.map((e) => e.labelKl)))} nats
              </p>
            </>
          ) : null}
        </>
      ) : null}
    </div>
  );
}

const W = 760;
const ROW = 110;
const M = { top: 16, right: 16, bottom: 40, left: 70 };

/**
 * The expert axis under a band scale: every expert's id when they fit (every n-th beyond 32, each
 * id centred on its bar), and the axis named, so the bars read as experts and not as bins.
 */
function ExpertAxis({ x, experts, y }: { x: ReturnType<typeof scaleBand<number>>; experts: number[]; y: number }) {
  const every = Math.ceil(experts.length / 32);
  return (
    <g data-testid="expert-axis">
      {experts.map((e, i) =>
        i % every === 0 ? (
          <text key={e} x={x(e)! + x.bandwidth() / 2} y={y} textAnchor="middle" fontSize={9} fill="currentColor">
            {e}
          </text>
        ) : null,
      )}
      <text x={(x.range()[0] + x.range()[1]) / 2} y={y + 16} textAnchor="middle" fontSize={11} fill="currentColor">
        expert{every > 1 ? ` (ids every ${every})` : ""}
      </text>
    </g>
  );
}

function SharesChart({ data, labels, layer }: { data: ExpertsView; labels: string[]; layer: number }) {
  const E = data.experts.length;
  const x = scaleBand<number>()
    .domain(data.experts.map((e) => e.expert))
    .range([M.left, W - M.right])
    .padding(E > 64 ? 0 : 0.1);
  const max = Math.max(data.uniformShare * 2, ...labels.flatMap((l) => data.labelShares![l]));
  const H = M.top + labels.length * ROW + M.bottom;
  return (
    <div className="max-w-full overflow-x-auto">
      <svg
        width={W}
        height={H}
        role="img"
        aria-label={`load share of each label per expert at layer ${layer}, against uniform`}
        data-testid="label-shares-chart"
        className="text-zinc-700 dark:text-zinc-300"
      >
        {labels.map((label, i) => {
          const top = M.top + i * ROW;
          // the label's name above its plot, so neither bars nor grid lines run through it
          const y = scaleLinear()
            .domain([0, max])
            .nice()
            .range([top + ROW - 12, top + 18]);
          return (
            <g key={label} data-label={label}>
              <text x={M.left + 4} y={top + 10} fontSize={11} fontWeight={600} fill="currentColor">
                {label}
              </text>
              <YGrid y={y} ticks={2} left={M.left} right={W - M.right} />
              {data.labelShares![label].map((v, e) => (
                <rect
                  key={e}
                  x={x(e)}
                  width={x.bandwidth()}
                  y={y(v)}
                  height={y(0) - y(v)}
                  fill={schemeTableau10[i % 10]}
                >
                  <title>{`${label}, expert ${e}: ${formatValue(v)} of the label's load (uniform ${formatValue(data.uniformShare)})`}</title>
                </rect>
              ))}
              <line
                x1={M.left}
                x2={W - M.right}
                y1={y(data.uniformShare)}
                y2={y(data.uniformShare)}
                stroke="currentColor"
                strokeDasharray="4 3"
                strokeOpacity={0.7}
              />
              <text
                x={W - M.right}
                y={top + 10}
                textAnchor="end"
                fontSize={10}
                fill="currentColor"
                data-testid="uniform-label"
              >
                - - uniform 1/E = {formatValue(data.uniformShare)}
              </text>
            </g>
          );
        })}
        <ExpertAxis x={x} experts={data.experts.map((e) => e.expert)} y={H - M.bottom + 4} />
      </svg>
    </div>
  );
}

function KlChart({ data, layer }: { data: ExpertsView; layer: number }) {
  const H = 180;
  const x = scaleBand<number>()
    .domain(data.experts.map((e) => e.expert))
    .range([M.left, W - M.right])
    .padding(0.1);
  const y = scaleLinear()
    .domain([0, Math.max(1e-9, ...data.experts.map((e) => e.labelKl ?? 0))])
    .nice()
    .range([H - M.bottom, M.top]);
  return (
    <div className="max-w-full overflow-x-auto">
      <svg
        width={W}
        height={H}
        role="img"
        aria-label={`specialization (KL from the label mix) per expert at layer ${layer}`}
        data-testid="label-kl-chart"
        className="text-zinc-700 dark:text-zinc-300"
      >
        <YGrid y={y} ticks={3} left={M.left} right={W - M.right} />
        {data.experts.map((e) =>
          e.labelKl === null ? null : (
            <rect
              key={e.expert}
              x={x(e.expert)}
              width={x.bandwidth()}
              y={y(e.labelKl)}
              height={y(0) - y(e.labelKl)}
              fill="#8b5cf6"
            >
              <title>{`expert ${e.expert}: KL ${formatValue(e.labelKl)} nats`}</title>
            </rect>
          ),
        )}
        <text x={M.left + 4} y={M.top - 4} fontSize={11} fontWeight={600} fill="currentColor">
          KL from the layer&apos;s label mix (nats)
        </text>
        <ExpertAxis x={x} experts={data.experts.map((e) => e.expert)} y={H - M.bottom + 12} />
      </svg>
    </div>
  );
}
