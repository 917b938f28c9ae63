"use client";

import { useQueries } from "@tanstack/react-query";
import { useCallback } from "react";
import { placementQuery } from "@/lib/query/placement-queries";
import { PLACEMENT_STRATEGIES, type PlacementStrategy } from "@/lib/runs/compute-placement";
import {
  deviceChoices,
  effectiveLabState,
  parsePlacementViewState,
  placementHref,
  type PlacementViewState,
} from "@/lib/url/placement-view-state";
import { useViewLocation } from "@/components/share/view-location";
import { CT_DEFINITION } from "@/lib/analysis/metric-definitions";
import { DefinitionNote } from "@/components/ui/definition-note";
import { Exportable } from "@/components/viz/exportable";
import { formatValue } from "@/components/viz/format";
import { CtChart, STRATEGY_COLORS } from "./ct-chart";
import { DeviceGrid } from "./device-grid";
import { ServingPlanner } from "./serving-planner";
import { SimulationPanel } from "./simulation-panel";

/** The one device-load max/mean the lab shows, per placement and layer (also what the optimizer's bound limits). */
const DEVICE_LOAD_DEFINITION =
  "Device load = Σ of the loads (token-expert selections) of the experts on the device: the expert work it does. Shown: the largest device load over the mean device load, for this placement at this layer. The optimizer's load bound limits this same number.";

function bytesDefinition(r: { hidden: number | null; dtype: string; dtypeBytes: number } | undefined): string {
  return `A5: bytes = 2 · Σ_t |devices reached by token t| · hidden · dtype size (dispatch + combine), at this layer${r?.hidden ? `; hidden ${r.hidden}, ${r.dtype} (${r.dtypeBytes} bytes an element)` : "; needs the model's hidden size"}.`;
}

