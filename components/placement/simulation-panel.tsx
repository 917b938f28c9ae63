"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { simulationQuery, type SimulationResult } from "@/lib/query/placement-queries";
import { runsListQuery } from "@/lib/query/run-queries";
import { simulationBody, type PlacementViewState, type SimulationKind } from "@/lib/url/placement-view-state";
import { BALANCE_DEFINITIONS, CT_DEFINITION } from "@/lib/analysis/metric-definitions";
import { DefinitionNote } from "@/components/ui/definition-note";
import { Exportable } from "@/components/viz/exportable";
import { formatValue } from "@/components/viz/format";
import { SimulationLayerChart } from "./simulation-layer-chart";

const input = "rounded border border-zinc-300 px-2 py-1 text-sm dark:border-zinc-600 dark:bg-zinc-800";

type Draft = Pick<PlacementViewState, "topT" | "from" | "maxDevices"> & { sim: SimulationKind; drop: string };

interface Props {
  runId: string;
  experts: number;
  layers: number;
  topK: number;
  /** Set when no event of the run carries router logits: why nothing can be simulated (undefined: there are logits, or unknown as in a snapshot). */
  noLogits?: string;
  state: PlacementViewState;
  go: (patch: Partial<PlacementViewState>) => void;
  frozen: boolean;
}

/**
 * V6, simulation part: C2R, device-limited routing or expert dropping replayed from the stored
 * logits (A6). The form is a draft; Simulate writes it to the URL, which is what is computed and shared.
 */
