"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { apiFetch } from "@/lib/query/api-fetch";
import type { runSimulation } from "@/lib/runs/run-simulation";
import { DefinitionNote } from "@/components/ui/definition-note";
import { formatValue } from "@/components/viz/format";

type SimResult = Awaited<ReturnType<typeof runSimulation>>;
type Spec = { kind: "c2r"; topT: number } | { kind: "device-limited"; devices: number; maxDevices: number } | { kind: "drop"; expert: number };

const input = "rounded border border-zinc-300 px-2 py-1 text-sm dark:border-zinc-600 dark:bg-zinc-800";

/** V6, simulation part: C2R, device-limited routing or dropping one expert, replayed from stored logits (A6). */
export function SimulationPanel({ runId, experts, layers, devices }: { runId: string; experts: number; layers: number; devices: number }) {
  const [draft, setDraft] = useState<Spec>({ kind: "c2r", topT: 1 });
  const [spec, setSpec] = useState<Spec | null>(null);
  const body = spec && (spec.kind === "drop" ? { kind: "drop", experts: Array.from({ length: layers }, () => [spec.expert]), reportDevices: devices } : { ...spec, reportDevices: devices });
  const { data, error, isFetching } = useQuery({
    queryKey: ["runs", runId, "simulation", body],
    queryFn: () => apiFetch<SimResult>(`/api/runs/${runId}/simulations`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    enabled: body !== null,
    staleTime: Infinity,
    retry: false,
  });
  const rows: [string, string, number | null, number | null][] = data
    ? [
        ["C_T (contiguous)", `mean devices per token on ${devices} devices`, data.mean.ctOriginal, data.mean.ctSimulated],
        ["max / mean load", "largest expert load over the mean", data.mean.maxOverMeanOriginal, data.mean.maxOverMeanSimulated],
      ]
    : [];
  return (
    <section aria-label="routing simulations" className="flex flex-col gap-3 rounded border border-zinc-200 p-4 dark:border-zinc-800" data-testid="simulation-panel">
      <h2 className="font-semibold">Routing simulations (from stored router logits)</h2>
      <div className="flex flex-wrap items-end gap-3 text-sm">
        <label className="flex flex-col">
          Policy
          <select aria-label="simulation" className={input} value={draft.kind} onChange={(e) => setDraft(e.target.value === "c2r" ? { kind: "c2r", topT: 1 } : e.target.value === "drop" ? { kind: "drop", expert: 0 } : { kind: "device-limited", devices, maxDevices: 1 })}>
            <option value="c2r">C2R (collaboration-constrained)</option>
            <option value="device-limited">device-limited routing</option>
            <option value="drop">drop one expert in every layer</option>
          </select>
        </label>
        {draft.kind === "c2r" ? (
          <label className="flex flex-col">
            Top-T
            <input aria-label="Top-T" type="number" min={1} max={experts - 1} value={draft.topT} className={`${input} w-20`} onChange={(e) => setDraft({ kind: "c2r", topT: Number(e.target.value) })} />
          </label>
        ) : draft.kind === "device-limited" ? (
          <label className="flex flex-col">
            M of {devices} devices
            <input aria-label="max devices" type="number" min={1} max={devices} value={draft.maxDevices} className={`${input} w-20`} onChange={(e) => setDraft({ kind: "device-limited", devices, maxDevices: Number(e.target.value) })} />
          </label>
        ) : (
          <label className="flex flex-col">
            Expert
            <input aria-label="dropped expert" type="number" min={0} max={experts - 1} value={draft.expert} className={`${input} w-20`} onChange={(e) => setDraft({ kind: "drop", expert: Number(e.target.value) })} />
          </label>
        )}
        <button type="button" onClick={() => setSpec(draft)} className="rounded bg-indigo-600 px-3 py-1.5 font-medium text-white hover:bg-indigo-700">
          {isFetching ? "Simulating…" : "Simulate"}
        </button>
      </div>
      {error ? (
        <p role="alert" className="text-sm text-amber-800 dark:text-amber-300" data-testid="simulation-error">
          {error.message}
        </p>
      ) : null}
      {data ? (
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
              <td className="num text-right" data-testid="flip-rate">{formatValue(data.mean.flipRate)}</td>
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
      ) : null}
    </section>
  );
}
