import { z } from "zod";
import { SERIES_METRICS, SERIES_PLACEMENTS, type SeriesMetric } from "@/lib/analysis/series-metrics";
import { NORMALIZATIONS } from "@/lib/analysis/coactivation";
import { defineContract, enumParam, intParam, json } from "../contract";

/** Series: the runs of one model over training steps (PRODUCT.md A12 and issue 14). */

const nullableNumber = z.number().nullable();
const perLayer = z.array(nullableNumber);
const metricMeans = Object.fromEntries(SERIES_METRICS.map((m) => [m, nullableNumber])) as Record<
  SeriesMetric,
  typeof nullableNumber
>;
const metricLayers = Object.fromEntries(SERIES_METRICS.map((m) => [m, perLayer])) as Record<
  SeriesMetric,
  typeof perLayer
>;

export const seriesParams = z.object({
  series: z.string().trim().min(1).max(200).describe("series name (as set on its runs)"),
});

export const seriesQuerySchema = z.object({
  placement: enumParam(SERIES_PLACEMENTS, "placement C_T is costed under, per checkpoint and layer").default(
    "contiguous",
  ),
  devices: intParam({ min: 1, max: 4096, description: "devices of the placement; must divide the experts" }).default(4),
  topT: intParam({ min: 0, max: 4096, description: "T of the A3 Top-T coverage" }).default(2),
});

export const getSeries = defineContract({
  method: "GET",
  path: "/api/series/{series}",
  summary:
    "A series over training steps: per step (the runs the viewer may read, in step order) every layer mean of A1 and A3, dead and hot experts per layer, C_T of a placement, A7 next-layer predictability, each also per layer (layer x step heatmaps); and A12 router saturation against the final (last readable) step",
  params: seriesParams,
  query: seriesQuerySchema,
  response: json(
    z.object({
      series: z.string(),
      model: z.object({
        name: z.string(),
        layers: z.number().int(),
        experts: z.number().int(),
        topK: z.number().int(),
      }),
      finalStep: z
        .number()
        .int()
        .describe("the step saturation is measured against: the last step the viewer may read"),
      finalRunId: z.string(),
      placement: z.enum(SERIES_PLACEMENTS),
      devices: z.number().int(),
      topT: z.number().int(),
      ctNote: z.string().describe("what C_T is counted on"),
      steps: z.array(
        z.object({
          step: z.number().int(),
          runId: z.string(),
          name: z.string(),
          tokens: z.number().int(),
          events: z.number().int(),
          ...metricMeans,
          perLayer: z
            .object(metricLayers)
            .describe(
              "each metric per MoE layer (null: no tokens at that layer, or unknown); dead and hot are expert counts",
            ),
        }),
      ),
      routerSaturation: z.array(
        z.object({
          step: z.number().int(),
          runId: z.string(),
          perLayer: perLayer.describe("mean |K(t) ∩ K(F)| / k over the tokens routed at both; null: none paired"),
          mean: nullableNumber.describe("mean over the layers with a value"),
        }),
      ),
      saturationNote: z.string().nullable().describe("why there is no saturation, when there is none"),
      saturationDefinition: z.string(),
      pairing: z.string().describe("how events pair across checkpoints"),
    }),
    "series",
  ),
  errors: [400, 404],
});

export const getSeriesLayer = defineContract({
  method: "GET",
  path: "/api/series/{series}/layers/{layer}",
  summary:
    "The layer explorer's step scrubber: the series' steps the viewer may read, and one colour domain for this layer's normalized co-activation across all of them",
  params: seriesParams.extend({ layer: intParam({ description: "MoE layer index from 0" }) }),
  query: z.object({ normalization: enumParam(NORMALIZATIONS).default("raw") }),
  response: json(
    z.object({
      series: z.string(),
      layer: z.number().int(),
      normalization: z.enum(NORMALIZATIONS),
      steps: z.array(z.object({ step: z.number().int(), runId: z.string(), name: z.string() })),
      extent: z.tuple([z.number(), z.number()]).describe("smallest and largest off-diagonal value over every step"),
      minPositive: z.number().describe("smallest positive off-diagonal value (a log scale starts there); 0 if none"),
    }),
    "series layer",
  ),
  errors: [400, 404],
});
