import { z } from "zod";
import { EXPORT_FORMATS } from "@/lib/analysis/plan-export";
import { COST_DEFAULTS } from "@/lib/analysis/serving-plan";
import { MAX_WINDOWS, PLAN_STRATEGIES } from "@/lib/runs/compute-plan";
import { defineContract, json, jsonBody } from "../contract";
import { runParams } from "./common";

/** The serving placement planner (PRODUCT.md A14): redundant experts, GPUs, nodes, windows, exports. */

const count = (max: number, what: string) => z.number().int().min(1).max(max).describe(what);
const nullableNumber = z.number().nullable();
const windowScore = z.object({ balancedness: nullableNumber, ctGpu: nullableNumber, ctNode: nullableNumber });

export const planBodySchema = z
  .object({
    slots: count(65536, "physical expert slots P ≥ E (E + redundant experts), a multiple of gpus"),
    gpus: count(4096, "GPUs G; slot p is on GPU floor(p / (P / G))"),
    nodes: count(1024, "nodes N dividing gpus (default 1); GPU g is in node floor(g / (G / N))").optional(),
    groups: count(
      65536,
      "expert groups dividing the experts (default 1); EPLB is hierarchical when nodes divide groups",
    ).optional(),
    strategy: z
      .enum(PLAN_STRATEGIES)
      .describe("eplb: DeepSeek's EPLB; optimized: ours, as balanced as EPLB with lower C_T"),
    maxLoadRatio: z
      .number()
      .min(1)
      .max(16)
      .optional()
      .describe(
        "optimized only: max GPU load at most this × EPLB's on the same layer (default 1: never less balanced)",
      ),
    window: z
      .object({
        tokens: count(1 << 24, "tokens per window, per layer, in upload order"),
        index: z
          .number()
          .int()
          .min(0)
          .max(1 << 20)
          .optional()
          .describe("plan on this window (default 0), evaluate on the next"),
      })
      .strict()
      .optional(),
    cost: z
      .object({
        hidden: count(1 << 20, "hidden size (default: the model's)").optional(),
        dtypeBytes: z
          .union([z.literal(1), z.literal(2), z.literal(4)])
          .optional()
          .describe(`bytes per activation element (default ${COST_DEFAULTS.dtypeBytes}, bf16)`),
        nvlinkGBps: z
          .number()
          .positive()
          .max(1e5)
          .optional()
          .describe(`NVLink GB/s per GPU and direction (default ${COST_DEFAULTS.nvlinkGBps})`),
        ibGBps: z
          .number()
          .positive()
          .max(1e5)
          .optional()
          .describe(`InfiniBand GB/s per GPU and direction (default ${COST_DEFAULTS.ibGBps})`),
        tokensPerGpu: count(
          1 << 24,
          `tokens each GPU sends per layer (default ${COST_DEFAULTS.tokensPerGpu})`,
        ).optional(),
      })
      .strict()
      .optional(),
    export: z.enum(EXPORT_FORMATS).optional().describe("also return the plan as this engine's file"),
    layerOffset: z
      .number()
      .int()
      .min(0)
      .max(4096)
      .optional()
      .describe("trtllm: model layer index of MoE layer 0 (default 0)"),
  })
  .strict();

const layerSchema = z.object({
  phy2log: z.array(z.number().int()).describe("[P] logical expert of each slot"),
  log2phy: z
    .array(z.array(z.number().int()))
    .describe("[E][max replicas] slots of each expert by replica rank, −1 padded"),
  logcnt: z.array(z.number().int()).describe("[E] replicas of each expert"),
  gpuLoad: z.array(z.number()).describe("[G] Σ load_e / logcnt_e over the GPU's slots (evaluation tokens)"),
  balancedness: nullableNumber.describe("mean / max GPU load"),
  maxOverMean: nullableNumber.describe("max / mean GPU load"),
  plannedBalancedness: nullableNumber.describe("mean / max GPU load on the tokens planned on (differs with a window)"),
  plannedMaxGpuLoad: z
    .number()
    .describe("max GPU load on the tokens planned on: ours is never above EPLB's (maxLoadRatio 1)"),
  ctGpu: nullableNumber.describe("expected GPUs a token reaches"),
  ctNode: nullableNumber.describe("expected nodes a token reaches"),
  seconds: nullableNumber.describe("estimated dispatch + combine time of the layer; null without a hidden size"),
  before: z
    .object({ balancedness: nullableNumber, ctGpu: nullableNumber, ctNode: nullableNumber, seconds: nullableNumber })
    .describe("the same under the engines' trivial placement (slot p holds expert p mod E)"),
});

export const computePlan = defineContract({
  method: "POST",
  path: "/api/runs/{id}/plan",
  summary:
    "Serving placement plan per layer (A14): EPLB or ours, replicas on GPUs and nodes, C_T, cost, windows, exports",
  params: runParams,
  body: jsonBody(planBodySchema),
  response: json(
    z.object({
      strategy: z.enum(PLAN_STRATEGIES),
      policy: z.enum(["hierarchical", "global"]).describe("EPLB's: hierarchical when nodes divide groups"),
      experts: z.number().int(),
      slots: z.number().int(),
      gpus: z.number().int(),
      nodes: z.number().int(),
      groups: z.number().int(),
      slotsPerGpu: z.number().int(),
      maxLoadRatio: nullableNumber,
      split: z.string().describe("how replicas split tokens (evenly)"),
      ctSource: z.enum(["events", "coactivation"]),
      exact: z.boolean().describe("false when C_T is the pairwise estimate (aggregates only, top-k > 2)"),
      note: z.string(),
      layers: z.array(layerSchema),
      balancednessMean: nullableNumber,
      plannedBalancednessMean: nullableNumber,
      maxOverMeanMean: nullableNumber,
      ctGpuMean: nullableNumber,
      ctNodeMean: nullableNumber,
      secondsMean: nullableNumber,
      before: z.object({
        balancednessMean: nullableNumber,
        ctGpuMean: nullableNumber,
        ctNodeMean: nullableNumber,
        secondsMean: nullableNumber,
      }),
      cost: z.object({
        hidden: z.number().int().nullable(),
        dtypeBytes: z.number().int(),
        nvlinkGBps: z.number(),
        ibGBps: z.number(),
        tokensPerGpu: z.number().int(),
      }),
      window: z.object({ tokens: z.number().int(), index: z.number().int(), count: z.number().int() }).nullable(),
      windows: z
        .array(z.object({ index: z.number().int(), stale: windowScore, fresh: windowScore }))
        .nullable()
        .describe(
          `per later window j (at most ${MAX_WINDOWS}): the plan of window index vs a fresh plan of window j − 1, both on window j`,
        ),
      file: z
        .object({ format: z.enum(EXPORT_FORMATS), name: z.string(), mediaType: z.string(), content: z.string() })
        .nullable(),
    }),
    "plan",
  ),
  errors: [400, 404],
});
