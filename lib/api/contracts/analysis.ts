import { z } from "zod";
import { BALANCE_SCALARS } from "@/lib/analysis/balance";
import { NORMALIZATIONS } from "@/lib/analysis/coactivation";
import { PRUNING_SCHEDULES, TRACE_CRITERIA, type TraceCriterion } from "@/lib/analysis/pruning";
import { PLACEMENT_STRATEGIES } from "@/lib/runs/compute-placement";
import { defineContract, enumParam, flagParam, intParam, json, jsonBody, type BinaryResponse } from "../contract";
import { FRAME_CONTENT_TYPE } from "@/lib/wire/frame";
import { balanceSchema, balanceScalarShape, collaboratorSchema, layerParams, named, runParams } from "./common";

/** The analyses of a run (PRODUCT.md §4): layers, groups, experts, flow, placement, simulation, pruning, comparison. */

const matrix = z.array(z.array(z.number()));
const topT = intParam({ min: 0, max: 4096, description: "collaborators listed per expert" }).default(3);

export const getLayer = defineContract({
  method: "GET",
  path: "/api/runs/{id}/layers/{layer}",
  summary: "One MoE layer's sums and A1 metrics, optionally a normalized co-activation matrix",
  params: layerParams,
  query: z.object({
    normalization: enumParam(NORMALIZATIONS).optional(),
    include: enumParam(
      ["transitions"],
      "add the transition counts to the next MoE layer (as large as the co-activation, so only on request)",
    ).optional(),
  }),
  response: json(
    z.object({
      layer: z.number().int(),
      modelLayer: z.number().int().describe("the decoder block of this MoE layer"),
      experts: z.number().int(),
      tokens: z.number(),
      load: z.array(z.number()),
      weightSum: z.array(z.number()),
      coactivation: matrix.describe("C[i][j]: tokens routed to both i and j; C[i][i] = load"),
      balance: balanceSchema,
      transitions: matrix
        .nullable()
        .optional()
        .describe(
          "with include=transitions: counts from this layer (rows) to the next MoE layer (columns); null when unknown",
        ),
      normalization: z.enum(NORMALIZATIONS).optional(),
      normalized: matrix
        .optional()
        .describe("with normalization: the normalized matrix, 7 significant digits (exact: .../matrix?normalization=)"),
    }),
    "layer",
  ),
  errors: [400, 404],
});

export const getLayerGroups = defineContract({
  method: "GET",
  path: "/api/runs/{id}/layers/{layer}/groups",
  summary:
    "A4: communities (the exact modularity optimum for at most 10 linked experts, else deterministic Louvain) on the layer's normalized lift graph (normalized lift = lift / ((k−1)E / (k(E−1))), the lift of input-independent top-k routing; edge weight normalized lift − 1 where it exceeds 1), their modularity, and a seriation that draws them as blocks",
  params: layerParams,
  response: json(
    z.object({
      layer: z.number().int(),
      tokens: z.number(),
      topK: z.number().int(),
      liftBaseline: z
        .number()
        .nullable()
        .describe("(k−1)E / (k(E−1)): lift under input-independent top-k routing; null for top-1 (no co-activation)"),
      community: z.array(z.number().int()).describe("community per expert, numbered by smallest member"),
      communities: z.number().int(),
      groups: z.number().int().describe("communities of more than one expert"),
      modularity: z.number(),
      method: z
        .enum(["exact", "louvain"])
        .describe(
          "exact: the modularity optimum over every partition (at most 10 linked experts); louvain: deterministic Louvain",
        ),
      order: z.array(z.number().int()).describe("expert ids in heatmap order"),
      note: z.string().optional().describe("present for top-1 runs: why there are no groups"),
    }),
    "groups",
  ),
  errors: [400, 404],
});

export const MATRIX_NAMES = ["coactivation", "transitions", "load", "weightSum"] as const;
const matrixAnswer: BinaryResponse<"x-matrix-shape" | "x-matrix-dtype" | "x-matrix-tokens"> = {
  kind: "binary",
  status: 200,
  description: "float64 values, little-endian, row-major; read with np.frombuffer(body, '<f8').reshape(shape)",
  mediaType: "application/octet-stream",
  headers: {
    "x-matrix-shape": {
      description: "dimensions, comma-separated: E,E for matrices, E for vectors",
      schema: z.string().regex(/^\d+(,\d+)*$/),
    },
    "x-matrix-dtype": { description: "element type: float64", schema: z.literal("float64") },
    "x-matrix-tokens": { description: "tokens of the layer", schema: z.string().regex(/^\d+(\.\d+)?$/) },
  },
};
export const getLayerMatrix = defineContract({
  method: "GET",
  path: "/api/runs/{id}/layers/{layer}/matrix",
  summary:
    "A layer's matrix or vector as raw little-endian float64, row-major (np.frombuffer(body, '<f8').reshape(shape))",
  params: layerParams,
  query: z.object({
    name: enumParam(MATRIX_NAMES).default("coactivation"),
    normalization: enumParam(NORMALIZATIONS, "coactivation only").optional(),
  }),
  response: matrixAnswer,
  errors: [400, 404],
});

