import { eplbPolicy, logToPhy } from "@/lib/analysis/eplb";
import { EXPORT_FILES, exportPlan, type ExportFormat } from "@/lib/analysis/plan-export";
import type { TokenSets } from "@/lib/analysis/placement-events";
import {
  allToAllSeconds,
  COST_DEFAULTS,
  ctOnEvents,
  ctPairwise,
  gpuLoads,
  loadBalance,
  planLayer,
  replicaShares,
  sliceTokens,
  tokenStatistics,
  trivialPlan,
  type CostSettings,
  type LayerPlan,
  type PlanShape,
} from "@/lib/analysis/serving-plan";
import { meanOf } from "@/lib/analysis/stats";
import { badRequest } from "@/lib/errors";
import type { Db } from "@/lib/db/client";
import { getAllLayerAggregates } from "@/lib/db/queries/layer-aggregates";
import type { RunWithModel } from "@/lib/db/queries/runs";
import { layerTokenSets } from "./compute-placement";

export const PLAN_STRATEGIES = ["eplb", "optimized"] as const;
export type PlanStrategy = (typeof PLAN_STRATEGIES)[number];

/** At most this many windows in the staleness series (each needs a fresh plan of every layer). */
export const MAX_WINDOWS = 8;

export interface PlanRequest {
  slots: number;
  gpus: number;
  nodes?: number;
  groups?: number;
  strategy: PlanStrategy;
  maxLoadRatio?: number;
  window?: { tokens: number; index?: number };
  cost?: { dtypeBytes?: number; nvlinkGBps?: number; ibGBps?: number; tokensPerGpu?: number; hidden?: number };
  export?: ExportFormat;
  layerOffset?: number;
}

export const SPLIT_NOTE =
  "Replicas split an expert's tokens evenly (each of c replicas serves 1/c of them, as the engines dispatch): a GPU's load is Σ load_e / c_e over its slots. C_T is the expected number of GPUs (nodes) a token reaches when each of its experts picks one replica uniformly and independently.";

interface Stats {
  load: Float64Array;
  coactivation: Float64Array;
  tokens: number;
}

/** The shape checks, each naming its field. */
export function checkShape(req: PlanRequest, experts: number): PlanShape & { groups: number } {
  const nodes = req.nodes ?? 1;
  const groups = req.groups ?? 1;
  const { slots, gpus } = req;
  if (slots < experts)
    throw badRequest("invalid_slots", `slots must be at least the ${experts} experts; ${slots} is fewer`, "slots");
  if (slots > 16 * experts)
    throw badRequest("invalid_slots", `slots may be at most 16 × the ${experts} experts; ${slots} is more`, "slots");
  if (gpus > slots || slots % gpus !== 0)
    throw badRequest("invalid_gpus", `gpus must divide the ${slots} slots evenly; ${gpus} does not`, "gpus");
  if (nodes > gpus || gpus % nodes !== 0)
    throw badRequest("invalid_nodes", `nodes must divide the ${gpus} GPUs evenly; ${nodes} does not`, "nodes");
  if (experts % groups !== 0)
    throw badRequest(
      "invalid_groups",
      `groups must divide the ${experts} experts evenly; ${groups} does not`,
      "groups",
    );
  if (req.maxLoadRatio !== undefined && req.strategy !== "optimized")
    throw badRequest("invalid_max_load_ratio", "maxLoadRatio applies to the optimized strategy only", "maxLoadRatio");
  return { experts, slots, gpus, nodes, groups };
}

/**
 * POST /api/runs/{id}/plan: a serving plan per layer (EPLB or ours), its GPU loads, balance, C_T
 * over GPUs and nodes and the all-to-all time estimate, before (the engines' trivial placement) and
 * after; with a window, planned on window w and evaluated on w + 1, with the staleness series.
 */
