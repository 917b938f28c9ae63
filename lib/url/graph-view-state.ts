import { z } from "zod";

/** The collaboration graph's state in the URL: layer and the lift an edge needs to be drawn. */
export const graphViewStateSchema = z.object({
  layer: z.coerce.number().int().min(0).catch(0),
  minLift: z.coerce.number().min(0).max(1000).catch(1.5),
});
export type GraphViewState = z.infer<typeof graphViewStateSchema>;

export function parseGraphViewState(search: URLSearchParams): GraphViewState {
  return graphViewStateSchema.parse({ layer: search.get("layer") ?? undefined, minLift: search.get("minLift") ?? undefined });
}

export const graphHref = (runId: string, s: GraphViewState) => `/runs/${runId}/graph?layer=${s.layer}&minLift=${s.minLift}`;
