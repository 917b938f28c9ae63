import { z } from "zod";

/** The placement lab's view state, in the URL like every view. */
export const placementViewStateSchema = z.object({
  devices: z.coerce.number().int().min(1).catch(4),
  layer: z.coerce.number().int().min(0).catch(0),
  show: z.enum(["contiguous", "round-robin", "greedy", "optimized"]).catch("optimized"),
});
export type PlacementViewState = z.infer<typeof placementViewStateSchema>;

export function parsePlacementViewState(search: URLSearchParams): PlacementViewState {
  return placementViewStateSchema.parse({ devices: search.get("devices") ?? undefined, layer: search.get("layer") ?? undefined, show: search.get("show") ?? undefined });
}

export const placementHref = (runId: string, s: PlacementViewState) => `/runs/${runId}/placement?devices=${s.devices}&layer=${s.layer}&show=${s.show}`;