export async function computePlan(db: Db, run: RunWithModel, req: PlanRequest) {
  const { layers: L, experts: E, topK } = run.model.config;
  const shape = checkShape(req, E);
  const cost = costSettings(req, run.model.config.hidden);
  const aggs = await getAllLayerAggregates(db, run.id, L, E);
  const tokens: TokenSets[] | null = run.events > 0 ? await layerTokenSets(db, run) : null;

  let planStats: Stats[];
  let evalStats: Stats[];
  let planTokens: (TokenSets | null)[];
  let evalTokens: (TokenSets | null)[];
  let windowInfo: { tokens: number; index: number; count: number } | null = null;
  let series: ReturnType<typeof windowSeries> | null = null;
  if (req.window) {
    if (!tokens)
      throw badRequest(
        "window_needs_events",
        "windows need the run's raw events; this run holds aggregates only",
        "window",
      );
    const size = req.window.tokens;
    const index = req.window.index ?? 0;
    const count = Math.floor(Math.max(...tokens.map((t) => t.count)) / size);
    if (index + 1 >= count)
      throw badRequest(
        "invalid_window",
        `window ${index} has no next window to be evaluated on: the run has ${count} whole windows of ${size} tokens`,
        "window.index",
      );
    const all = tokens;
    planTokens = all.map((t) => sliceTokens(t, index * size, (index + 1) * size));
    evalTokens = all.map((t) => sliceTokens(t, (index + 1) * size, (index + 2) * size));
    planStats = planTokens.map((t) => tokenStatistics(t!, E));
    evalStats = evalTokens.map((t) => tokenStatistics(t!, E));
    windowInfo = { tokens: size, index, count };
    series = windowSeries(all, size, index, Math.min(count, index + 1 + MAX_WINDOWS), shape, req);
  } else {
    planStats = aggs;
    evalStats = aggs;
    planTokens = tokens ?? aggs.map(() => null);
    evalTokens = planTokens;
  }

  const ctSource: "events" | "coactivation" = tokens ? "events" : "coactivation";
  const exact = tokens !== null || topK <= 2;
  const plans = planStats.map((s, l) =>
    planLayer(req.strategy, s, shape, shape.groups, { maxLoadRatio: req.maxLoadRatio, tokens: planTokens[l] }),
  );
  const trivial = trivialPlan(shape);
  const measure = (plan: LayerPlan, l: number) => evaluate(plan, evalStats[l], evalTokens[l], shape, cost);
  const width = Math.max(1, ...plans.map((p) => Math.max(...p.logcnt)));
  const perLayer = plans.map((plan, l) => {
    const after = measure(plan, l);
    const before = measure(trivial, l);
    // The balance on the tokens planned on: what ours guarantees against EPLB (max GPU load no higher).
    const planned = loadBalance(gpuLoads(plan.phy2log, plan.logcnt, planStats[l].load, shape));
    return {
      phy2log: Array.from(plan.phy2log),
      log2phy: logToPhy(plan, E, width),
      logcnt: Array.from(plan.logcnt),
      ...after,
      plannedBalancedness: planned.balancedness,
      plannedMaxGpuLoad: planned.max,
      before: {
        balancedness: before.balancedness,
        ctGpu: before.ctGpu,
        ctNode: before.ctNode,
        seconds: before.seconds,
      },
    };
  });
  const mean = (f: (l: (typeof perLayer)[number]) => number | null) => meanOf(perLayer.map(f));
  const maps = {
    phy2log: perLayer.map((l) => l.phy2log),
    log2phy: perLayer.map((l) => l.log2phy),
    logcnt: perLayer.map((l) => l.logcnt),
  };
  return {
    strategy: req.strategy,
    policy: eplbPolicy(shape.groups, shape.nodes),
    experts: E,
    slots: shape.slots,
    gpus: shape.gpus,
    nodes: shape.nodes,
    groups: shape.groups,
    slotsPerGpu: shape.slots / shape.gpus,
    maxLoadRatio: req.strategy === "optimized" ? (req.maxLoadRatio ?? 1) : null,
    split: SPLIT_NOTE,
    ctSource,
    exact,
    note: planNote(ctSource, topK, run.events, windowInfo),
    layers: perLayer,
    balancednessMean: mean((l) => l.balancedness),
    plannedBalancednessMean: mean((l) => l.plannedBalancedness),
    maxOverMeanMean: mean((l) => l.maxOverMean),
    ctGpuMean: mean((l) => l.ctGpu),
    ctNodeMean: mean((l) => l.ctNode),
    secondsMean: mean((l) => l.seconds),
    before: {
      balancednessMean: mean((l) => l.before.balancedness),
      ctGpuMean: mean((l) => l.before.ctGpu),
      ctNodeMean: mean((l) => l.before.ctNode),
      secondsMean: mean((l) => l.before.seconds),
    },
    cost: {
      hidden: cost?.hidden ?? null,
      dtypeBytes: req.cost?.dtypeBytes ?? COST_DEFAULTS.dtypeBytes,
      nvlinkGBps: req.cost?.nvlinkGBps ?? COST_DEFAULTS.nvlinkGBps,
      ibGBps: req.cost?.ibGBps ?? COST_DEFAULTS.ibGBps,
      tokensPerGpu: req.cost?.tokensPerGpu ?? COST_DEFAULTS.tokensPerGpu,
    },
    window: windowInfo,
    windows: series,
    file: req.export
      ? { format: req.export, ...EXPORT_FILES[req.export], content: exportPlan(maps, req.export, req.layerOffset ?? 0) }
      : null,
  };
}

