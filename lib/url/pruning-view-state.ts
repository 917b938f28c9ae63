import { z } from "zod";

const ids = z
  .string()
  .regex(/^[a-z0-9]+(,[a-z0-9]+)*$/)
  .transform((s) => s.split(","))
  .catch([] as string[]);

/** V8's state in the URL: list filters, the runs compared, the metric drawn. */
export const pruningViewStateSchema = z.object({
  model: z.string().max(64).optional().catch(undefined),
  criterion: z.string().max(64).optional().catch(undefined),
  schedule: z.enum(["one-shot", "iterative", "lottery"]).optional().catch(undefined),
  ids: ids.default([]),
  metric: z.string().max(100).optional().catch(undefined),
});
export type PruningViewState = z.infer<typeof pruningViewStateSchema>;

export function parsePruningViewState(search: URLSearchParams): PruningViewState {
  const get = (k: string) => search.get(k) || undefined;
  return pruningViewStateSchema.parse({
    model: get("model"),
    criterion: get("criterion"),
    schedule: get("schedule"),
    ids: get("ids"),
    metric: get("metric"),
  });
}

export function pruningHref(s: PruningViewState): string {
  const q = new URLSearchParams();
  if (s.model) q.set("model", s.model);
  if (s.criterion) q.set("criterion", s.criterion);
  if (s.schedule) q.set("schedule", s.schedule);
  if (s.ids.length) q.set("ids", s.ids.join(","));
  if (s.metric) q.set("metric", s.metric);
  // Commas stay readable in shared links (URLSearchParams would write %2C).
  const str = q.toString().replace(/%2C/g, ",");
  return `/pruning${str ? `?${str}` : ""}`;
}
