import { z } from "zod";

const runId = z.string().regex(/^[a-z0-9]{1,64}$/);

/** V10's state in the URL: the two runs, the layer shown in detail, and whether to pair tokens. */
export const compareViewStateSchema = z.object({
  a: runId.optional().catch(undefined),
  b: runId.optional().catch(undefined),
  layer: z.coerce.number().int().min(0).catch(0),
  paired: z
    .enum(["0", "1"])
    .transform((v) => v === "1")
    .catch(false),
});
export type CompareViewState = z.infer<typeof compareViewStateSchema>;

export function parseCompareViewState(search: URLSearchParams): CompareViewState {
  return compareViewStateSchema.parse({
    a: search.get("a") ?? undefined,
    b: search.get("b") ?? undefined,
    layer: search.get("layer") ?? undefined,
    paired: search.get("paired") ?? undefined,
  });
}

export function compareHref(s: CompareViewState): string {
  const q = new URLSearchParams();
  if (s.a) q.set("a", s.a);
  if (s.b) q.set("b", s.b);
  q.set("layer", String(s.layer));
  if (s.paired) q.set("paired", "1");
  return `/compare?${q}`;
}
