import { APP_VERSION } from "@/lib/version";
import { TRACE_FORMATS } from "@/lib/trace/detect-format";
import { NORMALIZATIONS } from "@/lib/analysis/coactivation";

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ "application/json": { schema } });
const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [String(c), { description: "error", content: json(ref("Error")) }]));
const idParam = { name: "id", in: "path", required: true, schema: { type: "string" }, description: "run id" };
const numberArray = { type: "array", items: { type: "number" } };

/** The public API (PRODUCT.md §9), described for scripts, the CLI and the Python helper. */
export const openApiDocument = {
  openapi: "3.1.0",
  info: {
    title: "MoE Atlas API",
    version: APP_VERSION,
    description:
      "Routing traces in, routing analytics out. Errors are {error: {code, message, where}} with a 4xx/5xx status. Writes need `Authorization: Bearer <token>` once any API token exists (create one with `npm run token -- create <name>`).",
  },
  components: {
    securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
    schemas: {
      Error: {
        type: "object",
        required: ["error"],
        properties: {
          error: {
            type: "object",
            required: ["code", "message"],
            properties: { code: { type: "string" }, message: { type: "string" }, where: { type: "string", description: "field, line and byte offset, array, layer..." } },
          },
        },
      },
      ModelConfig: {
        type: "object",
        required: ["name", "layers", "experts", "topK"],
        properties: {
          name: { type: "string" },
          layers: { type: "integer", description: "MoE layers" },
          experts: { type: "integer", description: "routed experts per layer" },
          topK: { type: "integer" },
          sharedExperts: { type: "integer" },
          router: { enum: ["softmax", "sigmoid"] },
          renormalize: { type: "boolean", description: "top-k gate weights renormalized to sum to 1" },
          moeLayerIndices: { type: "array", items: { type: "integer" } },
          params: { type: "object", description: "parameter counts of quantizable linears per layer: attention, expert, shared" },
        },
      },
      Run: {
        type: "object",
        properties: {
          id: { type: "string" },
          name: { type: "string" },
          description: { type: "string" },
          tags: { type: "array", items: { type: "string" } },
          visibility: { enum: ["private", "unlisted", "public"] },
          policy: { type: "string" },
          model: ref("ModelConfig"),
          tokens: { type: "integer", description: "tokens of the fullest layer" },
          events: { type: "integer" },
          labels: { type: "array", items: { type: "string" } },
          uploads: { type: "array", items: { type: "object" } },
          warnings: { type: "array", items: ref("Warning") },
        },
      },
      Warning: {
        type: "object",
        properties: { code: { type: "string" }, message: { type: "string" }, count: { type: "integer" }, where: { type: "string" } },
      },
      Balance: {
        type: "object",
        description: "A1 metrics of one layer; null where undefined (no tokens)",
        properties: {
          loadShare: numberArray,
          maxOverMean: { type: ["number", "null"] },
          imbalance: { type: ["number", "null"], description: "(max - mean) / mean" },
          balancedness: { type: ["number", "null"], description: "mean / max" },
          cv: { type: ["number", "null"] },
          gini: { type: ["number", "null"] },
          normalizedEntropy: { type: ["number", "null"], description: "H(P) / ln E" },
          jain: { type: ["number", "null"] },
          dead: { type: "array", items: { type: "integer" } },
          hot: { type: "array", items: { type: "integer" }, description: "load >= 2x mean" },
        },
      },
    },
  },
  paths: {
    "/api/health": {
      get: {
        summary: "Liveness and which database is in use",
        responses: {
          "200": {
            description: "ok",
            content: json({ type: "object", properties: { ok: { const: true }, database: { enum: ["postgres", "pglite"] }, version: { type: "string" }, writeTokenRequired: { type: "boolean" } } }),
          },
        },
      },
    },
    "/api/models/presets": {
      get: { summary: "Model presets (PRODUCT.md §7)", responses: { "200": { description: "presets", content: json({ type: "object", properties: { presets: { type: "array", items: ref("ModelConfig") } } }) } } },
    },
    "/api/runs": {
      get: {
        summary: "List public runs",
        parameters: ["q", "model", "tag"].map((name) => ({ name, in: "query", schema: { type: "string" } })),
        responses: { "200": { description: "runs", content: json({ type: "object", properties: { runs: { type: "array", items: ref("Run") } } }) }, ...errors(400) },
      },
      post: {
        summary: "Create a run",
        security: [{ bearer: [] }],
        requestBody: {
          required: true,
          content: json({
            type: "object",
            required: ["name", "model"],
            properties: {
              name: { type: "string" },
              model: { oneOf: [{ type: "object", required: ["preset"], properties: { preset: { type: "string", example: "mixtral-8x7b" } } }, ref("ModelConfig")] },
              description: { type: "string" },
              tags: { type: "array", items: { type: "string" } },
              visibility: { enum: ["private", "unlisted", "public"] },
              policy: { type: "string", example: "vanilla" },
            },
          }),
        },
        responses: { "201": { description: "created", content: json(ref("Run")) }, ...errors(400, 401, 403) },
      },
    },
    "/api/runs/{id}": {
      get: { summary: "One run with its model, counts, labels, uploads and warnings", parameters: [idParam], responses: { "200": { description: "run", content: json(ref("Run")) }, ...errors(404) } },
    },
    "/api/runs/{id}/traces": {
      post: {
        summary: "Upload a trace (streamed; counted once, atomically)",
        security: [{ bearer: [] }],
        parameters: [
          idParam,
          { name: "format", in: "query", schema: { enum: [...TRACE_FORMATS, "auto"] }, description: "override detection from content" },
          { name: "map", in: "query", schema: { type: "string" }, example: "experts:topk_ids,weights:probs" },
          { name: "label", in: "query", schema: { type: "string" }, description: "label for events that carry none" },
          { name: "filename", in: "query", schema: { type: "string" } },
          { name: "key", in: "query", schema: { type: "string" }, description: "a key of the client's choosing, to poll /api/runs/{id}/uploads/progress while the body streams" },
        ],
        requestBody: { required: true, content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } },
        responses: {
          "200": {
            description: "ingested",
            content: json({
              type: "object",
              properties: {
                uploadId: { type: "string" },
                format: { enum: TRACE_FORMATS },
                bytes: { type: "integer" },
                events: { type: "integer", description: "0 for aggregate JSON (sums, not events)" },
                tokens: { type: "integer" },
                skippedSlots: { type: "integer", description: "top-k slots holding -1 (padding, capacity drops)" },
                labels: { type: "array", items: { type: "string" } },
                hasWeights: { type: "boolean" },
                hasLogits: { type: "boolean" },
                warnings: { type: "array", items: ref("Warning") },
              },
            }),
          },
          ...errors(400, 401, 403, 404, 409, 413),
        },
      },
    },
    "/api/runs/{id}/uploads/progress": {
      get: {
        summary: "Server-side progress of an upload tagged with key=",
        parameters: [idParam, { name: "key", in: "query", required: true, schema: { type: "string" } }],
        responses: {
          "200": {
            description: "progress",
            content: json({ type: "object", properties: { id: { type: "string" }, status: { enum: ["staging", "committed"] }, bytes: { type: "integer" }, events: { type: "integer" } } }),
          },
          ...errors(400, 404),
        },
      },
    },
    "/api/runs/{id}/experts": {
      get: {
        summary: "Per expert of one layer: load, collaboration entropy and Top-T collaborators (A3), label mix and KL (A8), likely next-layer expert (A7)",
        parameters: [
          idParam,
          { name: "layer", in: "query", required: true, schema: { type: "integer", minimum: 0 } },
          { name: "topT", in: "query", schema: { type: "integer", minimum: 0, default: 3 } },
        ],
        responses: {
          "200": {
            description: "experts",
            content: json({
              type: "object",
              properties: {
                layer: { type: "integer" },
                tokens: { type: "number" },
                meanCollaborationEntropy: { type: ["number", "null"], description: "nats, over experts that co-activated" },
                nextLayerPredictability: { type: ["number", "null"] },
                labelMix: { type: ["object", "null"] },
                experts: {
                  type: "array",
                  items: {
                    type: "object",
                    properties: {
                      expert: { type: "integer" },
                      load: { type: "number" },
                      loadShare: { type: "number" },
                      meanGateWeight: { type: ["number", "null"] },
                      collaborationEntropy: { type: ["number", "null"], description: "H_i = -Σ_j p_ij ln p_ij, p_ij = C_ij / Σ_j C_ij" },
                      topCollaborators: { type: "array", items: { type: "object", properties: { expert: { type: "integer" }, count: { type: "number" }, share: { type: "number" } } } },
                      topCoverage: { type: ["number", "null"] },
                      labelMix: { type: ["object", "null"], description: "p(label | expert)" },
                      labelKl: { type: ["number", "null"], description: "KL(p(· | expert) ‖ overall label mix), nats" },
                      nextExpert: { type: ["integer", "null"] },
                      nextHitRate: { type: ["number", "null"] },
                    },
                  },
                },
              },
            }),
          },
          ...errors(400, 404),
        },
      },
    },
    "/api/runs/{id}/placement": {
      post: {
        summary: "Expert-parallel placement per layer and its all-to-all cost C_T (A5)",
        parameters: [idParam],
        requestBody: {
          required: true,
          content: json({
            type: "object",
            required: ["devices", "strategy"],
            properties: {
              devices: { type: "integer", description: "must divide the number of experts" },
              strategy: { enum: ["contiguous", "round-robin", "greedy", "optimized"] },
              maxImbalance: { type: "number", minimum: 1, description: "optimized only: largest device load / mean at most this" },
            },
          }),
        },
        responses: {
          "200": {
            description: "placement",
            content: json({
              type: "object",
              properties: {
                ctPerLayer: { type: "array", items: { type: ["number", "null"] } },
                ctMean: { type: ["number", "null"] },
                reductionMean: { type: ["number", "null"], description: "1 - C_T / C_T(contiguous), mean over layers" },
                exact: { type: "boolean", description: "false when top-k > 2 and the run holds aggregates only: C_T is then null" },
                note: { type: "string" },
                placement: { type: "array", items: { type: "array", items: { type: "array", items: { type: "integer" } } }, description: "[layer][device] -> expert ids" },
                deviceLoad: { type: "array", items: numberArray },
                bytesPerLayer: { type: "array", items: { type: ["number", "null"] }, description: "2 · Σ_t |devices| · hidden · 2 bytes (bf16)" },
              },
            }),
          },
          ...errors(400, 404),
        },
      },
    },
    "/api/runs/{id}/simulations": {
      post: {
        summary: "Replay the run's router logits under C2R, device-limited routing or expert dropping (A6)",
        parameters: [idParam],
        requestBody: {
          required: true,
          content: json({
            oneOf: [
              { type: "object", required: ["kind", "topT"], properties: { kind: { const: "c2r" }, topT: { type: "integer" }, collaboratorsFrom: { type: "string", description: "another run's id for the Top-T lists" }, reportDevices: { type: "integer" } } },
              { type: "object", required: ["kind", "devices", "maxDevices"], properties: { kind: { const: "device-limited" }, devices: { type: "integer" }, maxDevices: { type: "integer" } } },
              { type: "object", required: ["kind", "experts"], properties: { kind: { const: "drop" }, experts: { type: "array", items: { type: "array", items: { type: "integer" } }, description: "dropped expert ids per layer" }, reportDevices: { type: "integer" } } },
            ],
          }),
        },
        responses: {
          "200": { description: "per layer: flipRate, massRetained, original and simulated {maxOverMean, cv, ct, load}; and their means" },
          "422": { description: "no_logits: the run's events carry no router logits", content: json(ref("Error")) },
          ...errors(400, 404),
        },
      },
    },
    "/api/runs/{id}/balance": {
      get: { summary: "A1 metrics per layer and their p50/p90/p95 across layers", parameters: [idParam], responses: { "200": { description: "balance" }, ...errors(404) } },
    },
    "/api/runs/{id}/layers/{layer}": {
      get: {
        summary: "One MoE layer's sums and A1 metrics, optionally a normalized co-activation matrix",
        parameters: [
          idParam,
          { name: "layer", in: "path", required: true, schema: { type: "integer", minimum: 0 }, description: "MoE layer index from 0" },
          { name: "normalization", in: "query", schema: { enum: NORMALIZATIONS } },
        ],
        responses: {
          "200": {
            description: "layer",
            content: json({
              type: "object",
              properties: {
                tokens: { type: "number" },
                load: numberArray,
                weightSum: numberArray,
                coactivation: { type: "array", items: numberArray },
                normalized: { type: "array", items: numberArray },
                transitions: { type: ["array", "null"], items: numberArray, description: "counts from this layer (rows) to the next MoE layer (columns); null when unknown" },
                balance: ref("Balance"),
              },
            }),
          },
          ...errors(400, 404),
        },
      },
    },
    "/api/openapi.json": { get: { summary: "This document", responses: { "200": { description: "OpenAPI 3.1" } } } },
  },
};
