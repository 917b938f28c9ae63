import { z } from "zod";
import {
  DEFAULT_MIN_SUPPORT,
  EVTC_DEFINITION,
  LIFT_DEFINITION,
  TOKEN_SPECIALIZATION_DEFINITION,
} from "@/lib/analysis/token-stats";
import { defineContract, enumParam, intParam, json, type RawBody } from "../contract";
import { layerParams, named, runParams } from "./common";

/** Tokens (issue 15): what each expert takes, in context, and each token's route; the run's vocabulary. */

const text = z.string().nullable().describe("readable token text; null without a vocabulary entry for the id");
const minSupport = intParam({
  min: 1,
  max: 1_000_000,
  description: `minimum count(v, e) to rank by lift (default ${DEFAULT_MIN_SUPPORT})`,
}).default(DEFAULT_MIN_SUPPORT);
const limit = intParam({ min: 1, max: 1000, description: "tokens listed (default 25)" }).default(25);

const rankedToken = named(
  "RankedToken",
  z.object({
    tokenId: z.number().int(),
    text,
    count: z.number().describe("count(v, e): times expert e took token id v at the layer"),
    lift: z.number().nullable().describe(LIFT_DEFINITION),
  }),
);

const example = named(
  "TokenExample",
  z.object({
    seq: z.number().int(),
    pos: z.number().int(),
    tokenId: z.number().int(),
    text,
    weight: z
      .number()
      .nullable()
      .describe("the gate weight of this expert's slot for the token (null without weights)"),
    label: z.string().nullable(),
    context: z
      .array(z.object({ pos: z.number().int(), tokenId: z.number().int(), text }))
      .describe("the sequence's tokens around pos (12 either side where stored), rebuilt from the stored token ids"),
  }),
);

export const expertTokens = defineContract({
  method: "GET",
  path: "/api/runs/{id}/experts/{expert}/tokens",
  summary:
    "An expert's top tokens at one layer by count or by lift over the token's base rate (A13), example contexts with the routed token and its gate weight (a bottom-k sample by hash of sequence and position, the same however the trace was split into uploads), the same per label, and EVTC",
  description: `${LIFT_DEFINITION} ${EVTC_DEFINITION}`,
  params: runParams.extend({ expert: intParam({ description: "expert id from 0" }) }),
  query: z.object({
    layer: intParam({ description: "MoE layer index from 0" }),
    by: enumParam(["count", "lift"], "ranking (default count)").default("count"),
    limit,
    minSupport,
  }),
  response: json(
    z.object({
      layer: z.number().int(),
      expert: z.number().int(),
      by: z.enum(["count", "lift"]),
      minSupport: z.number().int(),
      hasTokenIds: z.boolean().describe("false when no upload of the run carried token ids"),
      vocabulary: z.enum(["uploaded", "trace"]).nullable().describe("where token texts come from"),
      tokensAtLayer: z.number().describe("N: tokens with an id at the layer"),
      load: z.number().describe("load_e: routed tokens with an id"),
      coverage: z.object({
        evtc: z.number().int().describe(EVTC_DEFINITION),
        layerVocabulary: z.number().int().describe("distinct token ids at the layer"),
        share: z.number().nullable(),
      }),
      tokens: z.array(rankedToken),
      examples: z.array(example),
      perLabel: z.array(
        z.object({ label: z.string(), load: z.number(), tokens: z.array(rankedToken), examples: z.array(example) }),
      ),
    }),
    "top tokens and examples",
  ),
  errors: [400, 404],
});

export const layerTokens = defineContract({
  method: "GET",
  path: "/api/runs/{id}/layers/{layer}/tokens",
  summary:
    "Token specialization (A13, OLMoE) and EVTC per expert of a layer, and its most frequent tokens with their most frequent expert",
  description: `${TOKEN_SPECIALIZATION_DEFINITION} ${EVTC_DEFINITION}`,
  params: layerParams,
  query: z.object({ limit, minSupport }),
  response: json(
    z.object({
      layer: z.number().int(),
      hasTokenIds: z.boolean(),
      minSupport: z.number().int(),
      vocabulary: z.number().int().describe("distinct token ids at the layer"),
      meanTokenSpecialization: z.number().nullable().describe("Σ_v count(v) · spec(v) / N"),
      experts: z.array(
        z.object({
          expert: z.number().int(),
          load: z.number(),
          evtc: z.number().int(),
          specialization: z.number().nullable().describe(TOKEN_SPECIALIZATION_DEFINITION),
        }),
      ),
      frequentTokens: z.array(
        z.object({
          tokenId: z.number().int(),
          text,
          count: z.number(),
          topExpert: z.number().int(),
          specialization: z.number().describe("share of its occurrences whose top-k holds topExpert"),
        }),
      ),
    }),
    "token specialization",
  ),
  errors: [400, 404],
});