/** The views' transport (lib/wire/frame.ts): the JSON answer's header and its matrices as typed arrays. */
const frameAnswer: BinaryResponse<"x-frame-version"> = {
  kind: "binary",
  status: 200,
  description:
    'a MAF1 frame: the bytes "MAF1", a little-endian uint32 header length, a JSON header (the JSON answer without its matrices, plus each array\'s name, dtype, shape and byte offset), then the arrays little-endian at 8-byte-aligned offsets in the narrowest exact dtype (uint32 counts, float32 or float64); lib/wire/frame.ts reads it',
  mediaType: FRAME_CONTENT_TYPE,
  headers: { "x-frame-version": { description: "frame layout version: MAF1", schema: z.literal("MAF1") } },
};
export const getLayerFrame = defineContract({
  method: "GET",
  path: "/api/runs/{id}/layers/{layer}/frame",
  summary:
    "The layer answer (GET /api/runs/{id}/layers/{layer}, same query) as a binary frame whose matrices are typed arrays: what the explorer, graph and flow views read",
  params: layerParams,
  query: getLayer.query,
  response: frameAnswer,
  errors: [400, 404],
});

const expertRow = {
  load: z.number(),
  loadShare: z.number(),
  meanGateWeight: z.number().nullable(),
  collaborationEntropy: z.number().nullable().describe("H_i = -Σ_j p_ij ln p_ij, p_ij = C_ij / Σ_j C_ij"),
  topCollaborators: z.array(collaboratorSchema),
  topCoverage: z.number().nullable(),
  labelMix: z.record(z.string(), z.number()).nullable().describe("p(label | expert)"),
  labelKl: z.number().nullable().describe("KL(p(· | expert) ‖ overall label mix), nats"),
  nextExpert: z.number().int().nullable(),
  nextHitRate: z.number().nullable(),
};

export const getLayerExperts = defineContract({
  method: "GET",
  path: "/api/runs/{id}/experts",
  summary:
    "Per expert of one layer: load, collaboration entropy and Top-T collaborators (A3), label mix and KL (A8), likely next-layer expert (A7)",
  params: runParams,
  query: z.object({ layer: intParam({ description: "MoE layer index from 0" }), topT }),
  response: json(
    z.object({
      layer: z.number().int(),
      tokens: z.number(),
      topT: z.number().int(),
      meanCollaborationEntropy: z.number().nullable().describe("nats, over experts that co-activated"),
      nextLayerPredictability: z.number().nullable(),
      labelMix: z.record(z.string(), z.number()).nullable(),
      labelShares: z
        .record(z.string(), z.array(z.number()))
        .nullable()
        .describe("each label's load share per expert (Σ over experts = 1)"),
      uniformShare: z.number().describe("1 / E"),
      experts: z.array(z.object({ expert: z.number().int(), ...expertRow })),
    }),
    "experts",
  ),
  errors: [400, 404],
});

export const getExpert = defineContract({
  method: "GET",
  path: "/api/runs/{id}/experts/{expert}",
  summary:
    "One expert id across every layer (V4): load, load share and rank, mean gate weight, collaboration entropy, Top-T collaborators and coverage (A3), label mix and KL (A8), most likely next expert (A7); the pruning runs that dropped it and the bits quantization results gave it",
  params: runParams.extend({ expert: intParam({ description: "expert id from 0" }) }),
  query: z.object({ topT }),
  response: json(
    z.object({
      expert: z.number().int(),
      experts: z.number().int(),
      layers: z.number().int(),
      topT: z.number().int(),
      labels: z.array(z.string()),
      perLayer: z.array(
        z.object({
          ...expertRow,
          layer: z.number().int(),
          tokens: z.number(),
          tokenShare: z.number().nullable().describe("load / N"),
          rank: z.number().int().describe("1 = the most used expert of the layer (ties share a rank)"),
        }),
      ),
      pruning: z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          label: z.string(),
          schedule: z.enum(PRUNING_SCHEDULES),
          stepPerLayer: z.array(z.number().int()).describe("the step that dropped it per layer, 0 = never"),
        }),
      ),
      bits: z.array(z.object({ id: z.string(), name: z.string(), avgBits: z.number(), perLayer: z.array(z.number()) })),
    }),
    "expert",
  ),
  errors: [400, 404],
});

