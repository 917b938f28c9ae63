import { z } from "zod";

/** Parameter counts of the quantizable linear modules (A10), per MoE layer. */
export const moduleParamsSchema = z.object({
  /** Attention linears of one decoder block, e.g. {q, k, v, o}. */
  attention: z.record(z.string(), z.number().int().positive()),
  /** Linears of one routed expert, e.g. {gate, up, down}. */
  expert: z.record(z.string(), z.number().int().positive()),
  /** Linears of all shared experts of one block together; empty when there are none. */
  shared: z.record(z.string(), z.number().int().positive()).default({}),
});
export type ModuleParams = z.infer<typeof moduleParamsSchema>;

const MAX_EXPERTS = 4096;

export const modelConfigSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    layers: z.number().int().min(1).max(1024),
    experts: z.number().int().min(2).max(MAX_EXPERTS),
    topK: z.number().int().min(1).max(64),
    sharedExperts: z.number().int().min(0).max(64).default(0),
    router: z.enum(["softmax", "sigmoid"]).default("softmax"),
    /** Whether the top-k gate weights are renormalized to sum to 1. */
    renormalize: z.boolean().default(true),
    /** Model (decoder block) index of each MoE layer; defaults to 0..layers-1. */
    moeLayerIndices: z.array(z.number().int().min(0)).optional(),
    hidden: z.number().int().positive().optional(),
    expertFfn: z.number().int().positive().optional(),
    params: moduleParamsSchema.optional(),
    notes: z.string().max(2000).optional(),
  })
  .superRefine((m, ctx) => {
    if (m.topK > m.experts) {
      ctx.addIssue({ code: "custom", path: ["topK"], message: `topK ${m.topK} exceeds experts ${m.experts}` });
    }
    if (m.moeLayerIndices && m.moeLayerIndices.length !== m.layers) {
      ctx.addIssue({
        code: "custom",
        path: ["moeLayerIndices"],
        message: `has ${m.moeLayerIndices.length} entries, expected one per MoE layer (${m.layers})`,
      });
    }
  });

export type ModelConfigInput = z.input<typeof modelConfigSchema>;
export type ModelConfig = z.infer<typeof modelConfigSchema>;
