import { z } from "zod";
import { PRUNING_SCHEDULES } from "@/lib/analysis/pruning";
import { modelConfigSchema } from "@/lib/models/model-config";

const metrics = z.record(z.string().min(1).max(100), z.number().finite());

export const pruningStepSchema = z.object({
  droppedPercent: z.number().min(0).max(100),
  expertsDroppedPerLayer: z.number().int().min(0).nullable().default(null),
  dropped: z
    .array(z.array(z.number().int().min(0)))
    .nullable()
    .default(null),
  metrics: metrics.default({}),
});

/** POST /api/pruning-runs: one run. `criterion` may carry its direction ("Min-EAN") or pass it apart. */
export const pruningRunBodySchema = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  model: z.union([z.object({ preset: z.string().min(1) }).strict(), modelConfigSchema]),
  criterion: z.string().trim().min(1).max(64),
  direction: z.enum(["min", "max"]).nullable().optional(),
  schedule: z.enum(PRUNING_SCHEDULES),
  dense: metrics.default({}),
  steps: z.array(pruningStepSchema).min(1).max(4096),
  source: z.string().max(1000).default(""),
  runId: z.string().max(64).nullable().optional(),
  tags: z.array(z.string().trim().min(1).max(64)).max(32).default([]),
});
export type PruningRunBody = z.infer<typeof pruningRunBodySchema>;

/** "Min-EAN" → EAN, min; "Random" → Random, no direction. */
export function splitCriterion(
  criterion: string,
  direction?: "min" | "max" | null,
): { criterion: string; direction: "min" | "max" | null } {
  const m = /^(min|max)[-_ ](.+)$/i.exec(criterion);
  if (m) return { criterion: m[2], direction: m[1].toLowerCase() as "min" | "max" };
  return { criterion, direction: direction ?? null };
}

export const criterionLabel = (r: { criterion: string; direction: string | null }) =>
  r.direction ? `${r.direction === "min" ? "Min" : "Max"}-${r.criterion}` : r.criterion;