export const getFlow = defineContract({
  method: "GET",
  path: "/api/runs/{id}/flow",
  summary:
    "A7 per layer: next-layer predictability (Σ_i T[i][j*(i)] / Σ_i load_i), transitions recorded, and chance k / E",
  params: runParams,
  response: json(
    z.object({
      layers: z.array(
        z.object({
          layer: z.number().int(),
          tokens: z.number(),
          transitions: z.number(),
          predictability: z.number().nullable(),
        }),
      ),
      meanPredictability: z.number().nullable(),
      chance: z.number().describe("k / E"),
    }),
    "flow",
  ),
  errors: [404],
});

const runRef = z.object({ id: z.string(), name: z.string(), tokens: z.number().int(), events: z.number().int() });
const pairedFlag = flagParam(
  "match raw events on (sequence, position, layer) and count top-k flips; run A (the base) up to 5M events",
);
const twoRunQuery = z.object({
  a: z.string().min(1).describe("the id of a run to compare"),
  b: z.string().min(1).describe("the id of the other run"),
  layer: intParam({ description: "adds layerDetail: diff (Ĉa − Ĉb), per-token matrices, load shares" }).optional(),
  paired: pairedFlag,
});
const nullableSeries = z.array(z.number().nullable());
/** GET /api/compare?runs=: 2 to 8 runs (lib/runs/compare-many.ts). */
export const manyComparisonSchema = named(
  "ManyComparison",
  z.object({
    base: z.string().describe("the run the JS distances and flip rates are measured against"),
    layers: z.number().int(),
    experts: z.number().int(),
    paired: z.boolean(),
    runs: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        policy: z.string(),
        series: z.string().nullable(),
        step: z.number().int().nullable(),
        tokens: z.number().int(),
        events: z.number().int(),
        curves: z
          .object({
            tokens: z.array(z.number()),
            maxOverMean: nullableSeries,
            normalizedEntropy: nullableSeries.describe("H(P) / ln E"),
            meanCollaborationEntropy: nullableSeries.describe("A3, nats"),
          })
          .describe("per layer, in layer order"),
        meanJsd: z.number().nullable(),
        meanFlipRate: z.number().nullable(),
        pairing: z
          .object({
            matchedEvents: z.number().int(),
            unmatchedRun: z.number().int(),
            unmatchedBase: z.number().int(),
          })
          .nullable()
          .describe("paired events against the base; null for the base, without paired, or without raw events"),
      }),
    ),
    jsd: z
      .array(nullableSeries)
      .describe("run × layer (rows in runs order): JS distance of the run's loads to the base run's, base 2"),
    flipRate: z
      .array(nullableSeries)
      .nullable()
      .describe(
        "run × layer top-k flip rate against the base over paired tokens (with paired); null rows' cells where no tokens pair",
      ),
  }),
);

