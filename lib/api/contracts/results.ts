import { z } from "zod";
import { PRUNING_SCHEDULES } from "@/lib/analysis/pruning";
import { pruningRunBodySchema } from "@/lib/pruning/pruning-schemas";
import { quantResultBodySchema, suggestBodySchema } from "@/lib/quant/quant-results";
import { defineContract, enumParam, intParam, json, jsonBody, type RawBody } from "../contract";
import { idParams, modelRefSchema, named } from "./common";
import { pruningStepResponseSchema } from "./analysis";

/** Stored results (§5): pruning runs and quantization results, their imports, the keep-mask and the allocation suggester. */

const DERIVED_OWNER =
  "Allowed to the token that created it, an admin token, or who may change a run it derives from (on a server without tokens: anyone); others get 403, or 404 when they may not read it.";
const importDocument: RawBody = {
  kind: "raw",
  media: { "application/json": { schema: { type: "object" } }, "text/csv": { schema: { type: "string" } } },
};
const importFormat = enumParam(["json", "csv"], "default: from the first byte").optional();

export const pruningRunSchema = named(
  "PruningRun",
  z.object({
    id: z.string(),
    name: z.string(),
    model: modelRefSchema,
    runId: z.string().nullable().describe("the trace run it was computed on"),
    criterion: z.string(),
    direction: z.enum(["min", "max"]).nullable(),
    label: z.string().describe("criterion with its direction, e.g. Min-EAN"),
    schedule: z.enum(PRUNING_SCHEDULES),
    dense: z.record(z.string(), z.number()),
    steps: z.array(pruningStepResponseSchema),
    source: z.string(),
    tags: z.array(z.string()),
    createdAt: z.string(),
  }),
);

export const listPruningRuns = defineContract({
  method: "GET",
  path: "/api/pruning-runs",
  summary: "Stored expert-pruning runs (§5), newest first",
  query: z.object({
    model: z.string().max(200).optional().describe("preset id or model name"),
    criterion: z.string().max(64).optional().describe("EAN, or with direction: Min-EAN"),
    schedule: z
      .string()
      .max(32)
      .optional()
      .describe(`one of ${PRUNING_SCHEDULES.join(", ")}`),
  }),
  response: json(z.object({ pruningRuns: z.array(pruningRunSchema) }), "pruning runs"),
  errors: [400],
});

export const createPruningRun = defineContract({
  method: "POST",
  path: "/api/pruning-runs",
  summary: "Store one pruning run",
  auth: true,
  body: jsonBody(pruningRunBodySchema),
  response: json(pruningRunSchema, "the pruning run", 201),
  errors: [400, 401, 403, 404],
});

export const importPruningRuns = defineContract({
  method: "POST",
  path: "/api/pruning-runs/import",
  summary:
    "Import pruning runs from JSON (one, a list, or {pruningRuns: [...]}, as MC-Suite's transcription) or CSV (criterion, schedule, dropped_percent, metric columns; 0% = dense): all or none",
  auth: true,
  query: z.object({
    format: importFormat,
    model: z.string().optional().describe("preset id for runs that name no model"),
    source: z.string().optional(),
  }),
  body: importDocument,
  response: json(z.object({ created: z.array(pruningRunSchema) }), "created", 201),
  errors: [400, 401, 403, 404, 413],
});

export const getPruningRun = defineContract({
  method: "GET",
  path: "/api/pruning-runs/{id}",
  summary: "One pruning run",
  params: idParams,
  response: json(pruningRunSchema, "the pruning run"),
  errors: [404],
});

const deletedNamed = z.object({ deleted: z.object({ id: z.string(), name: z.string() }) });
export const deletePruningRun = defineContract({
  method: "DELETE",
  path: "/api/pruning-runs/{id}",
  summary: `Delete a pruning run. ${DERIVED_OWNER}`,
  auth: true,
  params: idParams,
  response: json(deletedNamed, "deleted"),
  errors: [401, 403, 404],
});

export const getKeepMask = defineContract({
  method: "GET",
  path: "/api/pruning-runs/{id}/keep-mask",
  summary:
    "The keep-mask after a step (default the last): keep[layer][expert], true = kept. 422 no_dropped_sets when the step records only the share dropped",
  params: idParams,
  query: z.object({ step: intParam({ description: "step index, default the last" }).optional() }),
  response: json(
    z.object({
      pruningRun: z.string(),
      step: z.number().int(),
      droppedPercent: z.number(),
      model: z.string(),
      dropped: z.array(z.array(z.number().int())).describe("experts dropped up to this step, per layer"),
      keep: z.array(z.array(z.boolean())),
    }),
    "keep-mask",
  ),
  errors: [400, 404, 422],
});

