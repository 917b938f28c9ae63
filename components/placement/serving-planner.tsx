"use client";

import { useQueries } from "@tanstack/react-query";
import { EXPORT_FILES, EXPORT_FORMATS, exportPlan, type ExportFormat } from "@/lib/analysis/plan-export";
import { planQuery, type PlanResult } from "@/lib/query/placement-queries";
import { planBodies, type PlacementViewState } from "@/lib/url/placement-view-state";
import { DefinitionNote } from "@/components/ui/definition-note";
import { Exportable } from "@/components/viz/exportable";
import { formatValue } from "@/components/viz/format";

const input = "rounded border border-zinc-300 px-2 py-1 dark:border-zinc-600 dark:bg-zinc-800";
const STRATEGIES = ["eplb", "optimized"] as const;
const COLORS = { before: "#a1a1aa", eplb: "#f59e0b", optimized: "#4f46e5" } as const;

const BALANCE_NOTE =
  "Before: the engines' default, slot p holds expert p mod E. GPU load = Σ over the GPU's slots of load_e / c_e (an expert's tokens split evenly over its c replicas). Balancedness = mean / max GPU load (vLLM's); max/mean its inverse. Means over layers.";
const CT_NOTE =
  "C_T over GPUs (nodes): the expected number of distinct GPUs (nodes) a token's top-k reaches when each expert picks one of its replicas uniformly: Σ_g 1 − Π_{e∈K_t} (1 − r_eg / c_e), averaged over tokens. Without replicas: |{dev(e) : e ∈ K_t}| (A5).";
const TIME_NOTE =
  "Dispatch + combine per layer: each token's hidden state crosses InfiniBand once per remote node it reaches and NVLink once per further GPU, tokens spread evenly over GPUs: 2 · tokensPerGpu · hidden · dtype bytes · (C_T,node · (N−1)/N / IB + C_T,GPU · (1 − N/G) / NVLink). Defaults: NVLink 450 GB/s, IB 50 GB/s per GPU, bf16, 4096 tokens per GPU.";