export const compareRuns = defineContract({
  method: "GET",
  path: "/api/compare",
  summary:
    "A11 for two runs of the same model shape (a=&b=): per layer JS distance of the loads, relative difference of per-token co-activation; a layer's difference matrix; the top-k flip rate over paired tokens. Or 2 to 8 runs (runs=a,b,c&base=a): per-layer curves per run, the run × layer JS distance to the base run, paired flip rates against it",
  query: twoRunQuery.partial({ a: true, b: true }).extend({
    runs: z
      .string()
      .max(8 * 65)
      .optional()
      .describe("2 to 8 comma-separated run ids of one model shape (instead of a and b)"),
    base: z.string().min(1).optional().describe("with runs: the run compared against (default: the first)"),
  }),
  response: json(
    z.union([
      z.object({
        a: runRef,
        b: runRef,
        layers: z.number().int(),
        experts: z.number().int(),
        perLayer: z.array(
          z.object({
            layer: z.number().int(),
            jsd: z.number().nullable(),
            coactivationRelative: z.number().nullable(),
            tokensA: z.number(),
            tokensB: z.number(),
            flipRate: z.number().nullable(),
            pairedTokens: z.number().int().nullable(),
          }),
        ),
        meanJsd: z.number().nullable(),
        meanCoactivationRelative: z.number().nullable(),
        meanFlipRate: z.number().nullable(),
        paired: z
          .object({
            matchedEvents: z.number().int(),
            unmatchedA: z.number().int(),
            unmatchedB: z.number().int(),
            repeatedA: z.number().int(),
            repeatedB: z.number().int(),
          })
          .nullable(),
        layerDetail: z
          .object({
            layer: z.number().int(),
            jsd: z.number().nullable(),
            coactivationRelative: z.number().nullable(),
            diff: matrix.describe("Ĉa − Ĉb: co-activations per token"),
            loadShareA: z.array(z.number()),
            loadShareB: z.array(z.number()),
            perTokenA: matrix,
            perTokenB: matrix,
          })
          .nullable(),
      }),
      manyComparisonSchema,
    ]),
    "comparison (two runs), or a ManyComparison (runs=)",
  ),
  errors: [400, 404],
});
export const compareRunsFrame = defineContract({
  method: "GET",
  path: "/api/compare/frame",
  summary:
    "The comparison (GET /api/compare, same query) as a binary frame: the layer detail's matrices (diff, perTokenA, perTokenB) as typed arrays, the rest in the header; what the compare view reads",
  query: twoRunQuery,
  response: frameAnswer,
  errors: [400, 404],
});

const nullableNumbers = z.array(z.number().nullable());
export const computePlacement = defineContract({
  method: "POST",
  path: "/api/runs/{id}/placement",
  summary:
    "Expert-parallel placement per layer and its all-to-all cost C_T (A5); a computation on stored data, not a write",
  params: runParams,
  body: jsonBody(
    z.object({
      devices: z.number().int().min(1).max(4096).describe("must divide the number of experts"),
      strategy: z.enum(PLACEMENT_STRATEGIES),
      maxImbalance: z.number().min(1).optional().describe("optimized only: largest device load / mean at most this"),
    }),
  ),
  response: json(
    z.object({
      devices: z.number().int(),
      strategy: z.enum(PLACEMENT_STRATEGIES),
      objective: z
        .enum(["top-1", "top-2-exact", "events", "colocation-proxy"])
        .describe(
          "what C_T is counted on and what optimized minimizes: C_T exactly (top-2), C_T on the raw events (top-k > 2), co-located co-activation as a proxy (top-k > 2, aggregates only)",
        ),
      exact: z.boolean().describe("false when top-k > 2 and the run holds aggregates only: C_T is then null"),
      note: z.string(),
      ctPerLayer: nullableNumbers,
      ctMean: z.number().nullable(),
      reductionMean: z.number().nullable().describe("1 - C_T / C_T(contiguous), mean over layers"),
      hidden: z.number().int().nullable(),
      dtype: z.string().describe("bf16"),
      dtypeBytes: z.number().int(),
      bytesPerLayer: nullableNumbers.describe(
        "2 · Σ_t |devices| · hidden · dtypeBytes (dispatch + combine); null without the model's hidden size",
      ),
      bytesTotal: z.number().nullable(),
      placement: z.array(z.array(z.array(z.number().int()))).describe("[layer][device] -> expert ids"),
      deviceLoad: z.array(z.array(z.number())),
      expertLoad: z.array(z.array(z.number())).describe("Σ of the expert loads on each device, per layer"),
      deviceImbalance: nullableNumbers.describe("tokens reaching each device: max / mean"),
      assignmentImbalance: nullableNumbers.describe("Σ expert load per device: max / mean (what maxImbalance bounds)"),
      collaborationEntropy: nullableNumbers,
      meanCollaborationEntropy: z.number().nullable(),
      maxImbalance: z.number().nullable(),
      boundMissed: z
        .array(z.number().int())
        .describe("layers where no placement met maxImbalance (the most balanced one is returned)"),
    }),
    "placement",
  ),
  errors: [400, 404],
});

