import { z } from "zod";

/** The cross-layer flow's state in the URL: the layer pair (l → l + 1) and how many links to draw. */
export const flowViewStateSchema = z.object({
  layer: z.coerce.number().int().min(0).catch(0),
  links: z.coerce.number().int().min(1).max(2000).catch(40),
});
export type FlowViewState = z.infer<typeof flowViewStateSchema>;

export function parseFlowViewState(search: URLSearchParams): FlowViewState {
  return flowViewStateSchema.parse({
    layer: search.get("layer") ?? undefined,
    links: search.get("links") ?? undefined,
  });
}

export const flowHref = (runId: string, s: FlowViewState) => `/runs/${runId}/flow?layer=${s.layer}&links=${s.links}`;
