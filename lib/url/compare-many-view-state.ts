import { z } from "zod";
import { NORMALIZATIONS } from "@/lib/analysis/coactivation";

/** How many runs one comparison takes (issue 14: "2 to 8 runs of one model"). */
export const MIN_COMPARED_RUNS = 2;
export const MAX_COMPARED_RUNS = 8;

/** The per-layer curves the N-run view overlays (GET /api/compare?runs= `curves`, plus the JS matrix and flip rates). */
export const MANY_CURVES = ["jsd", "flipRate", "normalizedEntropy", "maxOverMean", "meanCollaborationEntropy"] as const;
export type ManyCurve = (typeof MANY_CURVES)[number];

const runId = z.string().regex(/^[a-z0-9]{1,64}$/);

/**
 * The N-run comparison's state in the URL (`/compare?runs=a,b,c&base=a&layer=&norm=&curve=&paired=1`):
 * the runs in order, the base run (the first when absent), the layer of the small multiples and
 * the curve overlaid. Invalid runs= leaves `runs` empty (the view says so); a base not among the
 * runs falls back to the first.
 */
export const compareManyViewStateSchema = z
  .object({
    runs: z
      .string()
      .transform((v) => v.split(","))
      .pipe(z.array(runId).min(MIN_COMPARED_RUNS).max(MAX_COMPARED_RUNS))
      .refine((ids) => new Set(ids).size === ids.length)
      .catch([]),
    base: runId.optional().catch(undefined),
    layer: z.coerce.number().int().min(0).catch(0),
    curve: z.enum(MANY_CURVES).catch("jsd"),
    norm: z.enum(NORMALIZATIONS).catch("conditional"),
    paired: z
      .enum(["0", "1"])
      .transform((v) => v === "1")
      .catch(false),
  })
  .transform((s) => ({ ...s, base: s.base && s.runs.includes(s.base) ? s.base : s.runs[0] }));
export type CompareManyViewState = z.output<typeof compareManyViewStateSchema>;

export function parseCompareManyViewState(search: URLSearchParams): CompareManyViewState {
  return compareManyViewStateSchema.parse({
    runs: search.get("runs") ?? undefined,
    base: search.get("base") ?? undefined,
    layer: search.get("layer") ?? undefined,
    curve: search.get("curve") ?? undefined,
    norm: search.get("norm") ?? undefined,
    paired: search.get("paired") ?? undefined,
  });
}

export function compareManyHref(s: CompareManyViewState): string {
  const q = new URLSearchParams();
  q.set("runs", s.runs.join(","));
  if (s.base && s.base !== s.runs[0]) q.set("base", s.base);
  q.set("layer", String(s.layer));
  if (s.curve !== "jsd") q.set("curve", s.curve);
  if (s.norm !== "conditional") q.set("norm", s.norm);
  if (s.paired) q.set("paired", "1");
  // Run ids are [a-z0-9]: the commas need no escaping, and read better in a link.
  return `/compare?${q.toString().replace(/%2C/g, ",")}`;
}