const reportDevices = z.number().int().min(1).optional();
export const simulationBodySchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("c2r"),
    topT: z
      .number()
      .int()
      .min(1)
      .max(4096)
      .describe("at least k - 1 (C2R picks k - 1 experts among TopT(e1)) and at most E - 1; otherwise 400"),
    collaboratorsFrom: z.string().optional().describe("another run's id for the Top-T lists"),
    reportDevices,
  }),
  z.object({
    kind: z.literal("device-limited"),
    devices: z.number().int().min(1),
    maxDevices: z.number().int().min(1),
    reportDevices,
  }),
  z.object({
    kind: z.literal("drop"),
    experts: z.array(z.array(z.number().int())).describe("dropped expert ids per layer"),
    reportDevices,
  }),
]);
const strategyNumbers = z.object(
  Object.fromEntries(PLACEMENT_STRATEGIES.map((s) => [s, z.number().nullable()])) as Record<
    (typeof PLACEMENT_STRATEGIES)[number],
    z.ZodNullable<z.ZodNumber>
  >,
);
const routingSide = z.object({
  ...balanceScalarShape,
  dead: z.number().int(),
  ct: z.number().nullable(),
  ctBy: strategyNumbers,
  entropy: z.number().nullable(),
  load: z.array(z.number()),
});
export const runSimulation = defineContract({
  method: "POST",
  path: "/api/runs/{id}/simulations",
  summary:
    "Replay the run's router logits under C2R, device-limited routing or expert dropping (A6); a computation, not a write",
  params: runParams,
  body: jsonBody(simulationBodySchema),
  response: json(
    z.object({
      kind: z.enum(["c2r", "device-limited", "drop"]),
      events: z.number().int(),
      eventsWithoutLogits: z.number().int(),
      devices: z.number().int(),
      mean: z.object({
        flipRate: z.number().nullable(),
        massRetained: z.number().nullable(),
        ctOriginal: z.number().nullable(),
        ctSimulated: z.number().nullable(),
        maxOverMeanOriginal: z.number().nullable(),
        maxOverMeanSimulated: z.number().nullable(),
        entropyOriginal: z.number().nullable(),
        entropySimulated: z.number().nullable(),
      }),
      balance: z
        .array(
          z.object({
            metric: z.enum(BALANCE_SCALARS),
            original: z.number().nullable(),
            simulated: z.number().nullable(),
          }),
        )
        .describe("every A1 scalar, mean over layers"),
      strategies: z
        .array(
          z.object({
            strategy: z.enum(PLACEMENT_STRATEGIES),
            ctOriginal: z.number().nullable(),
            ctSimulated: z.number().nullable(),
          }),
        )
        .describe("mean C_T before and after per strategy"),
      layers: z.array(
        z.object({
          layer: z.number().int(),
          tokens: z.number(),
          flipRate: z.number().nullable(),
          massRetained: z.number().nullable(),
          original: routingSide,
          simulated: routingSide,
        }),
      ),
    }),
    "per layer: flip rate, routing mass retained, the original and simulated balance, C_T under each placement strategy (placements from the original co-activation), entropy and load; their means",
  ),
  errors: [400, 404, 422],
});

export const pruningStepResponseSchema = z.object({
  droppedPercent: z.number(),
  expertsDroppedPerLayer: z.number().int().nullable(),
  dropped: z.array(z.array(z.number().int())).nullable().describe("experts dropped as of this step, per MoE layer"),
  metrics: z.record(z.string(), z.number()),
});

export const pruneFromRun = defineContract({
  method: "POST",
  path: "/api/runs/{id}/pruning",
  summary:
    "A9 from the run's trace: rank experts by EUF, ECC (min/max pair rule), EVTC, ETS (token ids), gate or soft load, drop one more per layer per step, one-shot or iterative (re-routed with the logits); per step the dropped sets and, with logits, routing mass retained, flip rate, balance, C_T. A computation, not a write (save it with POST /api/pruning-runs). 422 no_logits (iterative needs logits) or no_token_ids (EVTC, ETS)",
  params: runParams,
  body: jsonBody(
    z.object({
      criterion: z.enum(TRACE_CRITERIA as unknown as [TraceCriterion, ...TraceCriterion[]]),
      mode: z.enum(["min", "max"]).optional(),
      schedule: z.enum(["one-shot", "iterative"]),
      steps: z.number().int().min(1),
    }),
  ),
  response: json(
    z.object({
      run: z.string(),
      criterion: z.string(),
      mode: z.enum(["min", "max"]).nullable(),
      schedule: z.enum(["one-shot", "iterative"]),
      simulated: z.boolean(),
      note: z.string(),
      steps: z.array(
        pruningStepResponseSchema.extend({
          dropped: z
            .array(z.array(z.number().int()))
            .describe("experts dropped as of this step, per MoE layer (always known for a run computed from a trace)"),
        }),
      ),
    }),
    "a body POST /api/pruning-runs accepts",
  ),
  errors: [400, 404, 422],
});