function costSettings(req: PlanRequest, modelHidden: number | undefined): CostSettings | null {
  const hidden = req.cost?.hidden ?? modelHidden;
  if (!hidden) return null;
  return {
    hidden,
    dtypeBytes: req.cost?.dtypeBytes ?? COST_DEFAULTS.dtypeBytes,
    nvlinkBytesPerSecond: (req.cost?.nvlinkGBps ?? COST_DEFAULTS.nvlinkGBps) * 1e9,
    ibBytesPerSecond: (req.cost?.ibGBps ?? COST_DEFAULTS.ibGBps) * 1e9,
    tokensPerGpu: req.cost?.tokensPerGpu ?? COST_DEFAULTS.tokensPerGpu,
  };
}

/** One plan on one layer's evaluation data: GPU loads, balance, C_T over GPUs and nodes, time. */
function evaluate(
  plan: LayerPlan,
  stats: Stats,
  tokens: TokenSets | null,
  shape: PlanShape,
  cost: CostSettings | null,
) {
  const gpuLoad = gpuLoads(plan.phy2log, plan.logcnt, stats.load, shape);
  const { balancedness, maxOverMean } = loadBalance(gpuLoad);
  const ct = (unit: "gpu" | "node") => {
    const units = unit === "gpu" ? shape.gpus : shape.nodes;
    const x = replicaShares(plan.phy2log, shape, unit);
    return tokens
      ? ctOnEvents(tokens, x, shape.experts, units)
      : ctPairwise(stats.coactivation, stats.load, stats.tokens, x, shape.experts, units);
  };
  const ctGpu = ct("gpu");
  const ctNode = ct("node");
  const seconds =
    cost && ctGpu !== null && ctNode !== null ? allToAllSeconds(ctGpu, ctNode, shape, cost).seconds : null;
  return { gpuLoad, balancedness, maxOverMean, ctGpu, ctNode, seconds };
}

/**
 * How fast a plan goes stale: for each window j after the planned one, the plan made on window
 * `index` against a fresh plan made on window j − 1 (rebalancing every window), both evaluated on
 * window j; means over the layers with tokens there.
 */
function windowSeries(
  tokens: TokenSets[],
  size: number,
  index: number,
  end: number,
  shape: PlanShape & { groups: number },
  req: PlanRequest,
) {
  const win = (j: number) => tokens.map((t) => sliceTokens(t, j * size, (j + 1) * size));
  const planOn = (w: TokenSets[]) =>
    w.map((t) =>
      planLayer(req.strategy, tokenStatistics(t, shape.experts), shape, shape.groups, {
        maxLoadRatio: req.maxLoadRatio,
        tokens: t,
      }),
    );
  const stale = planOn(win(index));
  const out = [];
  let previous = win(index);
  for (let j = index + 1; j < end; j++) {
    const current = win(j);
    const fresh = j === index + 1 ? stale : planOn(previous);
    const score = (plans: LayerPlan[]) => {
      const per = plans.map((p, l) => {
        if (current[l].count === 0) return null;
        const ev = evaluate(p, tokenStatistics(current[l], shape.experts), current[l], shape, null);
        return ev;
      });
      return {
        balancedness: meanOf(per.map((x) => x?.balancedness)),
        ctGpu: meanOf(per.map((x) => x?.ctGpu)),
        ctNode: meanOf(per.map((x) => x?.ctNode)),
      };
    };
    out.push({ index: j, stale: score(stale), fresh: score(fresh) });
    previous = current;
  }
  return out;
}

export function planNote(
  ctSource: "events" | "coactivation",
  topK: number,
  events: number,
  window: { tokens: number; index: number } | null,
): string {
  const where = window
    ? `planned on window ${window.index} (tokens ${window.index * window.tokens}–${(window.index + 1) * window.tokens - 1} of each layer, in upload order) and evaluated on window ${window.index + 1}`
    : "planned and evaluated on the whole run";
  if (ctSource === "events")
    return `C_T counted on the run's ${events.toLocaleString("en-US")} raw events, ${where} (tokens uploaded only as aggregates are not included).`;
  return topK <= 2
    ? `C_T from the co-activation counts, exact for top-${topK}; ${where}.`
    : `This run holds aggregates only: C_T is the pairwise estimate Σ load·x − Σ C_ef·x_e·x_f per token, a lower bound for top-${topK}, not C_T itself; ${where}.`;
}
