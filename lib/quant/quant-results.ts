import { z } from "zod";
import {
  allocationStep,
  averageBits,
  suggestByBlock,
  suggestByOutliers,
  suggestByUsage,
  type BitAllocation,
} from "@/lib/analysis/quantization";
import { invalid } from "@/lib/errors";
import type { Viewer } from "@/lib/auth/viewer";
import type { Db } from "@/lib/db/client";
import { getAllLayerAggregates } from "@/lib/db/queries/layer-aggregates";
import { insertQuantResult, type QuantResultWithModel } from "@/lib/db/queries/quant-results";
import { newId } from "@/lib/ids";
import { modelConfigSchema } from "@/lib/models/model-config";
import { findPreset } from "@/lib/models/presets";
import { createModelFromSpec } from "@/lib/runs/create-run";
import { requireRun } from "@/lib/runs/require-run";

const bits = z.number().min(0).max(32);

/** POST /api/quant-results: experts' bits as one number (all), per layer ([L]), or per expert ([L][E]). */
export const quantResultBodySchema = z.object({
  name: z.string().trim().min(1).max(200),
  model: z.union([z.object({ preset: z.string().min(1) }).strict(), modelConfigSchema]),
  method: z.string().trim().min(1).max(64),
  groupSize: z.number().int().positive().nullable().optional(),
  bits: z.object({
    attention: bits,
    experts: z.union([bits, z.array(bits), z.array(z.array(bits))]),
    shared: bits.optional(),
  }),
  metrics: z.record(z.string().min(1).max(100), z.number().finite()).default({}),
  source: z.string().max(1000).default(""),
  runId: z.string().max(64).nullable().optional(),
  fpRunId: z.string().max(64).nullable().optional(),
  quantRunId: z.string().max(64).nullable().optional(),
  tags: z.array(z.string().trim().min(1).max(64)).max(32).default([]),
});
export type QuantResultBody = z.infer<typeof quantResultBodySchema>;

/** Expands the experts' bits to [layer][expert] for the model, saying where a shape is off. */
function expandExperts(experts: QuantResultBody["bits"]["experts"], L: number, E: number, where: string): number[][] {
  if (typeof experts === "number") return Array.from({ length: L }, () => Array(E).fill(experts));
  if (experts.length !== L)
    throw invalid(
      "shape_mismatch",
      `bits.experts lists ${experts.length} layers; the model has ${L}`,
      `${where}.bits.experts`,
    );
  return experts.map((row, l) => {
    if (typeof row === "number") return Array(E).fill(row);
    if (row.length !== E)
      throw invalid(
        "shape_mismatch",
        `layer ${l} lists ${row.length} experts; the model has ${E}`,
        `${where}.bits.experts[${l}]`,
      );
    return row;
  });
}

/** Stores quantization results, all or none; average bits and size come from the model's parameter counts (A10). */
export async function createQuantResults(db: Db, bodies: QuantResultBody[], viewer: Viewer) {
  return db.transaction(async (tx) => {
    const out: QuantResultWithModel[] = [];
    for (const [i, body] of bodies.entries()) {
      const where = bodies.length > 1 ? `quantResults[${i}]` : "body";
      const model = await createModelFromSpec(tx, body.model, `${where}.model`);
      const { layers: L, experts: E, params } = model.config;
      if (!params)
        throw invalid(
          "missing_params",
          `model ${model.name} has no parameter counts (config.params), so average bits cannot be computed`,
          `${where}.model`,
        );
      const alloc: BitAllocation = {
        attention: body.bits.attention,
        experts: expandExperts(body.bits.experts, L, E, where),
        ...(body.bits.shared !== undefined ? { shared: body.bits.shared } : {}),
      };
      const avg = averageBits(params, L, E, alloc);
      for (const k of ["runId", "fpRunId", "quantRunId"] as const)
        if (body[k]) await requireRun(tx, body[k]!, viewer, `${where}.${k}`);
      const row = await insertQuantResult(tx, {
        id: newId(),
        name: body.name,
        modelId: model.id,
        method: body.method,
        groupSize: body.groupSize ?? null,
        bits: alloc,
        avgBits: avg.avgBits,
        sizeBytes: avg.bytes,
        metrics: body.metrics,
        source: body.source,
        runId: body.runId ?? null,
        fpRunId: body.fpRunId ?? null,
        quantRunId: body.quantRunId ?? null,
        tags: body.tags,
        ownerTokenId: viewer.tokenId,
      });
      out.push({ ...row, model });
    }
    return out;
  });
}

