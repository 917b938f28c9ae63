"use client";

import { useQueries } from "@tanstack/react-query";
import { useSearchParams } from "next/navigation";
import { useCallback } from "react";
import { placementQuery } from "@/lib/query/placement-queries";
import { PLACEMENT_STRATEGIES, type PlacementStrategy } from "@/lib/runs/compute-placement";
import { parsePlacementViewState, placementHref, type PlacementViewState } from "@/lib/url/placement-view-state";
import { DefinitionNote } from "@/components/ui/definition-note";
import { formatValue } from "@/components/viz/format";
import { CtChart, STRATEGY_COLORS } from "./ct-chart";
import { DeviceGrid } from "./device-grid";
import { SimulationPanel } from "./simulation-panel";

const CT_DEFINITION = "C_T: mean number of distinct devices a token's top-k experts live on, i.e. copies the all-to-all sends per token (k without co-location).";

/** V6 (placement part): strategies side by side, C_T per layer, the chosen layer's device x expert placement. */
export function PlacementLab({ runId, experts, layers, topK }: { runId: string; experts: number; layers: number; topK: number }) {
  const search = useSearchParams();
  const state = parsePlacementViewState(new URLSearchParams(search.toString()));
  const layer = Math.min(state.layer, layers - 1);
  const go = useCallback(
    (patch: Partial<PlacementViewState>) => {
      const current = parsePlacementViewState(new URLSearchParams(window.location.search));
      window.history.replaceState(null, "", placementHref(runId, { ...current, ...patch }));
    },
    [runId],
  );
  const divisors = Array.from({ length: experts }, (_, i) => i + 1).filter((d) => experts % d === 0 && d > 1);
  const devices = divisors.includes(state.devices) ? state.devices : divisors[Math.min(1, divisors.length - 1)];
  const results = useQueries({ queries: PLACEMENT_STRATEGIES.map((s) => placementQuery(runId, devices, s)) });
  const byStrategy = Object.fromEntries(PLACEMENT_STRATEGIES.map((s, i) => [s, results[i].data])) as Record<PlacementStrategy, (typeof results)[number]["data"]>;
  const shown = byStrategy[state.show];
  const error = results.find((r) => r.error)?.error;

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end gap-4 text-sm">
        <label className="flex flex-col">
          Devices
          <select aria-label="devices" value={devices} onChange={(e) => go({ devices: Number(e.target.value) })} className="rounded border border-zinc-300 px-2 py-1 dark:border-zinc-600 dark:bg-zinc-800">
            {divisors.map((d) => (
              <option key={d} value={d}>
                {d} devices × {experts / d} experts
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col">
          Show placement of
          <select aria-label="strategy shown" value={state.show} onChange={(e) => go({ show: e.target.value as PlacementStrategy })} className="rounded border border-zinc-300 px-2 py-1 dark:border-zinc-600 dark:bg-zinc-800">
            {PLACEMENT_STRATEGIES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label className="flex flex-col">
          Layer <span className="num">{layer}</span>
          <input type="range" min={0} max={layers - 1} value={layer} aria-label="layer" onChange={(e) => go({ layer: Number(e.target.value) })} className="w-48 accent-indigo-600" />
        </label>
      </div>
      {error ? <p role="alert" className="text-red-600">{error.message}</p> : null}
      <table className="text-sm [&_td]:px-3 [&_th]:px-3" data-testid="strategy-table">
        <thead>
          <tr className="text-left">
            <th>strategy</th>
            <th className="text-right">
              mean C_T
              <DefinitionNote text={CT_DEFINITION} />
            </th>
            <th className="text-right">
              vs contiguous
              <DefinitionNote text="1 − C_T / C_T(contiguous), averaged over layers: the share of all-to-all copies saved." />
            </th>
            <th className="text-right">C_T at layer {layer}</th>
          </tr>
        </thead>
        <tbody>
          {PLACEMENT_STRATEGIES.map((s) => {
            const r = byStrategy[s];
            return (
              <tr key={s} data-strategy={s}>
                <td>
                  <span className="mr-2 inline-block h-2 w-4 align-middle" style={{ background: STRATEGY_COLORS[s] }} />
                  {s}
                </td>
                <td className="num text-right" data-testid={`ct-mean-${s}`}>{r ? formatValue(r.ctMean) : "…"}</td>
                <td className="num text-right">{r?.reductionMean != null ? `${(r.reductionMean * 100).toFixed(1)}%` : "…"}</td>
                <td className="num text-right">{r ? formatValue(r.ctPerLayer[layer]) : "…"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {shown && !shown.exact ? <p className="text-sm text-amber-700">{shown.note}</p> : null}
      <CtChart series={PLACEMENT_STRATEGIES.filter((s) => byStrategy[s]).map((s) => ({ strategy: s, ct: byStrategy[s]!.ctPerLayer }))} layer={layer} onLayer={(l) => go({ layer: l })} />
      {shown ? <DeviceGrid placement={shown.placement[layer]} deviceLoad={shown.deviceLoad[layer]} title={`${state.show} placement of layer ${layer} (top-${topK})`} /> : <p>Computing placements…</p>}
      <SimulationPanel runId={runId} experts={experts} layers={layers} devices={devices} />
    </div>
  );
}