export const comparePruningRuns = defineContract({
  method: "GET",
  path: "/api/pruning-runs/compare",
  summary:
    "Several pruning runs: their steps (metric vs share dropped), each run's layer × expert step of dropping, and the Jaccard overlap of final dropped sets between runs",
  query: z.object({
    ids: z
      .string()
      .describe("comma-separated, 1 to 16")
      .optional()
      .transform((v) => (v ?? "").split(",").filter(Boolean)),
  }),
  response: json(
    z.object({
      runs: z.array(pruningRunSchema),
      dropStep: z
        .record(z.string(), z.array(z.array(z.number().int())).nullable())
        .describe("per run id: [layer][expert] the step that dropped it (0 = never), or null without dropped sets"),
      jaccard: z.array(
        z.object({
          a: z.string(),
          b: z.string(),
          mean: z.number().nullable(),
          perLayer: z.array(z.number().nullable()),
        }),
      ),
    }),
    "comparison",
  ),
  errors: [400],
});

const bitsSchema = z.object({
  attention: z.number(),
  experts: z.array(z.array(z.number())).describe("[layer][expert]"),
  shared: z.number().optional(),
});
export const quantResultSchema = named(
  "QuantResult",
  z.object({
    id: z.string(),
    name: z.string(),
    model: modelRefSchema,
    method: z.string(),
    groupSize: z.number().int().nullable(),
    bits: bitsSchema,
    avgBits: z.number().describe("Σ_m b_m·|W_m| / Σ_m |W_m| over attention, routed and shared experts (A10)"),
    sizeBytes: z.number(),
    metrics: z.record(z.string(), z.number()),
    source: z.string(),
    runId: z.string().nullable(),
    fpRunId: z.string().nullable().describe("paired full-precision trace"),
    quantRunId: z
      .string()
      .nullable()
      .describe("paired quantized trace (routing drift: /api/compare?a=fp&b=quant&paired=1)"),
    tags: z.array(z.string()),
    createdAt: z.string(),
  }),
);

export const listQuantResults = defineContract({
  method: "GET",
  path: "/api/quant-results",
  summary: "Stored quantization results, with avgBits and sizeBytes",
  query: z.object({ model: z.string().max(200).optional().describe("preset id or model name") }),
  response: json(z.object({ quantResults: z.array(quantResultSchema) }), "quantization results"),
  errors: [400],
});

export const createQuantResult = defineContract({
  method: "POST",
  path: "/api/quant-results",
  summary:
    "Store a quantization result; avgBits = Σ_m b_m·|W_m| / Σ_m |W_m| over attention, routed and shared experts (A10) and sizeBytes are computed from the model's parameter counts",
  auth: true,
  body: jsonBody(quantResultBodySchema),
  response: json(quantResultSchema, "the result with avgBits and sizeBytes", 201),
  errors: [400, 401, 403, 404],
});

export const importQuantResults = defineContract({
  method: "POST",
  path: "/api/quant-results/import",
  summary:
    "Import quantization results: JSON (one, a list, or {quantResults}) or CSV (name, method, group_size, attention_bits, expert_bits, metric columns); all or none",
  auth: true,
  query: z.object({
    format: importFormat,
    model: z.string().optional().describe("preset id for results that name no model"),
  }),
  body: importDocument,
  response: json(z.object({ created: z.array(quantResultSchema) }), "created", 201),
  errors: [400, 401, 403, 404, 413],
});

export const getQuantResult = defineContract({
  method: "GET",
  path: "/api/quant-results/{id}",
  summary: "One quantization result",
  params: idParams,
  response: json(quantResultSchema, "the result"),
  errors: [404],
});

export const deleteQuantResult = defineContract({
  method: "DELETE",
  path: "/api/quant-results/{id}",
  summary: `Delete a quantization result. ${DERIVED_OWNER}`,
  auth: true,
  params: idParams,
  response: json(deletedNamed, "deleted"),
  errors: [401, 403, 404],
});

export const suggestQuantAllocation = defineContract({
  method: "POST",
  path: "/api/quant-results/suggest",
  summary:
    "Suggest a bit allocation (A10): by expert usage from a run, by per-expert outlier scores, or by block position; under an average-bits budget or an explicit count. A computation, not a write (save the result with POST /api/quant-results)",
  body: jsonBody(suggestBodySchema),
  response: json(
    z.object({
      strategy: z.enum(["usage", "outliers", "block"]),
      model: z.string(),
      runId: z.string().nullable(),
      bits: bitsSchema,
      avgBits: z.number(),
      sizeBytes: z.number(),
      budget: z.number().nullable(),
      step: z
        .number()
        .describe(
          "the average bits one more promotion adds (one expert; one layer for block), so under a budget avgBits > budget − step unless every expert is high",
        ),
      loads: z.array(z.array(z.number())).nullable().describe("usage: the expert loads that ranked the experts"),
    }),
    "allocation",
  ),
  errors: [400, 404],
});