export function toQuantResultView(r: QuantResultWithModel) {
  return {
    id: r.id,
    name: r.name,
    model: {
      id: r.model.id,
      preset: r.model.presetId,
      name: r.model.name,
      layers: r.model.layers,
      experts: r.model.experts,
    },
    method: r.method,
    groupSize: r.groupSize,
    bits: r.bits,
    avgBits: r.avgBits,
    sizeBytes: r.sizeBytes,
    metrics: r.metrics,
    source: r.source,
    runId: r.runId,
    fpRunId: r.fpRunId,
    quantRunId: r.quantRunId,
    tags: r.tags,
    createdAt: r.createdAt.toISOString(),
  };
}

export const suggestBodySchema = z
  .object({
    strategy: z.enum(["usage", "outliers", "block"]),
    /** usage: the trace run whose expert loads rank the experts; its model is the model. */
    runId: z.string().max(64).optional(),
    model: z.union([z.object({ preset: z.string().min(1) }).strict(), modelConfigSchema]).optional(),
    high: bits.default(4),
    low: bits.default(2),
    attention: bits.default(4),
    shared: bits.optional(),
    budget: z.number().min(0).max(32).optional(),
    topPerLayer: z.number().int().min(0).optional(),
    firstBlocks: z.number().int().min(0).optional(),
    /** outliers: one score per expert, [layer][expert] (e.g. the max over its linears of max_i |W_ij| / mean_i |W_ij|). */
    scores: z.array(z.array(z.number())).optional(),
  })
  .refine((b) => b.high >= b.low, { message: "high bits must be at least low bits", path: ["high"] });

/** An allocation suggested under a budget (or an explicit count), with its average bits; saved with POST /api/quant-results. */
export async function suggestAllocation(db: Db, body: z.infer<typeof suggestBodySchema>, viewer: Viewer) {
  const run = body.runId ? await requireRun(db, body.runId, viewer, "runId") : null;
  const config = run
    ? run.model.config
    : body.model
      ? "preset" in body.model
        ? modelOfPreset(body.model.preset)
        : body.model
      : null;
  if (!config) throw invalid("missing_field", "give runId (usage) or model", "model");
  const { layers: L, experts: E, params } = config;
  if (!params) throw invalid("missing_params", `model ${config.name} has no parameter counts (config.params)`, "model");
  if (body.topPerLayer === undefined && body.firstBlocks === undefined && body.budget === undefined)
    throw invalid("missing_field", "give a budget (average bits) or an explicit topPerLayer / firstBlocks", "budget");
  const opts = {
    high: body.high,
    low: body.low,
    attention: body.attention,
    shared: body.shared,
    budget: body.budget,
    params,
  };
  let alloc: BitAllocation;
  let loads: number[][] | null = null;
  if (body.strategy === "usage") {
    if (!run)
      throw invalid(
        "missing_field",
        "usage-based allocation needs runId: the trace whose expert loads rank the experts",
        "runId",
      );
    loads = (await getAllLayerAggregates(db, run.id, L, E)).map((a) => Array.from(a.load));
    alloc = suggestByUsage(loads, { ...opts, topPerLayer: body.topPerLayer });
  } else if (body.strategy === "outliers") {
    if (!body.scores)
      throw invalid("missing_field", "outlier-based allocation needs scores: [layer][expert]", "scores");
    if (body.scores.length !== L || body.scores.some((r) => r.length !== E))
      throw invalid("shape_mismatch", `scores must be ${L} layers × ${E} experts`, "scores");
    alloc = suggestByOutliers(body.scores, { ...opts, topPerLayer: body.topPerLayer });
  } else alloc = suggestByBlock(L, E, { ...opts, firstBlocks: body.firstBlocks });
  const avg = averageBits(params, L, E, alloc);
  // step: what one more promotion would add, so a reader sees why the budget is not met exactly.
  const step = allocationStep(params, L, E, opts, body.strategy);
  return {
    strategy: body.strategy,
    model: config.name,
    runId: run?.id ?? null,
    bits: alloc,
    avgBits: avg.avgBits,
    sizeBytes: avg.bytes,
    budget: body.budget ?? null,
    step,
    loads,
  };
}

function modelOfPreset(id: string) {
  const p = findPreset(id);
  if (!p) throw invalid("unknown_preset", `unknown model preset "${id}"`, "model.preset");
  return p;
}