export function SimulationPanel({ runId, experts, layers, topK, noLogits: noLogitsReason, state, go, frozen }: Props) {
  const { devices } = state;
  // C2R picks k − 1 experts among TopT(e1): fewer candidates are refused by the API (400), so the form starts at k − 1.
  const minT = Math.max(1, topK - 1);
  const [draft, setDraft] = useState<Draft>({
    sim: state.sim ?? "c2r",
    topT: Math.max(state.topT, minT),
    from: state.from,
    maxDevices: state.maxDevices,
    drop: state.drop?.join(",") ?? "0",
  });
  const body = simulationBody(state, layers, devices);
  const noLogits = noLogitsReason !== undefined;
  const { data, error, isFetching } = useQuery({
    ...simulationQuery(runId, body!),
    enabled: body !== null && !noLogits,
  });
  const tooFewT = draft.sim === "c2r" && draft.topT < minT;
  const sameShape = useQuery({
    ...runsListQuery(),
    enabled: !frozen,
    select: (r) => r.runs.filter((x) => x.id !== runId && x.model.experts === experts && x.model.layers === layers),
  });
  const dropList = /^\s*\d+(\s*,\s*\d+)*\s*$/.test(draft.drop)
    ? draft.drop.split(",").map((x) => Number(x.trim()))
    : null;
  const submit = () =>
    go({
      sim: draft.sim,
      topT: draft.topT,
      from: draft.sim === "c2r" ? draft.from : undefined,
      maxDevices: draft.maxDevices,
      drop: draft.sim === "drop" ? (dropList ?? undefined) : undefined,
    });

  return (
    <section
      aria-label="routing simulations"
      className="flex flex-col gap-3 rounded border border-zinc-200 p-4 dark:border-zinc-800"
      data-testid="simulation-panel"
    >
      <h2 className="font-semibold">Routing simulations (from stored router logits)</h2>
      <fieldset disabled={frozen} className="flex flex-wrap items-end gap-3 text-sm">
        <label className="flex flex-col">
          Policy
          <select
            aria-label="simulation"
            className={input}
            value={draft.sim}
            onChange={(e) => setDraft({ ...draft, sim: e.target.value as SimulationKind })}
          >
            <option value="c2r">C2R (collaboration-constrained)</option>
            <option value="device-limited">device-limited routing</option>
            <option value="drop">drop experts in every layer</option>
          </select>
        </label>
        {draft.sim === "c2r" ? (
          <>
            <label className="flex flex-col">
              Top-T
              <input
                aria-label="Top-T"
                type="number"
                min={minT}
                max={experts - 1}
                value={draft.topT}
                aria-invalid={tooFewT}
                className={`${input} w-20`}
                onChange={(e) => setDraft({ ...draft, topT: Math.max(1, Number(e.target.value)) })}
              />
            </label>
            <label className="flex flex-col">
              Collaborators from
              <select
                aria-label="collaborators from"
                className={input}
                value={draft.from ?? ""}
                onChange={(e) => setDraft({ ...draft, from: e.target.value || undefined })}
              >
                <option value="">this run</option>
                {(sameShape.data ?? []).map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name}
                  </option>
                ))}
                {draft.from && !sameShape.data?.some((r) => r.id === draft.from) ? (
                  <option value={draft.from}>run {draft.from}</option>
                ) : null}
              </select>
            </label>
          </>
        ) : draft.sim === "device-limited" ? (
          <label className="flex flex-col">
            M of {devices} devices
            <input
              aria-label="max devices"
              type="number"
              min={1}
              max={devices}
              value={draft.maxDevices}
              className={`${input} w-20`}
              onChange={(e) => setDraft({ ...draft, maxDevices: Math.max(1, Number(e.target.value)) })}
            />
          </label>
        ) : (
          <label className="flex flex-col">
            Experts (comma-separated)
            <input
              aria-label="dropped experts"
              value={draft.drop}
              aria-invalid={!dropList}
              className={`${input} w-32`}
              onChange={(e) => setDraft({ ...draft, drop: e.target.value })}
            />
          </label>
        )}
        <button
          type="button"
          onClick={submit}
          disabled={noLogits || (draft.sim === "drop" && !dropList) || tooFewT}
          aria-describedby={noLogits ? "simulate-disabled-reason" : undefined}
          className="rounded bg-indigo-600 px-3 py-1.5 font-medium text-white hover:bg-indigo-700 disabled:cursor-not-allowed disabled:opacity-50"
        >
          {isFetching ? "Simulating…" : "Simulate"}
        </button>
        {state.sim ? (
          <button
            type="button"
            onClick={() => go({ sim: undefined })}
            className="rounded border border-zinc-300 px-3 py-1.5 dark:border-zinc-600"
          >
            Clear
          </button>
        ) : null}
      </fieldset>
      {noLogits ? (
        <p
          id="simulate-disabled-reason"
          className="text-sm text-amber-800 dark:text-amber-300"
          data-testid="simulate-disabled-reason"
        >
          Simulate is disabled: {noLogitsReason}. C2R, device-limited routing and expert dropping re-route every token
          from its logits, so they cannot be simulated here; upload events with a logits field to use them.
        </p>
      ) : null}
      {draft.sim === "c2r" && !noLogits ? (
        <p className="text-xs text-zinc-500" data-testid="topt-hint">
          C2R keeps e1 (the argmax) and picks the other k − 1 = {topK - 1} experts among TopT(e1), its T strongest
          collaborators, so T must be at least {minT}
          {tooFewT ? <span className="text-amber-700"> (T = {draft.topT} is too few)</span> : null}.
        </p>
      ) : null}
      {body && !noLogits ? (
        <p className="text-xs text-zinc-500">
          Showing: {describe(state)}; C_T counted on {devices} devices.
        </p>
      ) : null}
      {error ? (
        <p role="alert" className="text-sm text-amber-800 dark:text-amber-300" data-testid="simulation-error">
          {error.message}
        </p>
      ) : null}
      {data && body && !noLogits ? <SimulationResultView data={data} layer={state.layer} show={state.show} /> : null}
    </section>
  );
}

function describe(s: PlacementViewState): string {
  if (s.sim === "c2r") return `C2R with T = ${s.topT}, collaborators from ${s.from ? `run ${s.from}` : "this run"}`;
  if (s.sim === "device-limited") return `device-limited routing to ${s.maxDevices} of ${s.devices} devices`;
  return `experts ${s.drop?.join(", ")} dropped in every layer`;
}

