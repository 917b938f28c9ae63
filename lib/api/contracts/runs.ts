import { z } from "zod";
import { MAX_RUNS_PAGE, RUN_SORTS } from "@/lib/runs/run-sorts";
import { policySchema } from "@/lib/runs/run-policy";
import { modelConfigSchema } from "@/lib/models/model-config";
import { TRACE_FORMATS } from "@/lib/trace/detect-format";
import { WARMUP_MIN_RUN } from "@/lib/trace/warmup";
import { defineContract, enumParam, flagParam, intParam, json, jsonBody } from "../contract";
import {
  balanceScalarShape,
  POLICY_DESCRIPTION,
  runParams,
  runSchema,
  visibilitySchema,
  warningSchema,
} from "./common";

/** Runs: create, list, read, change, delete, upload traces into. */

const tags = z.array(z.string().trim().min(1).max(64)).max(32);
const policy = policySchema.describe(POLICY_DESCRIPTION);
const series = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .nullable()
  .describe("the series (training checkpoints) the run belongs to; null takes it out");
const step = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1)
  .nullable()
  .describe("the run's step in its series (training step or checkpoint); one run per step of a series");

export const createRunBodySchema = z.object({
  name: z.string().trim().min(1).max(200),
  model: z.union([
    z.object({ preset: z.string().min(1).meta({ example: "mixtral-8x7b" }) }).strict(),
    modelConfigSchema,
  ]),
  description: z.string().max(10_000).optional(),
  tags: tags.optional(),
  visibility: visibilitySchema.optional(),
  policy: policy.optional(),
  series: series.optional(),
  step: step.optional(),
});
export type CreateRunBody = z.infer<typeof createRunBodySchema>;

/** PATCH /api/runs/{id}: what may change after creation (the model and the counts may not). */
export const updateRunBodySchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(10_000),
    tags,
    visibility: visibilitySchema,
    policy,
    series,
    step,
    /** Admin only: the id of the API token that owns the run from now on, or null for none. */
    owner: z
      .string()
      .min(1)
      .max(64)
      .nullable()
      .describe("admin only: the id of the token that owns the run from now on"),
  })
  .partial()
  .strict();
export type UpdateRunBody = z.infer<typeof updateRunBodySchema>;

export const listRunsQuerySchema = z.object({
  q: z.string().max(200).optional().describe("words of the name, description or tags"),
  model: z.string().max(200).optional(),
  tag: z.string().max(64).optional(),
  policy: z.string().max(64).optional().describe("a policy kind (c2r) or a whole policy (c2r:T=1)"),
  series: z.string().max(200).optional().describe("only the runs of this series"),
  sort: enumParam(
    RUN_SORTS,
    "model: by model name; series: by series, then step (runs without a series last); tags: by the tag list; balance: meanBalance, entropy: meanCollaborationEntropy (runs without tokens last)",
  ).optional(),
  order: enumParam(["asc", "desc"])
    .optional()
    .describe("default: asc for name, model, policy, series, tags; desc (largest, newest first) otherwise"),
  limit: intParam({
    min: 1,
    max: MAX_RUNS_PAGE,
    description: `runs per page (default and at most ${MAX_RUNS_PAGE})`,
  }).optional(),
  offset: intParam({ min: 0, max: 2 ** 31 - 1, description: "runs to skip (default 0)" }).optional(),
});

export const listRuns = defineContract({
  method: "GET",
  path: "/api/runs",
  summary: "List public runs (and the caller's own), newest first unless sorted, one page at a time",
  query: listRunsQuerySchema,
  response: json(
    z.object({
      runs: z.array(runSchema),
      total: z.number().int().describe("runs matching the filters, over all pages"),
      limit: z.number().int(),
      offset: z.number().int(),
    }),
    "one page of runs",
  ),
  errors: [400],
});

export const createRun = defineContract({
  method: "POST",
  path: "/api/runs",
  summary: "Create a run",
  auth: true,
  body: jsonBody(createRunBodySchema),
  response: json(runSchema, "created", 201),
  errors: [400, 401, 403],
});

export const getRun = defineContract({
  method: "GET",
  path: "/api/runs/{id}",
  summary:
    "One run with its model, counts, labels, uploads and warnings (404 for a private run the caller may not read)",
  params: runParams,
  response: json(runSchema, "run"),
  errors: [403, 404],
});

export const updateRun = defineContract({
  method: "PATCH",
  path: "/api/runs/{id}",
  summary:
    "Rename, retag, describe, change visibility or policy: the run's owner token or an admin token. `owner` (admin only) gives the run an owner",
  auth: true,
  params: runParams,
  body: jsonBody(updateRunBodySchema),
  response: json(runSchema, "the run"),
  errors: [400, 401, 403, 404],
});

