import { z } from "zod";
import { NORMALIZATIONS } from "@/lib/analysis/coactivation";

/** The sortable columns of the layer's expert table (`esort`). */
export const EXPERT_SORTS = ["expert", "load", "share", "entropy", "coverage", "kl"] as const;
export type ExpertSort = (typeof EXPERT_SORTS)[number];
/** Top-T collaborators the expert table lists (the graph view reads the same experts answer). */
export const EXPERT_TABLE_TOP_T = 3;

/**
 * The layer explorer's view state: everything that decides the picture lives in the URL, parsed
 * by this one schema on the server and in the browser. Unknown or bad values fall back to defaults
 * so an old or hand-edited link still opens.
 */
export const layerViewStateSchema = z.object({
  norm: z.enum(NORMALIZATIONS).catch("raw"),
  scale: z.enum(["linear", "log"]).catch("linear"),
  order: z.enum(["id", "load", "group"]).catch("id"),
  /** The expert table under the heatmap: its sort column and direction. */
  esort: z.enum(EXPERT_SORTS).catch("load"),
  edir: z.enum(["asc", "desc"]).catch("desc"),
  /** For a run in a series: its own colour scale, or one shared by every step of the series at this layer. */
  stepScale: z.enum(["own", "shared"]).catch("own"),
});
export type LayerViewState = z.infer<typeof layerViewStateSchema>;

type Search = Record<string, string | string[] | undefined> | URLSearchParams;

export function parseLayerViewState(search: Search): LayerViewState {
  const get = (k: string) => (search instanceof URLSearchParams ? search.get(k) : [search[k]].flat()[0]) ?? undefined;
  return layerViewStateSchema.parse({
    norm: get("norm"),
    scale: get("scale"),
    order: get("order"),
    esort: get("esort"),
    edir: get("edir"),
    stepScale: get("stepScale"),
  });
}

/** Query string with only the non-default values, so links stay short. */
export function layerViewSearch(state: LayerViewState): string {
  const defaults = layerViewStateSchema.parse({});
  const q = new URLSearchParams();
  for (const k of ["norm", "scale", "order", "esort", "edir", "stepScale"] as const)
    if (state[k] !== defaults[k]) q.set(k, state[k]);
  const s = q.toString();
  return s ? `?${s}` : "";
}

export const layerHref = (runId: string, layer: number, state: LayerViewState) =>
  `/runs/${runId}/layers/${layer}${layerViewSearch(state)}`;
