"use client";

import { LOAD_SHARE_DEFINITION, TOKEN_SHARE_DEFINITION } from "@/lib/analysis/metric-definitions";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useCallback, useEffect } from "react";
import { expertQuery } from "@/lib/query/run-queries";
import type { ExpertView as ExpertData } from "@/lib/query/api-types";
import { expertHref, parseExpertViewState, type ExpertViewState } from "@/lib/url/expert-view-state";
import { useViewLocation } from "@/components/share/view-location";
import { DefinitionNote } from "@/components/ui/definition-note";
import { Exportable } from "@/components/viz/exportable";
import { formatValue } from "@/components/viz/format";
import { LayerSeriesChart } from "@/components/viz/layer-series-chart";
import { ExpertTokensPanel } from "@/components/tokens/expert-tokens";

const ENTROPY_DEF =
  "Collaboration entropy H_i = −Σ_j p_ij ln p_ij with p_ij = C_ij / Σ_j C_ij (nats; A3): high = co-activates broadly, low = specialized to a few partners. At most ln(E − 1).";
const input = "rounded border border-zinc-300 px-2 py-1 text-sm dark:border-zinc-600 dark:bg-zinc-800";

/** V4: one expert id across the layers of a run; ← → move between experts, [ ] between layers. */
export function ExpertView({ runId, experts, layers }: { runId: string; experts: number; layers: number }) {
  const { pathname, search, frozen, replace } = useViewLocation();
  const expert = Number(pathname.split("/").pop());
  const state = parseExpertViewState(search);
  const layer = Math.min(state.layer, layers - 1);
  const { data, error } = useQuery({ ...expertQuery(runId, expert, state.topT), placeholderData: keepPreviousData });
  const go = useCallback(
    (e: number, patch: Partial<ExpertViewState> = {}) => {
      const current = parseExpertViewState(new URLSearchParams(window.location.search));
      replace(expertHref(runId, Math.max(0, Math.min(experts - 1, e)), { ...current, ...patch }));
    },
    [runId, experts, replace],
  );
  useEffect(() => {
    if (frozen) return;
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (t && (t.isContentEditable || ["INPUT", "SELECT", "TEXTAREA"].includes(t.tagName))) return;
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      const moves: Record<string, () => void> = {
        ArrowLeft: () => go(expert - 1),
        ArrowRight: () => go(expert + 1),
        "[": () => go(expert, { layer: Math.max(0, layer - 1) }),
        "]": () => go(expert, { layer: Math.min(layers - 1, layer + 1) }),
      };
      if (moves[e.key]) {
        e.preventDefault();
        moves[e.key]();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [go, expert, layer, layers, frozen]);

  const here = data?.expert === expert ? data.perLayer[layer] : undefined;
  return (
    <div className="flex flex-col gap-4">
      <fieldset disabled={frozen} className="flex flex-wrap items-end gap-4 text-sm">
        <span className="flex items-center gap-2">
          <button
            type="button"
            className={input}
            onClick={() => go(expert - 1)}
            disabled={expert === 0}
            aria-label="previous expert"
          >
            ‹
          </button>
          <label className="flex flex-col">
            Expert
            <select aria-label="expert" className={input} value={expert} onChange={(e) => go(Number(e.target.value))}>
              {Array.from({ length: experts }, (_, e) => (
                <option key={e} value={e}>
                  {e}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className={input}
            onClick={() => go(expert + 1)}
            disabled={expert === experts - 1}
            aria-label="next expert"
          >
            ›
          </button>
        </span>
        <label className="flex flex-col">
          Layer <span className="num">{layer}</span>
          <input
            type="range"
            min={0}
            max={layers - 1}
            value={layer}
            aria-label="layer"
            onChange={(e) => go(expert, { layer: Number(e.target.value) })}
            className="w-48 accent-indigo-600"
          />
        </label>
        <label className="flex flex-col">
          Top-T
          <input
            aria-label="Top-T"
            type="number"
            min={1}
            max={Math.min(64, experts - 1)}
            value={state.topT}
            className={`${input} w-20`}
            onChange={(e) => go(expert, { topT: Math.max(1, Number(e.target.value)) })}
          />
        </label>
        <span className="text-xs text-zinc-500">← → experts · [ ] layers</span>
      </fieldset>
      {error ? (
        <p role="alert" className="text-red-600">
          {error.message}
        </p>
      ) : null}
      {data ? (
        <>
          <Exportable
            name={`expert ${expert} across layers`}
            csv={() =>
              [
                "layer,tokens,load,load_share,token_share,rank,mean_gate_weight,collaboration_entropy,top_coverage,next_expert,next_hit_rate",
                ...data.perLayer.map((p) =>
                  [
                    p.layer,
                    p.tokens,
                    p.load,
                    p.loadShare,
                    p.tokenShare,
                    p.rank,
                    p.meanGateWeight,
                    p.collaborationEntropy,
                    p.topCoverage,
                    p.nextExpert,
                    p.nextHitRate,
                  ]
                    .map((v) => v ?? "")
                    .join(","),
                ),
              ].join("\n") + "\n"
            }
            json={() => data}
          >
            <LayerSeriesChart
              title={`expert ${expert}: load share per layer (load / Σ load)`}
              values={data.perLayer.map((p) => (p.tokens > 0 ? p.loadShare : null))}
              layer={layer}
              onLayer={frozen ? undefined : (l) => go(expert, { layer: l })}
              reference={{ value: 1 / experts, label: `uniform 1/${experts}` }}
              testId="expert-load-chart"
            />
          </Exportable>
          <Exportable
            name={`expert ${expert} collaboration entropy`}
            json={() => data.perLayer.map((p) => ({ layer: p.layer, collaborationEntropy: p.collaborationEntropy }))}
          >
            <LayerSeriesChart
              title={`expert ${expert}: collaboration entropy per layer (nats)`}
              kind="line"
              values={data.perLayer.map((p) => p.collaborationEntropy)}
              layer={layer}
              onLayer={frozen ? undefined : (l) => go(expert, { layer: l })}
              reference={{ value: Math.log(experts - 1), label: `max ln(${experts - 1})` }}
              color="#10b981"
            />
          </Exportable>
          <StoredResults data={data} layer={layer} />
          {here ? (
            <LayerDetail
              runId={runId}
              expert={expert}
              layer={layer}
              topT={state.topT}
              detail={here}
              labels={data.labels}
              experts={experts}
            />
          ) : null}
          <ExpertTokensPanel
            runId={runId}
            expert={expert}
            layer={layer}
            by={state.by}
            frozen={frozen}
            onBy={(by) => go(expert, { by })}
          />
        </>
      ) : !error ? (
        <p>Loading expert {expert}…</p>
      ) : null}
    </div>
  );
}

type Detail = ExpertData["perLayer"][number];

function LayerDetail({
  runId,
  expert,
  layer,
  topT,
  detail,
  labels,
  experts,
}: {
  runId: string;
  expert: number;
  layer: number;
  topT: number;
  detail: Detail;
  labels: string[];
  experts: number;
}) {
  const stats: [string, string, string?][] = [
    ["tokens at this layer", formatValue(detail.tokens)],
    ["load", formatValue(detail.load), "Tokens whose top-k included this expert."],
    ["load share", formatValue(detail.loadShare), LOAD_SHARE_DEFINITION],
    ["token share", formatValue(detail.tokenShare), TOKEN_SHARE_DEFINITION],
    ["rank by load", `${detail.rank} of ${experts}`],
    ["mean gate weight", formatValue(detail.meanGateWeight), "Σ of its gate weights / load."],
    ["collaboration entropy", formatValue(detail.collaborationEntropy), ENTROPY_DEF],
    [
      `Top-${topT} coverage`,
      formatValue(detail.topCoverage),
      `Share of its co-activations that go to its ${topT} strongest collaborators.`,
    ],
    [
      "most likely next expert",
      detail.nextExpert === null ? "—" : `${detail.nextExpert} (hit rate ${formatValue(detail.nextHitRate)})`,
      "A7: argmax_j T[i][j] at the next MoE layer, and how often it is really in the next top-k.",
    ],
  ];
  return (
    <section
      aria-label={`expert ${expert} at layer ${layer}`}
      className="flex flex-wrap items-start gap-10 text-sm"
      data-testid="expert-detail"
    >
      <div>
        <h2 className="mb-2 font-semibold">
          Expert {expert} at layer {layer}{" "}
          <Link className="text-xs font-normal text-indigo-600 underline" href={`/runs/${runId}/layers/${layer}`}>
            open the layer
          </Link>
        </h2>
        <dl className="grid grid-cols-[auto_auto] gap-x-4 gap-y-1">
          {stats.map(([k, v, def]) => (
            <div key={k} className="contents">
              <dt>
                {k}
                {def ? <DefinitionNote text={def} /> : null}
              </dt>
              <dd className="num text-right">{v}</dd>
            </div>
          ))}
        </dl>
      </div>
      <div>
        <h2 className="mb-2 font-semibold">
          Top-{topT} collaborators
          <DefinitionNote text="The experts it is most often co-activated with at this layer (largest C_ij); share = C_ij / Σ_j C_ij." />
        </h2>
        <table className="[&_td]:pr-4" data-testid="top-collaborators">
          <thead>
            <tr className="text-left text-xs text-zinc-500">
              <th className="pr-4">expert</th>
              <th className="pr-4 text-right">co-activations</th>
              <th className="text-right">share</th>
            </tr>
          </thead>
          <tbody>
            {detail.topCollaborators.map((c) => (
              <tr key={c.expert}>
                <td>
                  <Link
                    className="text-indigo-600 underline"
                    href={`/runs/${runId}/experts/${c.expert}?layer=${layer}`}
                  >
                    {c.expert}
                  </Link>
                </td>
                <td className="num text-right">{formatValue(c.count)}</td>
                <td className="num text-right">{formatValue(c.share)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {detail.labelMix ? (
        <div>
          <h2 className="mb-2 font-semibold">
            Label mix
            <DefinitionNote
              text={`p(label | expert): the share of its tokens carrying each label (A8). KL from the layer's overall mix: ${formatValue(detail.labelKl)} nats (0 = no specialization).`}
            />
          </h2>
          <ul className="flex flex-col gap-1" data-testid="label-mix">
            {labels.map((name) => (
              <li key={name} className="flex items-center gap-2">
                <span className="w-20 truncate">{name}</span>
                <span className="h-2 bg-indigo-500" style={{ width: `${(detail.labelMix![name] ?? 0) * 160}px` }} />
                <span className="num text-xs">{formatValue(detail.labelMix![name])}</span>
              </li>
            ))}
          </ul>
          <p className="mt-1 text-xs text-zinc-500">KL from the layer mix: {formatValue(detail.labelKl)} nats</p>
        </div>
      ) : null}
    </section>
  );
}

/** §5 tied back to routing: which pruning runs dropped this expert (and when), what bits it got. */
function StoredResults({ data, layer }: { data: ExpertData; layer: number }) {
  if (!data.pruning.length && !data.bits.length) return null;
  return (
    <section
      aria-label="pruning and quantization"
      className="flex flex-wrap gap-10 text-sm"
      data-testid="expert-stored-results"
    >
      {data.pruning.length ? (
        <div>
          <h2 className="mb-1 font-semibold">Pruning runs that dropped it</h2>
          <ul className="list-disc pl-5">
            {data.pruning.map((p) => (
              <li key={p.id}>
                <Link className="text-indigo-600 underline" href={`/pruning?ids=${p.id}`}>
                  {p.label} {p.schedule}
                </Link>
                :{" "}
                {p.stepPerLayer[layer]
                  ? `dropped at step ${p.stepPerLayer[layer]} in layer ${layer}`
                  : `kept in layer ${layer}`}{" "}
                · dropped in {p.stepPerLayer.filter((x) => x > 0).length} of {p.stepPerLayer.length} layers
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {data.bits.length ? (
        <div>
          <h2 className="mb-1 font-semibold">Its bits</h2>
          <ul className="list-disc pl-5" data-testid="expert-bits">
            {data.bits.map((q) => (
              <li key={q.id}>
                <Link className="text-indigo-600 underline" href={`/quantization?show=${q.id}`}>
                  {q.name}
                </Link>
                : {q.perLayer[layer]} bits in layer {layer} (average {q.avgBits.toFixed(2)})
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}