/** Bytes in binary units, 3 significant digits. */
function formatBytes(b: number | null): string {
  if (b === null) return "—";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let x = b;
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${x.toPrecision(3)} ${units[i]}`;
}

const input = "rounded border border-zinc-300 px-2 py-1 dark:border-zinc-600 dark:bg-zinc-800";

/** V6: strategies side by side, C_T per layer, the chosen layer's device x expert placement, and routing simulations. */
export function PlacementLab({
  runId,
  experts,
  layers,
  topK,
  noLogits,
}: {
  runId: string;
  experts: number;
  layers: number;
  topK: number;
  noLogits?: string;
}) {
  const { search, frozen, replace } = useViewLocation();
  const state = effectiveLabState(parsePlacementViewState(search), experts, layers);
  const { devices, layer } = state;
  const go = useCallback(
    (patch: Partial<PlacementViewState>) => {
      const current = parsePlacementViewState(new URLSearchParams(window.location.search));
      replace(placementHref(runId, { ...current, ...patch }));
    },
    [runId, replace],
  );
  const results = useQueries({
    queries: PLACEMENT_STRATEGIES.map((s) => placementQuery(runId, devices, s, state.maxImbalance)),
  });
  const byStrategy = Object.fromEntries(PLACEMENT_STRATEGIES.map((s, i) => [s, results[i].data])) as Record<
    PlacementStrategy,
    (typeof results)[number]["data"]
  >;
  const shown = byStrategy[state.show];
  const error = results.find((r) => r.error)?.error;
  const optimized = byStrategy.optimized;
  const anyResult = PLACEMENT_STRATEGIES.map((s) => byStrategy[s]).find((r) => r);

  return (
    <div className="flex flex-col gap-4">
      <fieldset disabled={frozen} className="flex flex-wrap items-end gap-4 text-sm">
        <label className="flex flex-col">
          Devices
          <select
            aria-label="devices"
            value={devices}
            onChange={(e) => go({ devices: Number(e.target.value) })}
            className={input}
          >
            {deviceChoices(experts).map((d) => (
              <option key={d} value={d}>
                {d} devices × {experts / d} experts
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col">
          Show placement of
          <select
            aria-label="strategy shown"
            value={state.show}
            onChange={(e) => go({ show: e.target.value as PlacementStrategy })}
            className={input}
          >
            {PLACEMENT_STRATEGIES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label className="flex flex-col">
          <span>
            Optimizer load bound
            <DefinitionNote text="Load-aware placement: the optimizer keeps every device's summed expert load at most this many times the mean device load (empty: unbounded)." />
          </span>
          <input
            aria-label="max device imbalance"
            type="number"
            min={1}
            step={0.05}
            placeholder="none"
            defaultValue={state.maxImbalance ?? ""}
            key={state.maxImbalance ?? "none"}
            onBlur={(e) => go({ maxImbalance: e.target.value ? Math.max(1, Number(e.target.value)) : undefined })}
            onKeyDown={(e) => e.key === "Enter" && e.currentTarget.blur()}
            className={`${input} w-24`}
          />
        </label>
        <label className="flex flex-col">
          Layer <span className="num">{layer}</span>
          <input
            type="range"
            min={0}
            max={layers - 1}
            value={layer}
            aria-label="layer"
            onChange={(e) => go({ layer: Number(e.target.value) })}
            className="w-48 accent-indigo-600"
          />
        </label>
      </fieldset>
      {error ? (
        <p role="alert" className="text-red-600">
          {error.message}
        </p>
      ) : null}
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
            <th className="text-right">
              all-to-all bytes at layer {layer}
              <DefinitionNote text={bytesDefinition(anyResult)} />
            </th>
            <th className="text-right">
              device load max/mean at layer {layer}
              <DefinitionNote text={DEVICE_LOAD_DEFINITION} />
            </th>
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
                  {s === "optimized" && state.maxImbalance ? (
                    <span className="text-zinc-500"> (load ≤ {state.maxImbalance}× mean)</span>
                  ) : null}
                </td>
                <td className="num text-right" data-testid={`ct-mean-${s}`}>
                  {r ? formatValue(r.ctMean) : "…"}
                </td>
                <td className="num text-right">
                  {r ? (r.reductionMean != null ? `${(r.reductionMean * 100).toFixed(1)}%` : "—") : "…"}
                </td>
                <td className="num text-right">{r ? formatValue(r.ctPerLayer[layer]) : "…"}</td>
                <td className="num text-right" data-testid={`bytes-${s}`}>
                  {r ? formatBytes(r.bytesPerLayer[layer]) : "…"}
                </td>
                <td className="num text-right" data-testid={`imbalance-${s}`}>
                  {r ? formatValue(r.assignmentImbalance[layer]) : "…"}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {anyResult ? (
        <p className="text-xs text-zinc-600 dark:text-zinc-400" data-testid="bytes-note">
          {anyResult.hidden
            ? `Bytes = 2 · Σ_t |devices| · hidden ${anyResult.hidden} · ${anyResult.dtypeBytes} B (${anyResult.dtype}): dispatch + combine, per layer.`
            : `Bytes need the model's hidden size, which this run's model does not state (dtype ${anyResult.dtype}, ${anyResult.dtypeBytes} B).`}
        </p>
      ) : null}
      {shown ? (
        <p
          className={`text-sm ${shown.exact ? "text-zinc-600 dark:text-zinc-400" : "text-amber-700"}`}
          data-testid="placement-note"
        >
          {shown.note}
        </p>
      ) : null}
      {byStrategy.contiguous?.meanCollaborationEntropy != null ? (
        <p className="text-xs text-zinc-600 dark:text-zinc-400" data-testid="lab-entropy">
          Mean collaboration entropy of this run: {formatValue(byStrategy.contiguous.meanCollaborationEntropy)} nats
          <DefinitionNote text="A3, mean over experts and layers of H_i = −Σ_j p_ij ln p_ij, p_ij = C_ij / Σ_j C_ij. Lower means each expert co-activates with a few partners, which collaboration-aware placement can put on one device (C2R training lowers it)." />
        </p>
      ) : null}
      {optimized?.boundMissed.length ? (
        <p className="text-sm text-amber-700" role="status">
          No placement found within the load bound on layers {optimized.boundMissed.join(", ")}; the most balanced one
          is shown there.
        </p>
      ) : null}
      <Exportable
        name={`C_T per layer on ${devices} devices`}
        table={{
          columns: [
            "layer",
            ...PLACEMENT_STRATEGIES.map((s) => `ct_${s}`),
            ...PLACEMENT_STRATEGIES.map((s) => `bytes_${s}`),
            ...PLACEMENT_STRATEGIES.map((s) => `device_load_max_over_mean_${s}`),
          ],
          rows: Array.from({ length: layers }, (_, l) => [
            l,
            ...PLACEMENT_STRATEGIES.map((s) => byStrategy[s]?.ctPerLayer[l] ?? null),
            ...PLACEMENT_STRATEGIES.map((s) => byStrategy[s]?.bytesPerLayer[l] ?? null),
            ...PLACEMENT_STRATEGIES.map((s) => byStrategy[s]?.assignmentImbalance[l] ?? null),
          ]),
        }}
        data={byStrategy}
      >
        {anyResult &&
        PLACEMENT_STRATEGIES.every((s) => !byStrategy[s] || byStrategy[s]!.ctPerLayer.every((v) => v === null)) ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="ct-chart-empty">
            No C_T per layer to draw for this run (the note above says why).
          </p>
        ) : (
          <CtChart
            series={PLACEMENT_STRATEGIES.filter((s) => byStrategy[s]).map((s) => ({
              strategy: s,
              ct: byStrategy[s]!.ctPerLayer,
            }))}
            layer={layer}
            onLayer={(l) => !frozen && go({ layer: l })}
          />
        )}
      </Exportable>
      {shown ? (
        <Exportable
          name={`${state.show} placement on ${devices} devices`}
          table={{
            columns: ["layer", "device", "experts", "expert_load", "tokens_reaching_device"],
            rows: shown.placement.flatMap((p, l) =>
              p.map((group, d) => [
                l,
                d,
                group.join(" "),
                shown.expertLoad[l][d] ?? null,
                shown.deviceLoad[l][d] ?? null,
              ]),
            ),
          }}
          data={{
            strategy: state.show,
            devices,
            placement: shown.placement,
            expertLoad: shown.expertLoad,
            deviceLoad: shown.deviceLoad,
          }}
        >
          <DeviceGrid
            placement={shown.placement[layer]}
            expertLoad={shown.expertLoad[layer]}
            tokensReaching={shown.deviceLoad[layer]}
            title={`${state.show} placement of layer ${layer} (top-${topK})`}
          />
        </Exportable>
      ) : (
        <p>Computing placements…</p>
      )}
      <ServingPlanner runId={runId} experts={experts} layer={layer} state={state} go={go} frozen={frozen} />
      <SimulationPanel
        runId={runId}
        experts={experts}
        layers={layers}
        topK={topK}
        noLogits={noLogits}
        state={state}
        go={go}
        frozen={frozen}
      />
    </div>
  );
}