export const deleteRun = defineContract({
  method: "DELETE",
  path: "/api/runs/{id}",
  summary:
    "Delete a run and everything derived from it: uploads, raw events, aggregates, pruning runs computed on it, quantization results tied to it, shares that show it (also as a comparison's other run). The run's owner token or an admin token.",
  auth: true,
  params: runParams,
  response: json(
    z.object({
      deleted: z.object({
        id: z.string(),
        name: z.string(),
        uploads: z.number().int(),
        pruningRuns: z.number().int(),
        quantResults: z.number().int(),
        shares: z.number().int(),
      }),
    }),
    "deleted",
  ),
  errors: [401, 403, 404],
});

export const deleteUpload = defineContract({
  method: "DELETE",
  path: "/api/runs/{id}/uploads/{uploadId}",
  summary:
    "Take one upload out of a run: its events and sums stop counting (the aggregates become bit for bit those of a run that never had it: the remaining uploads' sums are re-added in commit order), its raw events are removed, and the same file or shard may be uploaded again. The run's owner token or an admin token. 409 upload_in_progress while it still streams; 409 upload_sums_missing when another upload of the run predates per-upload sums (then delete the run instead)",
  auth: true,
  params: runParams.extend({ uploadId: z.string().min(1) }),
  response: json(
    z.object({
      deleted: z.object({ id: z.string(), fileName: z.string().nullable(), events: z.number().int() }),
      run: runSchema,
    }),
    "deleted",
  ),
  errors: [401, 403, 404, 409],
});

const warmupRunSchema = z.object({
  layer: z.number().int(),
  firstEvent: z.number().int().describe("1-based, among the layer's events"),
  events: z.number().int(),
  experts: z.array(z.number().int()),
  seq: z.number().int(),
  posFrom: z.number().int(),
  posTo: z.number().int(),
});

export const uploadTrace = defineContract({
  method: "POST",
  path: "/api/runs/{id}/traces",
  summary: "Upload a trace (streamed; counted once, atomically)",
  auth: true,
  params: runParams,
  query: z.object({
    format: enumParam([...TRACE_FORMATS, "auto"], "override detection from content").optional(),
    map: z
      .string()
      .optional()
      .meta({ example: "experts:topk_ids,weights:probs" })
      .describe("which arrays hold experts, weights, logits..."),
    label: z.string().optional().describe("label for events that carry none"),
    filename: z.string().optional(),
    key: z
      .string()
      .optional()
      .describe("a key of the client's choosing, to poll /api/runs/{id}/uploads/progress while the body streams"),
    exclude_warmup: flagParam(
      `leave out runs of identical routing (${WARMUP_MIN_RUN}+ consecutive events of a layer with the same experts and weights: engines' profiling and warm-up passes); they are reported in warmup either way`,
    ),
  }),
  body: {
    kind: "raw",
    media: { "application/octet-stream": { description: "the trace: JSONL, npy, npz, safetensors or aggregate JSON" } },
  },
  response: json(
    z.object({
      uploadId: z.string(),
      format: z.enum(TRACE_FORMATS),
      bytes: z.number().int(),
      events: z.number().int().describe("0 for aggregate JSON (sums, not events)"),
      tokens: z.number().int(),
      skippedSlots: z.number().int().describe("top-k slots holding -1 (padding, capacity drops)"),
      labels: z.array(z.string()),
      hasWeights: z.boolean(),
      hasLogits: z.boolean(),
      warnings: z.array(warningSchema),
      warmup: z
        .object({
          runCount: z.number().int(),
          events: z.number().int(),
          excluded: z.boolean(),
          runs: z.array(warmupRunSchema).describe("the first 64 runs"),
        })
        .nullable()
        .describe(
          "runs of identical routing found (null for aggregate documents); excluded says whether they were left out",
        ),
    }),
    "ingested",
  ),
  errors: [400, 401, 403, 404, 409, 413],
});

export const uploadProgress = defineContract({
  method: "GET",
  path: "/api/runs/{id}/uploads/progress",
  summary: "Server-side progress of an upload tagged with key=",
  params: runParams,
  query: z.object({ key: z.string().min(1).describe("the value passed as key= when uploading") }),
  response: json(
    z.object({
      id: z.string(),
      status: z.enum(["staging", "committed"]),
      bytes: z.number().int(),
      events: z.number().int(),
    }),
    "progress",
  ),
  errors: [400, 404],
});

const percentiles = z.object({ p50: z.number().nullable(), p90: z.number().nullable(), p95: z.number().nullable() });
export const runBalance = defineContract({
  method: "GET",
  path: "/api/runs/{id}/balance",
  summary:
    "A1 per layer (every scalar, dead and hot experts, the load) and each scalar's p50/p90/p95 across layers with tokens",
  params: runParams,
  response: json(
    z.object({
      layers: z.array(
        z.object({
          layer: z.number().int(),
          tokens: z.number(),
          load: z.array(z.number()),
          ...balanceScalarShape,
          dead: z.array(z.number().int()),
          hot: z.array(z.number().int()),
        }),
      ),
      percentiles: z.object(
        Object.fromEntries(Object.keys(balanceScalarShape).map((k) => [k, percentiles])) as Record<
          keyof typeof balanceScalarShape,
          typeof percentiles
        >,
      ),
    }),
    "balance",
  ),
  errors: [404],
});