function download(name: string, mediaType: string, content: string) {
  const url = URL.createObjectURL(new Blob([content], { type: mediaType }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
}

const seconds = (s: number | null | undefined) => (s == null ? "—" : `${(s * 1e6).toFixed(1)} µs`);

/** A14 in the lab: EPLB and ours side by side, the slots of a layer, the window chart, engine files. */
export function ServingPlanner({
  runId,
  experts,
  layer,
  state,
  go,
  frozen,
}: {
  runId: string;
  experts: number;
  layer: number;
  state: PlacementViewState;
  go: (patch: Partial<PlacementViewState>) => void;
  frozen: boolean;
}) {
  const bodies = planBodies(state, experts);
  const results = useQueries({ queries: bodies ? STRATEGIES.map((s) => planQuery(runId, bodies[s])) : [] });
  const by = { eplb: results[0]?.data, optimized: results[1]?.data } as Record<
    (typeof STRATEGIES)[number],
    PlanResult | undefined
  >;
  const error = results.find((r) => r.error)?.error;
  const shown = by[state.pshow];
  const any = by.eplb ?? by.optimized;

  return (
    <section aria-label="serving planner" data-testid="serving-planner" className="flex flex-col gap-3 border-t pt-4">
      <h2 className="text-base font-semibold">
        Serving planner: redundant experts on GPUs and nodes (EPLB vs ours)
        <DefinitionNote text="A14. EPLB (DeepSeek's published algorithm, reproduced exactly): replicate the expert with the largest load per replica, pack slots heaviest first onto the lightest GPU with room, hierarchically over nodes when the nodes divide the expert groups. Ours keeps EPLB's replicas and packing as a start and swaps slots between GPUs to co-locate experts routed together, never letting any GPU's load exceed EPLB's max on the same layer." />
      </h2>
      <fieldset disabled={frozen} className="flex flex-wrap items-end gap-3 text-sm">
        {(
          [
            ["GPUs", "pgpus", bodies?.eplb.gpus ?? 8],
            ["slots", "pslots", bodies?.eplb.slots ?? ""],
            ["nodes", "pnodes", state.pnodes],
            ["expert groups", "pgroups", state.pgroups],
            ["window (tokens)", "pwin", state.pwin ?? ""],
          ] as const
        ).map(([label, key, value]) => (
          <label key={key} className="flex flex-col">
            {label}
            <input
              aria-label={`planner ${label}`}
              type="number"
              min={1}
              defaultValue={value}
              key={`${key}-${value}`}
              placeholder={key === "pwin" ? "whole run" : undefined}
              onBlur={(e) => {
                const v = e.target.value ? Math.max(1, Math.floor(Number(e.target.value))) : undefined;
                if (key === "pnodes" || key === "pgroups") go({ [key]: v ?? 1 });
                else go({ [key]: v, ...(key !== "pgpus" && state.pgpus === undefined ? { pgpus: 8 } : {}) });
              }}
              onKeyDown={(e) => e.key === "Enter" && e.currentTarget.blur()}
              className={`${input} w-24`}
            />
          </label>
        ))}
        <label className="flex flex-col">
          Draw slots of
          <select
            aria-label="planner strategy shown"
            value={state.pshow}
            onChange={(e) => go({ pshow: e.target.value as "eplb" | "optimized" })}
            className={input}
          >
            {STRATEGIES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        {state.pgpus === undefined ? (
          <button
            type="button"
            className="rounded bg-indigo-600 px-3 py-1 text-white"
            onClick={() => go({ pgpus: Math.min(8, experts) })}
          >
            Plan
          </button>
        ) : null}
      </fieldset>
      {error ? (
        <p role="alert" className="text-red-600" data-testid="planner-error">
          {error.message}
        </p>
      ) : null}
      {!bodies ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Set the GPUs (or press Plan) to plan this run&apos;s experts onto serving GPUs with redundant slots.
        </p>
      ) : !any ? (
        <p>Planning…</p>
      ) : (
        <>
          <PlanTable by={by} layer={layer} />
          <p className="text-xs text-zinc-600 dark:text-zinc-400" data-testid="planner-note">
            {any.split} {any.note} {any.policy === "hierarchical" ? "EPLB policy: hierarchical" : "EPLB policy: global"}{" "}
            ({any.groups} groups, {any.nodes} nodes, {any.gpus} GPUs × {any.slotsPerGpu} slots).
            {any.cost.hidden === null ? " Times need the model's hidden size." : ""}
          </p>
          {shown ? (
            <Exportable
              name={`${state.pshow} slots of layer ${layer}`}
              table={{
                columns: ["layer", "slot", "gpu", "expert", "replicas"],
                rows: shown.layers.flatMap((l, li) =>
                  l.phy2log.map((e, p) => [li, p, Math.floor(p / shown.slotsPerGpu), e, l.logcnt[e]]),
                ),
              }}
              data={shown}
            >
              <SlotGrid plan={shown} layer={layer} strategy={state.pshow} />
            </Exportable>
          ) : null}
          {shown ? (
            <div className="flex flex-wrap gap-2 text-sm" data-testid="plan-exports">
              <span className="self-center">Engine files ({state.pshow}):</span>
              {EXPORT_FORMATS.map((f) => (
                <button
                  key={f}
                  type="button"
                  className="rounded border border-zinc-300 px-2 py-1 dark:border-zinc-600"
                  onClick={() => download(EXPORT_FILES[f].name, EXPORT_FILES[f].mediaType, exportText(shown, f))}
                >
                  {label(f)}
                </button>
              ))}
            </div>
          ) : null}
          {by.eplb?.windows && by.optimized?.windows ? (
            <WindowChart eplb={by.eplb.windows} optimized={by.optimized.windows} nodes={any.nodes} />
          ) : (
            <p className="text-xs text-zinc-500">
              Set a window (tokens) to plan on one window and evaluate on the next.
            </p>
          )}
        </>
      )}
    </section>
  );
}

const label = (f: ExportFormat) =>
  ({
    sglang: "SGLang init_expert_location.json",
    vllm: "vLLM EPLB maps",
    trtllm: "TensorRT-LLM moe_load_balancer.yaml",
  })[f];

const exportText = (r: PlanResult, f: ExportFormat) =>
  exportPlan(
    {
      phy2log: r.layers.map((l) => l.phy2log),
      log2phy: r.layers.map((l) => l.log2phy),
      logcnt: r.layers.map((l) => l.logcnt),
    },
    f,
  );

function PlanTable({ by, layer }: { by: Record<"eplb" | "optimized", PlanResult | undefined>; layer: number }) {
  const base = by.eplb ?? by.optimized!;
  const rows = [
    { name: "before (trivial)", key: "before", r: base, pick: "before" as const },
    { name: "EPLB", key: "eplb", r: by.eplb, pick: "after" as const },
    { name: "ours (optimized)", key: "optimized", r: by.optimized, pick: "after" as const },
  ];
  return (
    <table className="text-sm [&_td]:px-3 [&_th]:px-3" data-testid="plan-table">
      <thead>
        <tr className="text-left">
          <th>plan</th>
          <th className="text-right">
            balancedness
            <DefinitionNote text={BALANCE_NOTE} />
          </th>
          <th className="text-right">max/mean</th>
          <th className="text-right">
            balancedness, planning tokens
            <DefinitionNote text="The same on the tokens the plan was made from (with a window: window w, while the other columns are on window w + 1). Ours never has a higher max GPU load than EPLB here, on any layer." />
          </th>
          <th className="text-right">
            C_T GPUs
            <DefinitionNote text={CT_NOTE} />
          </th>
          <th className="text-right">C_T nodes</th>
          <th className="text-right">
            all-to-all / layer
            <DefinitionNote text={TIME_NOTE} />
          </th>
          <th className="text-right">C_T nodes at layer {layer}</th>
          <th className="text-right">max/mean at layer {layer}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(({ name, key, r, pick }) => {
          if (!r)
            return (
              <tr key={key}>
                <td>{name}</td>
                <td colSpan={8}>…</td>
              </tr>
            );
          const m =
            pick === "before"
              ? { ...r.before, maxOverMeanMean: null }
              : {
                  balancednessMean: r.balancednessMean,
                  ctGpuMean: r.ctGpuMean,
                  ctNodeMean: r.ctNodeMean,
                  secondsMean: r.secondsMean,
                  maxOverMeanMean: r.maxOverMeanMean,
                };
          const l = r.layers[layer];
          const atLayer = pick === "before" ? l?.before : l;
          const mom = pick === "before" ? (l?.before.balancedness ? 1 / l.before.balancedness : null) : l?.maxOverMean;
          return (
            <tr key={key} data-plan={key}>
              <td>
                <span
                  className="mr-2 inline-block h-2 w-4 align-middle"
                  style={{ background: COLORS[key as keyof typeof COLORS] }}
                />
                {name}
              </td>
              <td className="num text-right" data-testid={`plan-balance-${key}`}>
                {formatValue(m.balancednessMean)}
              </td>
              <td className="num text-right">
                {formatValue(m.maxOverMeanMean ?? (m.balancednessMean ? 1 / m.balancednessMean : null))}
              </td>
              <td className="num text-right" data-testid={`plan-planned-balance-${key}`}>
                {pick === "before" ? "—" : formatValue(r.plannedBalancednessMean)}
              </td>
              <td className="num text-right" data-testid={`plan-ctgpu-${key}`}>
                {formatValue(m.ctGpuMean)}
              </td>
              <td className="num text-right" data-testid={`plan-ctnode-${key}`}>
                {formatValue(m.ctNodeMean)}
              </td>
              <td className="num text-right">{seconds(m.secondsMean)}</td>
              <td className="num text-right">{formatValue(atLayer?.ctNode ?? null)}</td>
              <td className="num text-right">{formatValue(mom ?? null)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** GPUs as rows (grouped by node), slots as cells: expert id, shaded by the slot's load, replicas outlined. */
function SlotGrid({ plan, layer, strategy }: { plan: PlanResult; layer: number; strategy: string }) {
  const l = plan.layers[layer];
  if (!l) return null;
  const per = plan.slotsPerGpu;
  const gpn = plan.gpus / plan.nodes;
  const loads = l.phy2log.map((e, p) => ({ e, p, c: l.logcnt[e] }));
  const maxGpu = Math.max(1e-12, ...l.gpuLoad);
  return (
    <figure data-testid="slot-grid" aria-label="GPU slots" className="flex flex-col gap-1">
      <figcaption className="text-sm font-semibold">
        {strategy} plan, layer {layer}: {plan.gpus} GPUs × {per} slots · outlined: a replicated expert (×replicas) ·
        bar: GPU load
      </figcaption>
      <div className="flex flex-col gap-2">
        {Array.from({ length: plan.nodes }, (_, n) => (
          <div key={n} className="rounded border border-dashed border-zinc-300 p-1 dark:border-zinc-700" data-node={n}>
            <div className="text-xs text-zinc-500">node {n}</div>
            {Array.from({ length: gpn }, (_, j) => {
              const g = n * gpn + j;
              return (
                <div key={g} className="flex items-center gap-1 text-xs" data-gpu={g}>
                  <span className="num w-12 text-right text-zinc-500">GPU {g}</span>
                  {loads.slice(g * per, (g + 1) * per).map(({ e, p, c }) => (
                    <span
                      key={p}
                      data-slot={p}
                      data-replicated={c > 1 ? "true" : undefined}
                      title={`slot ${p}: expert ${e}${c > 1 ? ` (1 of ${c} replicas)` : ""}`}
                      className={`num inline-flex h-6 w-10 items-center justify-center rounded ${c > 1 ? "border-2 border-amber-500 font-semibold" : "border border-zinc-300 dark:border-zinc-700"}`}
                    >
                      {e}
                      {c > 1 ? <sup className="text-[8px] text-amber-600">×{c}</sup> : null}
                    </span>
                  ))}
                  <span className="ml-2 h-2 w-24 bg-zinc-200 dark:bg-zinc-800">
                    <span className="block h-2 bg-indigo-500" style={{ width: `${(l.gpuLoad[g] / maxGpu) * 100}%` }} />
                  </span>
                  <span className="num text-zinc-500">{formatValue(l.gpuLoad[g])}</span>
                </div>
              );
            })}
          </div>
        ))}
      </div>
    </figure>
  );
}

type Windows = NonNullable<PlanResult["windows"]>;

/** Per later window: the first window's plan (stale) vs a plan from the window before (fresh), both strategies. */
function WindowChart({ eplb, optimized, nodes }: { eplb: Windows; optimized: Windows; nodes: number }) {
  const metric = nodes > 1 ? "ctNode" : "ctGpu";
  const series = [
    { name: "EPLB, stale", color: COLORS.eplb, dash: "4 3", pts: eplb.map((w) => w.stale[metric]) },
    { name: "EPLB, fresh", color: COLORS.eplb, dash: "", pts: eplb.map((w) => w.fresh[metric]) },
    { name: "ours, stale", color: COLORS.optimized, dash: "4 3", pts: optimized.map((w) => w.stale[metric]) },
    { name: "ours, fresh", color: COLORS.optimized, dash: "", pts: optimized.map((w) => w.fresh[metric]) },
  ];
  const bal = [
    {
      name: "EPLB",
      color: COLORS.eplb,
      stale: eplb.map((w) => w.stale.balancedness),
      fresh: eplb.map((w) => w.fresh.balancedness),
    },
    {
      name: "ours",
      color: COLORS.optimized,
      stale: optimized.map((w) => w.stale.balancedness),
      fresh: optimized.map((w) => w.fresh.balancedness),
    },
  ];
  const all = series.flatMap((s) => s.pts).filter((v): v is number => v !== null);
  const lo = Math.min(...all) * 0.98;
  const hi = Math.max(...all) * 1.02;
  const W = 520;
  const H = 180;
  const pad = 40;
  const x = (i: number) => pad + (eplb.length > 1 ? (i / (eplb.length - 1)) * (W - 2 * pad) : (W - 2 * pad) / 2);
  const y = (v: number) => H - 24 - ((v - lo) / (hi - lo || 1)) * (H - 40);
  return (
    <Exportable
      name="plan staleness per window"
      table={{
        columns: [
          "window",
          ...series.map((s) => s.name.replace(/, /g, "_")),
          "eplb_balancedness_stale",
          "ours_balancedness_stale",
        ],
        rows: eplb.map((w, i) => [w.index, ...series.map((s) => s.pts[i]), bal[0].stale[i], bal[1].stale[i]]),
      }}
      data={{ eplb, optimized }}
    >
      <figure data-testid="window-chart" className="flex flex-col gap-1">
        <figcaption className="text-sm font-semibold">
          Plan staleness: C_T over {nodes > 1 ? "nodes" : "GPUs"} on each later window · dashed: planned once on the
          first window (stale) · solid: re-planned on the window before (fresh)
        </figcaption>
        <svg width={W} height={H} role="img" aria-label="C_T per window" className="text-zinc-500">
          <line x1={pad} x2={W - pad} y1={H - 24} y2={H - 24} stroke="currentColor" />
          <line x1={pad} x2={pad} y1={10} y2={H - 24} stroke="currentColor" />
          <text x={4} y={y(hi / 1.02) + 4} fontSize="10" fill="currentColor">
            {(hi / 1.02).toFixed(2)}
          </text>
          <text x={4} y={y(lo / 0.98) + 4} fontSize="10" fill="currentColor">
            {(lo / 0.98).toFixed(2)}
          </text>
          {eplb.map((w, i) => (
            <text key={w.index} x={x(i) - 4} y={H - 8} fontSize="10" fill="currentColor">
              {w.index}
            </text>
          ))}
          {series.map((s) => (
            <g key={s.name}>
              <polyline
                fill="none"
                stroke={s.color}
                strokeWidth={2}
                strokeDasharray={s.dash}
                points={s.pts.map((v, i) => (v === null ? "" : `${x(i)},${y(v)}`)).join(" ")}
              />
              {s.pts.map((v, i) => (v === null ? null : <circle key={i} cx={x(i)} cy={y(v)} r={3} fill={s.color} />))}
            </g>
          ))}
        </svg>
        <div className="flex flex-wrap gap-4 text-xs">
          {series.map((s) => (
            <span key={s.name}>
              <svg width="18" height="6" className="mr-1 inline">
                <line x1="0" x2="18" y1="3" y2="3" stroke={s.color} strokeWidth="2" strokeDasharray={s.dash} />
              </svg>
              {s.name}
            </span>
          ))}
          <span className="text-zinc-500">
            window (x axis) ·{" "}
            {bal
              .map(
                (b) =>
                  `${b.name} balancedness stale ${formatValue(b.stale[b.stale.length - 1] ?? null)} vs fresh ${formatValue(b.fresh[b.fresh.length - 1] ?? null)} (last window)`,
              )
              .join("; ")}
          </span>
        </div>
      </figure>
    </Exportable>
  );
}
