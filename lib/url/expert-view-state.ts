import { z } from "zod";

/** The expert page's state in the URL: which layer's details are open, T for Top-T, and how its top tokens are ranked. */
export const expertViewStateSchema = z.object({
  layer: z.coerce.number().int().min(0).catch(0),
  topT: z.coerce.number().int().min(1).max(64).catch(3),
  by: z.enum(["count", "lift"]).catch("count"),
});
export type ExpertViewState = z.infer<typeof expertViewStateSchema>;

export function parseExpertViewState(search: URLSearchParams): ExpertViewState {
  return expertViewStateSchema.parse({
    layer: search.get("layer") ?? undefined,
    topT: search.get("topT") ?? undefined,
    by: search.get("by") ?? undefined,
  });
}

export const expertHref = (runId: string, expert: number, s: ExpertViewState) =>
  `/runs/${runId}/experts/${expert}?layer=${s.layer}${s.topT !== 3 ? `&topT=${s.topT}` : ""}${s.by !== "count" ? `&by=${s.by}` : ""}`;
