import { z } from "zod";

export const SIMULATION_KINDS = ["c2r", "device-limited", "drop"] as const;
export type SimulationKind = (typeof SIMULATION_KINDS)[number];

/**
 * The placement & C2R lab's view state, in the URL like every view: devices, layer, the strategy
 * whose placement is drawn, an optional device-load bound for the optimizer, and the routing
 * simulation (none until one is asked for).
 */
export const placementViewStateSchema = z.object({
  devices: z.coerce.number().int().min(1).catch(4),
  layer: z.coerce.number().int().min(0).catch(0),
  show: z.enum(["contiguous", "round-robin", "greedy", "optimized"]).catch("optimized"),
  /** Load-aware optimizer: largest device load ≤ maxImbalance × mean. */
  maxImbalance: z.coerce.number().min(1).max(100).optional().catch(undefined),
  sim: z.enum(SIMULATION_KINDS).optional().catch(undefined),
  topT: z.coerce.number().int().min(1).catch(1),
  /** C2R collaborator lists from another run of the same model (default: this run). */
  from: z
    .string()
    .regex(/^[a-z0-9]{1,64}$/)
    .optional()
    .catch(undefined),
  maxDevices: z.coerce.number().int().min(1).catch(1),
  /** Experts dropped in every layer (simulation "drop"). */
  drop: z
    .string()
    .regex(/^\d+(,\d+)*$/)
    .transform((s) => [...new Set(s.split(",").map(Number))].sort((a, b) => a - b))
    .optional()
    .catch(undefined),
  /** Serving planner (A14), on once pgpus is set: GPUs, slots, nodes, expert groups, window tokens, strategy drawn. */
  pgpus: z.coerce.number().int().min(1).max(4096).optional().catch(undefined),
  pslots: z.coerce.number().int().min(1).max(65536).optional().catch(undefined),
  pnodes: z.coerce.number().int().min(1).max(1024).catch(1),
  pgroups: z.coerce.number().int().min(1).max(65536).catch(1),
  pwin: z.coerce.number().int().min(1).optional().catch(undefined),
  pshow: z.enum(["eplb", "optimized"]).catch("optimized"),
});
export type PlacementViewState = z.infer<typeof placementViewStateSchema>;

const KEYS = [
  "devices",
  "layer",
  "show",
  "maxImbalance",
  "sim",
  "topT",
  "from",
  "maxDevices",
  "drop",
  "pgpus",
  "pslots",
  "pnodes",
  "pgroups",
  "pwin",
  "pshow",
] as const;

export function parsePlacementViewState(search: URLSearchParams): PlacementViewState {
  return placementViewStateSchema.parse(Object.fromEntries(KEYS.map((k) => [k, search.get(k) ?? undefined])));
}

/** The query string; simulation parameters only when they matter to the chosen simulation. */
export function placementSearch(s: PlacementViewState): string {
  const q = new URLSearchParams({ devices: String(s.devices), layer: String(s.layer), show: s.show });
  if (s.maxImbalance !== undefined) q.set("maxImbalance", String(s.maxImbalance));
  if (s.sim) q.set("sim", s.sim);
  if (s.sim === "c2r") {
    q.set("topT", String(s.topT));
    if (s.from) q.set("from", s.from);
  }
  if (s.sim === "device-limited") q.set("maxDevices", String(s.maxDevices));
  if (s.sim === "drop" && s.drop?.length) q.set("drop", s.drop.join(","));
  if (s.pgpus !== undefined) {
    q.set("pgpus", String(s.pgpus));
    if (s.pslots !== undefined) q.set("pslots", String(s.pslots));
    if (s.pnodes !== 1) q.set("pnodes", String(s.pnodes));
    if (s.pgroups !== 1) q.set("pgroups", String(s.pgroups));
    if (s.pwin !== undefined) q.set("pwin", String(s.pwin));
    if (s.pshow !== "optimized") q.set("pshow", s.pshow);
  }
  return `?${q.toString()}`;
}

/** The divisors of E above 1: the device counts a placement can use. */
export const deviceChoices = (experts: number) =>
  Array.from({ length: experts }, (_, i) => i + 1).filter((d) => experts % d === 0 && d > 1);

/** The lab's state with the device count snapped to one that divides E (old or hand-edited links still open). */
export function effectiveLabState(state: PlacementViewState, experts: number, layers: number): PlacementViewState {
  const divisors = deviceChoices(experts);
  const devices = divisors.includes(state.devices) ? state.devices : divisors[Math.min(1, divisors.length - 1)];
  return { ...state, devices, layer: Math.min(state.layer, layers - 1) };
}

export const placementHref = (runId: string, s: PlacementViewState) => `/runs/${runId}/placement${placementSearch(s)}`;

/** The POST /simulations body the state asks for, or null when no simulation is chosen. */
export function simulationBody(s: PlacementViewState, layers: number, devices: number) {
  if (s.sim === "c2r")
    return {
      kind: "c2r" as const,
      topT: s.topT,
      ...(s.from ? { collaboratorsFrom: s.from } : {}),
      reportDevices: devices,
    };
  if (s.sim === "device-limited")
    return { kind: "device-limited" as const, devices, maxDevices: s.maxDevices, reportDevices: devices };
  if (s.sim === "drop" && s.drop?.length)
    return { kind: "drop" as const, experts: Array.from({ length: layers }, () => s.drop!), reportDevices: devices };
  return null;
}
export type SimulationBody = NonNullable<ReturnType<typeof simulationBody>>;

/**
 * The POST /plan bodies (both strategies) the state asks for, or null while the planner is off.
 * Slots default to E plus one eighth redundant (DeepSeek-V3: 256 + 32), rounded up to a multiple of the GPUs.
 */
export function planBodies(s: PlacementViewState, experts: number) {
  if (s.pgpus === undefined) return null;
  const gpus = s.pgpus;
  const slots = s.pslots ?? Math.ceil((experts + Math.max(1, Math.floor(experts / 8))) / gpus) * gpus;
  const base = {
    slots,
    gpus,
    ...(s.pnodes !== 1 ? { nodes: s.pnodes } : {}),
    ...(s.pgroups !== 1 ? { groups: s.pgroups } : {}),
    ...(s.pwin ? { window: { tokens: s.pwin } } : {}),
  };
  return { eplb: { ...base, strategy: "eplb" as const }, optimized: { ...base, strategy: "optimized" as const } };
}
export type PlanBody = NonNullable<ReturnType<typeof planBodies>>["eplb" | "optimized"];
