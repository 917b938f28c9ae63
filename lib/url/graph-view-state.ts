import { z } from "zod";

/**
 * The collaboration graph's state in the URL: layer and the normalized lift (lift over its top-k
 * chance value (k−1)E / (k(E−1))) an edge needs to be drawn. Default 1.5: 50% more co-activation
 * than input-independent routing, which draws a few edges per real Mixtral layer (top-2 of 8).
 */
export const graphViewStateSchema = z.object({
  layer: z.coerce.number().int().min(0).catch(0),
  minLift: z.coerce.number().min(0).max(1000).catch(1.5),
});
export type GraphViewState = z.infer<typeof graphViewStateSchema>;

export function parseGraphViewState(search: URLSearchParams): GraphViewState {
  return graphViewStateSchema.parse({
    layer: search.get("layer") ?? undefined,
    minLift: search.get("minLift") ?? undefined,
  });
}

export const graphHref = (runId: string, s: GraphViewState) =>
  `/runs/${runId}/graph?layer=${s.layer}&minLift=${s.minLift}`;
