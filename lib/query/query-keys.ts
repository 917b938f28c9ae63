import type { Normalization } from "@/lib/analysis/coactivation";
import type { PlacementStrategy } from "@/lib/runs/compute-placement";
import type { PlanBody, SimulationBody } from "@/lib/url/placement-view-state";

/**
 * The one factory of query keys. Shares store answers under these keys (lib/share/pin-view.ts) and
 * /s/{id} pre-fills the cache with them, so a key's shape is part of what a stored share means:
 * change one only with the snapshots in mind. Keys are hierarchical: ["runs", id] invalidates
 * every answer about a run.
 */
export const queryKeys = {
  runs: {
    all: ["runs"] as const,
    list: () => ["runs", "list"] as const,
    one: (runId: string) => ["runs", runId] as const,
    layer: (runId: string, layer: number, normalization: Normalization) =>
      ["runs", runId, "layers", layer, normalization] as const,
    transitions: (runId: string, layer: number) => ["runs", runId, "layers", layer, "with-transitions"] as const,
    groups: (runId: string, layer: number) => ["runs", runId, "layers", layer, "groups"] as const,
    expert: (runId: string, expert: number, topT: number) => ["runs", runId, "experts", expert, topT] as const,
    experts: (runId: string, layer: number, topT: number) => ["runs", runId, "experts-of-layer", layer, topT] as const,
    flow: (runId: string) => ["runs", runId, "flow"] as const,
    expertTokens: (runId: string, expert: number, layer: number, by: "count" | "lift") =>
      ["runs", runId, "experts", expert, "tokens", layer, by] as const,
    layerTokens: (runId: string, layer: number) => ["runs", runId, "layers", layer, "tokens"] as const,
    tokenSearch: (runId: string, q: string) => ["runs", runId, "token-search", q] as const,
    sequences: (runId: string) => ["runs", runId, "sequences"] as const,
    sequence: (runId: string, seq: number) => ["runs", runId, "sequences", seq] as const,
    /** The device bound applies to the optimizer only: null for other strategies. */
    placement: (runId: string, devices: number, strategy: PlacementStrategy, bound: number | null) =>
      ["runs", runId, "placement", devices, strategy, bound] as const,
    simulation: (runId: string, body: SimulationBody) => ["runs", runId, "simulation", body] as const,
    plan: (runId: string, body: PlanBody) => ["runs", runId, "plan", body] as const,
  },
  health: () => ["health"] as const,
  session: () => ["session"] as const,
  uploadProgress: (runId: string, key: string) => ["upload-progress", runId, key] as const,
  compare: (a: string, b: string, layer: number, paired: boolean) => ["compare", a, b, layer, paired] as const,
  /** 2 to 8 runs (GET /api/compare?runs=): the runs in order, the base, whether tokens are paired. */
  compareMany: (runs: readonly string[], base: string, paired: boolean) =>
    ["compare", "many", runs.join(","), base, paired] as const,
  series: (name: string, placement: string, devices: number, topT: number) =>
    ["series", name, placement, devices, topT] as const,
  seriesLayer: (name: string, layer: number, normalization: Normalization) =>
    ["series", name, "layers", layer, normalization] as const,
  pruningRuns: {
    all: ["pruning-runs"] as const,
    list: (filter: { model?: string; criterion?: string; schedule?: string }) => ["pruning-runs", filter] as const,
    compare: (ids: string[]) => ["pruning-runs", "compare", ids] as const,
  },
  quantResults: {
    all: ["quant-results"] as const,
    list: (model?: string) => ["quant-results", model ?? null] as const,
  },
};