export const tokenSearch = defineContract({
  method: "GET",
  path: "/api/runs/{id}/tokens",
  summary:
    "Search a token by text (exact, then case-insensitive, on readable vocabulary texts) or by id (#123): per layer, the distribution of its occurrences over experts and how consistently it is routed (its A13 specialization)",
  params: runParams,
  query: z.object({ q: z.string().min(1).max(200).describe("token text, or #id") }),
  response: json(
    z.object({
      q: z.string(),
      matches: z.array(
        z.object({
          tokenId: z.number().int(),
          text,
          perLayer: z.array(
            z.object({
              layer: z.number().int(),
              count: z.number(),
              experts: z.array(z.object({ expert: z.number().int(), count: z.number(), share: z.number() })),
              topExpert: z.number().int().nullable(),
              consistency: z
                .number()
                .nullable()
                .describe("share of its occurrences whose top-k holds its most frequent expert"),
            }),
          ),
        }),
      ),
    }),
    "matching tokens",
  ),
  errors: [400, 404],
});

export const sequenceList = defineContract({
  method: "GET",
  path: "/api/runs/{id}/sequences",
  summary: "The run's sequences with token ids (id and positions known)",
  params: runParams,
  query: z.object({
    limit: intParam({ min: 1, max: 10000, description: "sequences listed (default 200)" }).default(200),
  }),
  response: json(
    z.object({ sequences: z.array(z.object({ seq: z.number().int(), length: z.number().int() })) }),
    "sequences",
  ),
  errors: [400, 404],
});

export const sequenceRoutes = defineContract({
  method: "GET",
  path: "/api/runs/{id}/sequences/{seq}",
  summary:
    "One sequence's tokens with their route through every layer (k experts and gate weights per layer), for the token view",
  params: runParams.extend({ seq: intParam({ min: 0, max: 2 ** 31 - 1, description: "sequence id" }) }),
  query: z.object({
    from: intParam({ description: "first position (default 0)" }).default(0),
    limit: intParam({ min: 1, max: 2048, description: "positions (default 512)" }).default(512),
  }),
  response: json(
    z.object({
      seq: z.number().int(),
      from: z.number().int(),
      layers: z.number().int(),
      topK: z.number().int(),
      tokens: z.array(
        z.object({
          pos: z.number().int(),
          tokenId: z.number().int().nullable(),
          text,
          route: z
            .array(z.object({ experts: z.array(z.number().int()), weights: z.array(z.number().nullable()) }))
            .describe("per layer"),
        }),
      ),
    }),
    "the sequence",
  ),
  errors: [400, 404],
});

const vocabularyBody: RawBody = {
  kind: "raw",
  media: {
    "application/json": {
      description:
        "a Hugging Face tokenizer.json (model.vocab and added_tokens) or a JSON list of token strings (index = id)",
      schema: { oneOf: [{ type: "object" }, { type: "array", items: { type: "string" } }] },
    },
  },
};
const vocabularyInfo = z.object({
  runId: z.string(),
  source: z.enum(["uploaded", "trace"]).nullable(),
  size: z.number().int(),
  byteLevel: z.boolean().describe("byte-level BPE (Ġ for a space): shown as the bytes they stand for"),
});

export const getVocabulary = defineContract({
  method: "GET",
  path: "/api/runs/{id}/vocabulary",
  summary: "The run's vocabulary: uploaded, or carried by its traces (token_str), or none",
  params: runParams,
  response: json(vocabularyInfo, "vocabulary"),
  errors: [404],
});

export const putVocabulary = defineContract({
  method: "PUT",
  path: "/api/runs/{id}/vocabulary",
  summary: "Attach a vocabulary to a run (replaces one uploaded before); as visible as the run",
  auth: true,
  params: runParams,
  body: vocabularyBody,
  response: json(
    z.object({
      runId: z.string(),
      size: z.number().int(),
      byteLevel: z.boolean(),
      sample: z.array(z.object({ raw: z.string(), text: z.string() })).describe("the first tokens, raw and readable"),
    }),
    "stored",
  ),
  errors: [400, 401, 403, 404, 413],
});

export const deleteVocabulary = defineContract({
  method: "DELETE",
  path: "/api/runs/{id}/vocabulary",
  summary: "Remove the run's uploaded vocabulary",
  auth: true,
  params: runParams,
  response: json(z.object({ runId: z.string(), deleted: z.boolean() }), "removed"),
  errors: [401, 403, 404],
});
