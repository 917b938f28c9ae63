import { badRequest } from "@/lib/errors";
import { z } from "zod";
import { modelConfigSchema } from "@/lib/models/model-config";
import { NORMALIZATIONS } from "@/lib/analysis/coactivation";
import { RUN_SORTS } from "@/lib/runs/run-sorts";
import { policySchema } from "@/lib/runs/run-policy";

export const visibilitySchema = z.enum(["private", "unlisted", "public"]);

export const createRunBodySchema = z.object({
  name: z.string().trim().min(1).max(200),
  model: z.union([z.object({ preset: z.string().min(1) }).strict(), modelConfigSchema]),
  description: z.string().max(10_000).optional(),
  tags: z.array(z.string().trim().min(1).max(64)).max(32).optional(),
  visibility: visibilitySchema.optional(),
  policy: policySchema.optional(),
});
export type CreateRunBody = z.infer<typeof createRunBodySchema>;

/** PATCH /api/runs/{id}: what may change after creation (the model and the counts may not). */
export const updateRunBodySchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(10_000),
    tags: z.array(z.string().trim().min(1).max(64)).max(32),
    visibility: visibilitySchema,
    policy: policySchema,
    /** Admin only: the id of the API token that owns the run from now on, or null for none. */
    owner: z.string().min(1).max(64).nullable(),
  })
  .partial()
  .strict();
export type UpdateRunBody = z.infer<typeof updateRunBodySchema>;

export const listRunsQuerySchema = z.object({
  q: z.string().max(200).optional(),
  model: z.string().max(200).optional(),
  tag: z.string().max(64).optional(),
  /** A policy kind (`c2r`) or a whole policy (`c2r:T=1`). */
  policy: z.string().max(64).optional(),
  sort: z.enum(RUN_SORTS).optional(),
  order: z.enum(["asc", "desc"]).optional(),
});

export const layerQuerySchema = z.object({
  normalization: z.enum(NORMALIZATIONS).optional(),
});

/** Path parameter `layer`: a MoE layer index from 0. */
export function parseLayerParam(value: string, where = "path parameter layer"): number {
  if (!/^\d+$/.test(value)) throw badRequest("invalid_layer", `layer "${value}" is not a MoE layer index (an integer from 0)`, where);
  return Number(value);
}
