"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useCallback } from "react";
import { nextLayerPredictability } from "@/lib/analysis/transitions";
import { flowQuery } from "@/lib/query/run-queries";
import { useTransitionsFrame } from "@/components/layer/use-layer-frame";
import { flowHref, parseFlowViewState, type FlowViewState } from "@/lib/url/flow-view-state";
import { useViewLocation } from "@/components/share/view-location";
import { DefinitionNote } from "@/components/ui/definition-note";
import { flatMatrixToCsv, matrixRows, toCsv } from "@/components/viz/export";
import { Exportable } from "@/components/viz/exportable";
import { formatValue } from "@/components/viz/format";
import { LayerSeriesChart } from "@/components/viz/layer-series-chart";
import { FlowDiagram, strongestLinks } from "./flow-diagram";

const PREDICTABILITY_DEF =
  "A7: for each expert i of layer l, its most likely successor j* = argmax_j T[i][j]; the layer's predictability is Σ_i T[i][j*] / Σ_i load_i, how often prefetching the one most likely next expert would have been right. Chance is k / E.";
const input = "rounded border border-zinc-300 px-2 py-1 text-sm dark:border-zinc-600 dark:bg-zinc-800";

/** V7: how routing flows from one layer to the next. */
export function CrossLayerFlow({ runId, layers, experts }: { runId: string; layers: number; experts: number }) {
  const { search, frozen, replace } = useViewLocation();
  const state = parseFlowViewState(search);
  const layer = Math.min(state.layer, Math.max(0, layers - 2));
  const go = useCallback(
    (patch: Partial<FlowViewState>) =>
      replace(flowHref(runId, { ...parseFlowViewState(new URLSearchParams(window.location.search)), ...patch })),
    [runId, replace],
  );
  const flow = useQuery(flowQuery(runId));
  // Transitions as a typed array (binary frame; a share: its pinned JSON).
  const detail = useTransitionsFrame(runId, layer, frozen);
  const T = detail.data?.layer === layer ? (detail.data.transitions ?? null) : null;
  const perExpert = T && detail.data ? nextLayerPredictability(T, detail.data.load, experts).perExpert : null;
  const error = flow.error ?? detail.error;

  return (
    <div className="flex flex-col gap-4">
      <fieldset disabled={frozen} className="flex flex-wrap items-end gap-4 text-sm">
        <label className="flex flex-col">
          From layer{" "}
          <span className="num">
            {layer} → {layer + 1}
          </span>
          <input
            type="range"
            min={0}
            max={Math.max(0, layers - 2)}
            value={layer}
            aria-label="layer"
            onChange={(e) => go({ layer: Number(e.target.value) })}
            className="w-56 accent-indigo-600"
          />
        </label>
        <label className="flex flex-col">
          Strongest transitions drawn
          <input
            aria-label="links drawn"
            type="number"
            min={1}
            max={2000}
            value={state.links}
            className={`${input} w-24`}
            onChange={(e) => go({ links: Math.max(1, Number(e.target.value)) })}
          />
        </label>
      </fieldset>
      {error ? (
        <p role="alert" className="text-red-600">
          {error.message}
        </p>
      ) : null}
      {flow.data ? (
        <Exportable
          className="max-w-full"
          name="next-layer predictability per layer"
          csv={() =>
            toCsv(
              ["layer", "tokens", "transitions", "predictability"],
              flow.data.layers.map((l) => [l.layer, l.tokens, l.transitions, l.predictability]),
            )
          }
          json={() => flow.data}
        >
          <LayerSeriesChart
            title={`next-layer predictability per layer (mean ${formatValue(flow.data.meanPredictability)}, chance ${formatValue(flow.data.chance)})`}
            values={flow.data.layers.map((l) => l.predictability)}
            layer={layer}
            onLayer={frozen ? undefined : (l) => go({ layer: Math.min(l, layers - 2) })}
            reference={{ value: flow.data.chance, label: "chance k/E" }}
            color="#0ea5e9"
            testId="predictability-chart"
          />
          <p className="text-xs text-zinc-500">
            Predictability
            <DefinitionNote text={PREDICTABILITY_DEF} />: what expert prefetching (MoE-Infinity, ExFlow) relies on.
            Layers without a value have no recorded transitions.
          </p>
        </Exportable>
      ) : null}
      {detail.data && !T ? (
        <p className="text-amber-700">
          No transitions recorded from layer {layer}: traces need token positions (or token-major order) to link layers.
        </p>
      ) : null}
      {T && detail.data ? (
        <div className="flex flex-wrap items-start gap-8">
          <Exportable
            className="max-w-full"
            name={`transitions layer ${layer} to ${layer + 1}`}
            csv={() => flatMatrixToCsv(T, experts, undefined, "from\\to")}
            json={() => ({ run: runId, layer, next: layer + 1, transitions: matrixRows(T, experts) })}
          >
            <FlowDiagram
              transitions={T}
              experts={experts}
              layer={layer}
              links={strongestLinks(T, experts, state.links)}
            />
          </Exportable>
          <section aria-label="most likely next expert" className="text-sm">
            <h2 className="mb-2 font-semibold">Most likely next expert</h2>
            <table className="[&_td]:pr-4" data-testid="next-expert-table">
              <thead>
                <tr className="text-left text-xs text-zinc-500">
                  <th className="pr-4">expert at {layer}</th>
                  <th className="pr-4">next at {layer + 1}</th>
                  <th className="text-right">hit rate</th>
                </tr>
              </thead>
              <tbody>
                {perExpert!.slice(0, 64).map((p) => (
                  <tr key={p.expert}>
                    <td>
                      <Link
                        className="text-indigo-600 underline"
                        href={`/runs/${runId}/experts/${p.expert}?layer=${layer}`}
                      >
                        {p.expert}
                      </Link>
                    </td>
                    <td>{p.next ?? "—"}</td>
                    <td className="num text-right">{formatValue(p.hitRate)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {experts > 64 ? (
              <p className="text-xs text-zinc-500">First 64 experts; the CSV export has all of them.</p>
            ) : null}
          </section>
        </div>
      ) : null}
    </div>
  );
}
