import { z } from "zod";
import { BALANCE_SCALARS } from "@/lib/analysis/balance";
import { modelConfigSchema, moduleParamsSchema } from "@/lib/models/model-config";
import { intParam } from "../contract";

/**
 * Schemas several resources share, and the registry of named ones: each becomes
 * #/components/schemas/<id> in the OpenAPI document, and every use of it a $ref.
 */
export const NAMED_SCHEMAS = new Map<string, z.ZodType>();
export const named = <T extends z.ZodType>(id: string, schema: T): T => {
  NAMED_SCHEMAS.set(id, schema);
  return schema;
};
/** Named request-side schemas: documented as their input (what a client sends, defaults optional). */
export const NAMED_INPUT_SCHEMAS = new Map<string, z.ZodType>();
const namedInput = <T extends z.ZodType>(id: string, schema: T): T => {
  NAMED_INPUT_SCHEMAS.set(id, schema);
  return schema;
};

export const VISIBILITIES = ["private", "unlisted", "public"] as const;
export const visibilitySchema = z.enum(VISIBILITIES);

export const errorSchema = named(
  "Error",
  z.object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      where: z.string().optional().describe("field, line and byte offset, array, layer..."),
    }),
  }),
);

export const warningSchema = named(
  "Warning",
  z.object({
    code: z.string(),
    message: z.string(),
    count: z.number().int(),
    where: z.string().optional().describe("where the first occurrence was"),
  }),
);

/** A model as the API answers it (the request side is lib/models/model-config.ts, with its defaults). */
export const modelConfigResponseSchema = named(
  "ModelConfig",
  z.object({
    name: z.string(),
    layers: z.number().int().describe("MoE layers"),
    experts: z.number().int().describe("routed experts per layer"),
    topK: z.number().int(),
    sharedExperts: z.number().int(),
    router: z.enum(["softmax", "sigmoid"]),
    renormalize: z.boolean().describe("top-k gate weights renormalized to sum to 1"),
    moeLayerIndices: z.array(z.number().int()).optional().describe("model (decoder block) index of each MoE layer"),
    hidden: z.number().int().optional(),
    expertFfn: z.number().int().optional(),
    params: moduleParamsSchema
      .optional()
      .describe("parameter counts of quantizable linears per layer: attention, expert, shared"),
    notes: z.string().optional(),
  }),
);

/** A model described in full when creating a run or a stored result (else `{preset}`). */
namedInput("ModelConfigInput", modelConfigSchema);

export const POLICY_DESCRIPTION =
  "routing policy: vanilla, c2r:T=<n> (C2R with T collaborators), device-limited:M=<n> (at most M devices per token), pruned[:<note>], quantized[:<note>]";

export const uploadSchema = z.object({
  id: z.string(),
  format: z.string(),
  fileName: z.string().nullable(),
  bytes: z.number().int(),
  events: z.number().int(),
  tokens: z.number().int(),
  hasWeights: z.boolean(),
  hasLogits: z.boolean(),
  committedAt: z.string().nullable(),
});

export const runSchema = named(
  "Run",
  z.object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    tags: z.array(z.string()),
    visibility: visibilitySchema,
    policy: z.string().describe(POLICY_DESCRIPTION),
    series: z.string().nullable().describe("the series (training checkpoints) the run belongs to, or null"),
    step: z.number().int().nullable().describe("the run's step in its series (a training step or checkpoint), or null"),
    owner: z.string().nullable().describe("id of the API token that owns the run (it and admin tokens may change it)"),
    model: modelConfigResponseSchema.extend({ id: z.string(), preset: z.string().nullable() }),
    tokens: z.number().int().describe("tokens of the fullest layer"),
    events: z.number().int(),
    labels: z.array(z.string()),
    meanBalance: z
      .number()
      .nullable()
      .describe("layer mean of the normalized load entropy H(P) / ln E (1 = balanced); null without tokens"),
    meanCollaborationEntropy: z
      .number()
      .nullable()
      .describe("layer mean of the mean collaboration entropy (A3, nats); null without co-activation"),
    createdAt: z.string(),
    updatedAt: z.string(),
    uploads: z.array(uploadSchema).optional().describe("committed uploads (one run; not in lists)"),
    warnings: z.array(warningSchema.extend({ uploadId: z.string(), fileName: z.string().nullable() })).optional(),
  }),
);

const nullableNumber = z.number().nullable();
export const balanceSchema = named(
  "Balance",
  z
    .object({
      loadShare: z.array(z.number()),
      maxOverMean: nullableNumber,
      imbalance: nullableNumber.describe("(max - mean) / mean"),
      balancedness: nullableNumber.describe("mean / max"),
      cv: nullableNumber,
      gini: nullableNumber,
      normalizedEntropy: nullableNumber.describe("H(P) / ln E"),
      jain: nullableNumber,
      dead: z.array(z.number().int()),
      hot: z.array(z.number().int()).describe("load >= 2x mean"),
    })
    .describe("A1 metrics of one layer; null where undefined (no tokens)"),
);
/** The A1 scalars by name, from the code's own list. */
export const balanceScalarShape = Object.fromEntries(BALANCE_SCALARS.map((k) => [k, nullableNumber])) as Record<
  (typeof BALANCE_SCALARS)[number],
  typeof nullableNumber
>;

export const collaboratorSchema = z.object({ expert: z.number().int(), count: z.number(), share: z.number() });

export const idParams = z.object({ id: z.string().min(1).describe("id") });
export const runParams = z.object({ id: z.string().min(1).describe("run id") });
export const layerParams = runParams.extend({ layer: intParam({ description: "MoE layer index from 0" }) });

/** A model as the list views of stored results name it. */
export const modelRefSchema = z.object({
  id: z.string(),
  preset: z.string().nullable(),
  name: z.string(),
  layers: z.number().int(),
  experts: z.number().int(),
});