function SimulationResultView({
  data,
  layer,
  show,
}: {
  data: SimulationResult;
  layer: number;
  show: PlacementViewState["show"];
}) {
  const rows: [string, string, number | null, number | null][] = [
    [
      `C_T, contiguous placement on ${data.devices} devices`,
      CT_DEFINITION,
      data.mean.ctOriginal,
      data.mean.ctSimulated,
    ],
    [
      "max / mean load",
      "Largest expert load over the mean load, mean over layers.",
      data.mean.maxOverMeanOriginal,
      data.mean.maxOverMeanSimulated,
    ],
    [
      "collaboration entropy",
      "Mean over experts and layers of H_i = −Σ_j p_ij ln p_ij, p_ij = C_ij / Σ_j C_ij (A3): lower is more specialized collaboration.",
      data.mean.entropyOriginal,
      data.mean.entropySimulated,
    ],
  ];
  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-start gap-8">
        <table className="text-sm [&_td]:px-3 [&_th]:px-3" data-testid="simulation-result">
          <thead>
            <tr className="text-left">
              <th>over {formatValue(data.events)} events</th>
              <th className="text-right">original</th>
              <th className="text-right">simulated</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <td>
                top-k flip rate
                <DefinitionNote text="Share of tokens whose top-k set changed, mean over layers." />
              </td>
              <td />
              <td className="num text-right" data-testid="flip-rate">
                {formatValue(data.mean.flipRate)}
              </td>
            </tr>
            <tr>
              <td>
                routing mass retained
                <DefinitionNote text="Σ of the original router scores over the new top-k ÷ over the old top-k, mean over layers." />
              </td>
              <td />
              <td className="num text-right">{formatValue(data.mean.massRetained)}</td>
            </tr>
            {rows.map(([label, def, a, b]) => (
              <tr key={label}>
                <td>
                  {label}
                  <DefinitionNote text={def} />
                </td>
                <td className="num text-right">{formatValue(a)}</td>
                <td className="num text-right">{formatValue(b)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table className="text-sm [&_td]:px-3 [&_th]:px-3" data-testid="simulation-strategies">
          <thead>
            <tr className="text-left">
              <th>
                placement
                <DefinitionNote text="Each strategy's placement comes from this run's original co-activation (what would be deployed); C_T is counted per token for the original and the simulated routing." />
              </th>
              <th className="text-right">C_T original</th>
              <th className="text-right">C_T simulated</th>
              <th className="text-right">change</th>
            </tr>
          </thead>
          <tbody>
            {data.strategies.map((s) => (
              <tr key={s.strategy} data-strategy={s.strategy}>
                <td>{s.strategy}</td>
                <td className="num text-right">{formatValue(s.ctOriginal)}</td>
                <td className="num text-right">{formatValue(s.ctSimulated)}</td>
                <td className="num text-right">
                  {s.ctOriginal && s.ctSimulated !== null
                    ? `${(((s.ctSimulated - s.ctOriginal) / s.ctOriginal) * 100).toFixed(1)}%`
                    : "—"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <details className="text-sm">
        <summary className="cursor-pointer">Every balance metric (A1), mean over layers</summary>
        <table className="mt-2 [&_td]:px-3 [&_th]:px-3" data-testid="simulation-balance">
          <thead>
            <tr className="text-left">
              <th>metric</th>
              <th className="text-right">original</th>
              <th className="text-right">simulated</th>
            </tr>
          </thead>
          <tbody>
            {data.balance.map((b) => (
              <tr key={b.metric}>
                <td>
                  {BALANCE_DEFINITIONS[b.metric].label}
                  <DefinitionNote text={BALANCE_DEFINITIONS[b.metric].definition} />
                </td>
                <td className="num text-right">{formatValue(b.original)}</td>
                <td className="num text-right">{formatValue(b.simulated)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
      <Exportable
        name={`simulation ${data.kind} per layer`}
        table={{
          columns: [
            "layer",
            "tokens",
            "flip_rate",
            "mass_retained",
            `ct_original_${show}`,
            `ct_simulated_${show}`,
            "max_over_mean_original",
            "max_over_mean_simulated",
            "entropy_original",
            "entropy_simulated",
          ],
          rows: data.layers.map((l) => [
            l.layer,
            l.tokens,
            l.flipRate,
            l.massRetained,
            l.original.ctBy[show],
            l.simulated.ctBy[show],
            l.original.maxOverMean,
            l.simulated.maxOverMean,
            l.original.entropy,
            l.simulated.entropy,
          ]),
        }}
        data={data}
      >
        <SimulationLayerChart layers={data.layers} strategy={show} devices={data.devices} layer={layer} />
      </Exportable>
      {data.eventsWithoutLogits ? (
        <p className="text-xs text-amber-700">
          {formatValue(data.eventsWithoutLogits)} events without logits were left out.
        </p>
      ) : null}
    </div>
  );
}
