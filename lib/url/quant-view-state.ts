import { z } from "zod";

/** V9's state in the URL: model filter, the result whose allocation is drawn, the accuracy metric. */
export const quantViewStateSchema = z.object({
  model: z.string().max(64).optional().catch(undefined),
  show: z
    .string()
    .regex(/^[a-z0-9]+$/)
    .optional()
    .catch(undefined),
  metric: z.string().max(100).optional().catch(undefined),
});
export type QuantViewState = z.infer<typeof quantViewStateSchema>;

export const parseQuantViewState = (search: URLSearchParams): QuantViewState =>
  quantViewStateSchema.parse({
    model: search.get("model") || undefined,
    show: search.get("show") || undefined,
    metric: search.get("metric") || undefined,
  });

export function quantHref(s: QuantViewState): string {
  const q = new URLSearchParams(Object.entries(s).filter(([, v]) => v) as [string, string][]);
  const str = q.toString();
  return `/quantization${str ? `?${str}` : ""}`;
}
