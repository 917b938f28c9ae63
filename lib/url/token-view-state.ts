import { z } from "zod";

/**
 * The token view's state in the URL: which sequence, colouring by the top-1 expert at a layer or by
 * one expert's gate weight, the token searched, and the layer whose specialization is listed.
 */
export const tokenViewStateSchema = z.object({
  seq: z.coerce.number().int().min(0).catch(0),
  layer: z.coerce.number().int().min(0).catch(0),
  color: z.enum(["top1", "weight"]).catch("top1"),
  expert: z.coerce.number().int().min(0).catch(0),
  q: z.string().max(200).catch(""),
});
export type TokenViewState = z.infer<typeof tokenViewStateSchema>;

export function parseTokenViewState(search: URLSearchParams): TokenViewState {
  return tokenViewStateSchema.parse({
    seq: search.get("seq") ?? undefined,
    layer: search.get("layer") ?? undefined,
    color: search.get("color") ?? undefined,
    expert: search.get("expert") ?? undefined,
    q: search.get("q") ?? undefined,
  });
}

export const tokenViewHref = (runId: string, s: TokenViewState) => {
  const p = new URLSearchParams({ seq: String(s.seq), layer: String(s.layer), color: s.color });
  if (s.color === "weight") p.set("expert", String(s.expert));
  if (s.q) p.set("q", s.q);
  return `/runs/${runId}/tokens?${p}`;
};
