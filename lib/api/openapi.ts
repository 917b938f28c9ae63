import { WARMUP_MIN_RUN } from "@/lib/trace/warmup";
import { APP_VERSION } from "@/lib/version";
import { TRACE_FORMATS } from "@/lib/trace/detect-format";
import { NORMALIZATIONS } from "@/lib/analysis/coactivation";

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ "application/json": { schema } });
const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [String(c), { description: "error", content: json(ref("Error")) }]));
const idParam = { name: "id", in: "path", required: true, schema: { type: "string" }, description: "run id" };
const numberArray = { type: "array", items: { type: "number" } };
const layerParam = { name: "layer", in: "path", required: true, schema: { type: "integer", minimum: 0 }, description: "MoE layer index from 0" };


const pruningStep = {
  type: "object",
  required: ["droppedPercent"],
  properties: {
    droppedPercent: { type: "number" },
    expertsDroppedPerLayer: { type: ["integer", "null"] },
    dropped: { type: ["array", "null"], items: { type: "array", items: { type: "integer" } }, description: "experts dropped as of this step, per MoE layer" },
    metrics: { type: "object", additionalProperties: { type: "number" } },
  },
};
const modelSpec = { oneOf: [{ type: "object", required: ["preset"], properties: { preset: { type: "string" } } }, ref("ModelConfig")] };
const writeErrors = errors(400, 401, 403, 404);
const POLICY_DESCRIPTION = "routing policy: vanilla, c2r:T=<n> (C2R with T collaborators), device-limited:M=<n> (at most M devices per token), pruned[:<note>], quantized[:<note>]";
const policyProperty = { type: "string", example: "c2r:T=2", description: POLICY_DESCRIPTION, pattern: "^(vanilla|c2r:T=[1-9][0-9]{0,3}|device-limited:M=[1-9][0-9]{0,3}|pruned(:\\S.*)?|quantized(:\\S.*)?)$" };
const deleteOf = (what: string, who: string, deleted: object) => ({
  summary: `Delete ${what}. ${who}`,
  security: [{ bearer: [] }],
  parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
  responses: { "200": { description: "deleted", content: json({ type: "object", properties: { deleted: { type: "object", properties: deleted } } }) }, ...errors(401, 403, 404) },
});
const DERIVED_OWNER = "Allowed to the token that created it, an admin token, or who may change a run it derives from (on a server without tokens: anyone); others get 403, or 404 when they may not read it.";

/** The public API (PRODUCT.md §9), described for scripts, the CLI and the Python helper. */
export const openApiDocument = {
  openapi: "3.1.0",
  info: {
    title: "MoE Atlas API",
    version: APP_VERSION,
    description:
      "Routing traces in, routing analytics out. Errors are {error: {code, message, where}} with a 4xx/5xx status. Writes need `Authorization: Bearer <token>` once any API token exists (create one with `npm run token -- create <name>`). A run is changed only by the token that owns it or an admin token (the first token of a server is one). Reads follow visibility: a private run answers 404 except to its owner's token and admin tokens, and so does everything derived from it (pruning runs, keep-masks, quantization results, shares); a token that is presented but invalid is a 403. Browsers may use the session cookie set by POST /api/session instead of the header; a write carried by the cookie from another origin is a 403 cross_origin.",
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
          policy: { type: "string", description: POLICY_DESCRIPTION },
          owner: { type: ["string", "null"], description: "id of the API token that owns the run (it and admin tokens may change it)" },
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
        summary: "List public runs (and the caller's own), newest first unless sorted",
        parameters: [
          ...["q", "model", "tag"].map((name) => ({ name, in: "query", schema: { type: "string" } })),
          { name: "policy", in: "query", schema: { type: "string" }, description: "a policy kind (c2r) or a whole policy (c2r:T=1)" },
          { name: "sort", in: "query", schema: { enum: ["created", "name", "events", "tokens", "policy"] } },
          { name: "order", in: "query", schema: { enum: ["asc", "desc"] }, description: "default: desc for created, events, tokens; asc for name, policy" },
        ],
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
              policy: { ...policyProperty, example: "vanilla" },
            },
          }),
        },
        responses: { "201": { description: "created", content: json(ref("Run")) }, ...errors(400, 401, 403) },
      },
    },
    "/api/runs/{id}": {
      get: { summary: "One run with its model, counts, labels, uploads and warnings (404 for a private run the caller may not read)", parameters: [idParam], responses: { "200": { description: "run", content: json(ref("Run")) }, ...errors(403, 404) } },
      patch: {
        summary: "Rename, retag, describe, change visibility or policy: the run's owner token or an admin token. `owner` (admin only) gives the run an owner",
        security: [{ bearer: [] }],
        parameters: [idParam],
        requestBody: {
          required: true,
          content: json({ type: "object", additionalProperties: false, properties: { name: { type: "string" }, description: { type: "string" }, tags: { type: "array", items: { type: "string" } }, visibility: { enum: ["private", "unlisted", "public"] }, policy: policyProperty, owner: { type: ["string", "null"], description: "admin only: the id of the token that owns the run from now on" } } }),
        },
        responses: { "200": { description: "the run", content: json(ref("Run")) }, ...errors(400, 401, 403, 404) },
      },
      delete: {
        ...deleteOf(
          "a run and everything derived from it: uploads, raw events, aggregates, pruning runs computed on it, quantization results tied to it, shares that show it (also as a comparison's other run)",
          "The run's owner token or an admin token.",
          { id: { type: "string" }, name: { type: "string" }, uploads: { type: "integer" }, pruningRuns: { type: "integer" }, quantResults: { type: "integer" }, shares: { type: "integer" } },
        ),
        parameters: [idParam],
      },
    },
    "/api/runs/{id}/uploads/{uploadId}": {
      delete: {
        summary:
          "Take one upload out of a run: its events and sums stop counting (the aggregates become bit for bit those of a run that never had it: the remaining uploads' sums are re-added in commit order), its raw events are removed, and the same file or shard may be uploaded again. The run's owner token or an admin token. 409 upload_in_progress while it still streams; 409 upload_sums_missing when another upload of the run predates per-upload sums (then delete the run instead)",
        security: [{ bearer: [] }],
        parameters: [idParam, { name: "uploadId", in: "path", required: true, schema: { type: "string" } }],
        responses: {
          "200": { description: "deleted", content: json({ type: "object", properties: { deleted: { type: "object", properties: { id: { type: "string" }, fileName: { type: ["string", "null"] }, events: { type: "integer" } } }, run: ref("Run") } }) },
          ...errors(401, 403, 404, 409),
        },
      },
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
          { name: "exclude_warmup", in: "query", schema: { enum: ["1", "true", "0", "false"] }, description: `leave out runs of identical routing (${WARMUP_MIN_RUN}+ consecutive events of a layer with the same experts and weights: engines' profiling and warm-up passes); they are reported in warmup either way` },
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
                warmup: {
                  type: ["object", "null"],
                  description: "runs of identical routing found (null for aggregate documents); excluded says whether they were left out",
                  properties: {
                    runCount: { type: "integer" },
                    events: { type: "integer" },
                    excluded: { type: "boolean" },
                    runs: {
                      type: "array",
                      description: "the first 64 runs",
                      items: { type: "object", properties: { layer: { type: "integer" }, firstEvent: { type: "integer", description: "1-based, among the layer's events" }, events: { type: "integer" }, experts: { type: "array", items: { type: "integer" } }, seq: { type: "integer" }, posFrom: { type: "integer" }, posTo: { type: "integer" } } },
                    },
                  },
                },
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
                objective: { enum: ["top-1", "top-2-exact", "events", "colocation-proxy"], description: "what C_T is counted on and what optimized minimizes: C_T exactly (top-2), C_T on the raw events (top-k > 2), co-located co-activation as a proxy (top-k > 2, aggregates only)" },
                exact: { type: "boolean", description: "false when top-k > 2 and the run holds aggregates only: C_T is then null" },
                note: { type: "string" },
                placement: { type: "array", items: { type: "array", items: { type: "array", items: { type: "integer" } } }, description: "[layer][device] -> expert ids" },
                deviceLoad: { type: "array", items: numberArray },
                expertLoad: { type: "array", items: numberArray, description: "Σ of the expert loads on each device, per layer" },
                bytesPerLayer: { type: "array", items: { type: ["number", "null"] }, description: "2 · Σ_t |devices| · hidden · dtypeBytes (dispatch + combine); null without the model's hidden size" },
                bytesTotal: { type: ["number", "null"] },
                hidden: { type: ["integer", "null"] },
                dtype: { type: "string", description: "bf16" },
                dtypeBytes: { type: "integer" },
                deviceImbalance: { type: "array", items: { type: ["number", "null"] }, description: "tokens reaching each device: max / mean" },
                assignmentImbalance: { type: "array", items: { type: ["number", "null"] }, description: "Σ expert load per device: max / mean (what maxImbalance bounds)" },
                maxImbalance: { type: ["number", "null"] },
                boundMissed: { type: "array", items: { type: "integer" }, description: "layers where no placement met maxImbalance (the most balanced one is returned)" },
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
              { type: "object", required: ["kind", "topT"], properties: { kind: { const: "c2r" }, topT: { type: "integer", description: "at least k - 1 (C2R picks k - 1 experts among TopT(e1)) and at most E - 1; otherwise 400" }, collaboratorsFrom: { type: "string", description: "another run's id for the Top-T lists" }, reportDevices: { type: "integer" } } },
              { type: "object", required: ["kind", "devices", "maxDevices"], properties: { kind: { const: "device-limited" }, devices: { type: "integer" }, maxDevices: { type: "integer" } } },
              { type: "object", required: ["kind", "experts"], properties: { kind: { const: "drop" }, experts: { type: "array", items: { type: "array", items: { type: "integer" } }, description: "dropped expert ids per layer" }, reportDevices: { type: "integer" } } },
            ],
          }),
        },
        responses: {
          "200": {
            description:
              "per layer: flipRate, massRetained, original and simulated {maxOverMean, cv, ct (contiguous), ctBy (C_T under each placement strategy, placements from the original co-activation), entropy (mean collaboration entropy), load}; their means; strategies: mean C_T before and after per strategy",
          },
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
          { name: "include", in: "query", schema: { enum: ["transitions"] }, description: "add the transition counts to the next MoE layer (as large as the co-activation, so only on request)" },
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
                transitions: { type: ["array", "null"], items: numberArray, description: "with include=transitions: counts from this layer (rows) to the next MoE layer (columns); null when unknown" },
                balance: ref("Balance"),
              },
            }),
          },
          ...errors(400, 404),
        },
      },
    },
    "/api/runs/{id}/layers/{layer}/groups": {
      get: {
        summary: "A4: communities (the exact modularity optimum for at most 10 linked experts, else deterministic Louvain) on the layer's normalized lift graph (normalized lift = lift / ((k−1)E / (k(E−1))), the lift of input-independent top-k routing; edge weight normalized lift − 1 where it exceeds 1), their modularity, and a seriation that draws them as blocks",
        parameters: [idParam, layerParam],
        responses: {
          "200": {
            description: "groups",
            content: json({
              type: "object",
              properties: {
                topK: { type: "integer" },
                liftBaseline: { type: ["number", "null"], description: "(k−1)E / (k(E−1)): lift under input-independent top-k routing; null for top-1 (no co-activation)" },
                community: { type: "array", items: { type: "integer" }, description: "community per expert, numbered by smallest member" },
                communities: { type: "integer" },
                groups: { type: "integer", description: "communities of more than one expert" },
                modularity: { type: "number" },
                method: { enum: ["exact", "louvain"], description: "exact: the modularity optimum over every partition (at most 10 linked experts); louvain: deterministic Louvain" },
                order: { type: "array", items: { type: "integer" }, description: "expert ids in heatmap order" },
                note: { type: "string", description: "present for top-1 runs: why there are no groups" },
              },
            }),
          },
          ...errors(400, 404),
        },
      },
    },
    "/api/runs/{id}/layers/{layer}/matrix": {
      get: {
        summary: "A layer's matrix or vector as raw little-endian float64, row-major (np.frombuffer(body, '<f8').reshape(shape))",
        parameters: [
          idParam,
          layerParam,
          { name: "name", in: "query", schema: { enum: ["coactivation", "transitions", "load", "weightSum"], default: "coactivation" } },
          { name: "normalization", in: "query", schema: { enum: NORMALIZATIONS }, description: "coactivation only" },
        ],
        responses: {
          "200": {
            description: "float64 values; headers x-matrix-shape (e.g. 256,256), x-matrix-dtype (float64), x-matrix-tokens",
            content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } },
          },
          ...errors(400, 404),
        },
      },
    },
    "/api/runs/{id}/layers/{layer}/frame": {
      get: {
        summary:
          "The layer answer (same fields and values as /api/runs/{id}/layers/{layer}) as one binary frame: 'MAF1', uint32 LE header length, a JSON header {meta, arrays: [{name, dtype, shape, offset, length}]}, then little-endian arrays at 8-byte-aligned offsets (load, weightSum, coactivation, normalized, transitions; dtype uint32, float32 or float64, the narrowest exact one). What the views read.",
        parameters: [
          idParam,
          layerParam,
          { name: "normalization", in: "query", schema: { enum: NORMALIZATIONS } },
          { name: "include", in: "query", schema: { enum: ["transitions"] } },
        ],
        responses: {
          "200": { description: "a MAF1 frame (lib/wire/frame.ts)", content: { "application/vnd.moe-atlas.frame": { schema: { type: "string", format: "binary" } } } },
          ...errors(400, 404),
        },
      },
    },
    "/api/runs/{id}/experts/{expert}": {
      get: {
        summary: "One expert id across every layer (V4): load, load share and rank, mean gate weight, collaboration entropy, Top-T collaborators and coverage (A3), label mix and KL (A8), most likely next expert (A7)",
        parameters: [idParam, { name: "expert", in: "path", required: true, schema: { type: "integer", minimum: 0 } }, { name: "topT", in: "query", schema: { type: "integer", minimum: 0, default: 3 } }],
        responses: { "200": { description: "{expert, experts, layers, topT, labels, perLayer: [...]}" }, ...errors(400, 404) },
      },
    },
    "/api/runs/{id}/flow": {
      get: {
        summary: "A7 per layer: next-layer predictability (Σ_i T[i][j*(i)] / Σ_i load_i), transitions recorded, and chance k / E",
        parameters: [idParam],
        responses: { "200": { description: "{layers: [{layer, tokens, transitions, predictability}], meanPredictability, chance}" }, ...errors(404) },
      },
    },
    "/api/compare": {
      get: {
        summary: "A11 for two runs of the same model shape: per layer JS distance of the loads, relative difference of per-token co-activation; a layer's difference matrix; the top-k flip rate over paired tokens",
        parameters: [
          { name: "a", in: "query", required: true, schema: { type: "string" } },
          { name: "b", in: "query", required: true, schema: { type: "string" } },
          { name: "layer", in: "query", schema: { type: "integer", minimum: 0 }, description: "adds layerDetail: diff (Ĉa − Ĉb), per-token matrices, load shares" },
          { name: "paired", in: "query", schema: { enum: ["1", "true"] }, description: "match raw events on (sequence, position, layer) and count top-k flips; run A up to 5M events" },
        ],
        responses: { "200": { description: "{a, b, perLayer: [{layer, jsd, coactivationRelative, flipRate, pairedTokens}], meanJsd, meanCoactivationRelative, meanFlipRate, paired, layerDetail}" }, ...errors(400, 404) },
      },
    },
    "/api/compare/frame": {
      get: {
        summary:
          "GET /api/compare's answer (same query parameters, same values) as one binary frame (see /api/runs/{id}/layers/{layer}/frame): everything but the layer's matrices in the JSON header, layerDetail.perTokenA, perTokenB and diff as row-major E x E arrays. What the compare view reads.",
        parameters: [
          { name: "a", in: "query", required: true, schema: { type: "string" } },
          { name: "b", in: "query", required: true, schema: { type: "string" } },
          { name: "layer", in: "query", schema: { type: "integer", minimum: 0 } },
          { name: "paired", in: "query", schema: { enum: ["1", "true"] } },
        ],
        responses: {
          "200": { description: "a MAF1 frame (lib/wire/compare-frame.ts)", content: { "application/vnd.moe-atlas.frame": { schema: { type: "string", format: "binary" } } } },
          ...errors(400, 404),
        },
      },
    },
    "/api/shares": {
      post: {
        summary: "Pin a view: every answer it shows is computed now and stored; GET /s/{id} shows that picture whatever is uploaded later",
        security: [{ bearer: [] }],
        requestBody: { required: true, content: json({ type: "object", required: ["path"], properties: { path: { type: "string", description: "a view path with its query string, e.g. /runs/{id}/layers/3?norm=lift&order=group, or /compare?a=&b=" } } }) },
        responses: {
          "201": { description: "share", content: json({ type: "object", properties: { id: { type: "string" }, url: { type: "string" }, path: { type: "string" }, kind: { type: "string" }, runId: { type: "string" }, createdAt: { type: "string" } } }) },
          ...errors(400, 401, 403, 404),
        },
      },
    },
    "/api/shares/{id}": {
      get: {
        summary: "A share and what it pinned (the link is the capability: no visibility check)",
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
        responses: { "200": { description: "{id, path, runId, state, createdAt, snapshot: {run, queries: [{key, data}], props}}" }, ...errors(404) },
      },
      delete: deleteOf("a share (the link stops working)", DERIVED_OWNER, { id: { type: "string" }, path: { type: "string" } }),
    },
    "/api/session": {
      get: { summary: "Who the browser is: {open, signedIn, tokenName}", responses: { "200": { description: "session" } } },
      post: {
        summary: "Browser sign-in: stores the token in an httpOnly SameSite=Strict cookie, which then counts as the bearer token",
        requestBody: { required: true, content: json({ type: "object", required: ["token"], properties: { token: { type: "string" } } }) },
        responses: { "200": { description: "signed in" }, ...errors(400, 403) },
      },
      delete: { summary: "Sign out (clears the cookie)", responses: { "200": { description: "signed out" } } },
    },
    "/api/pruning-runs": {
      get: {
        summary: "Stored expert-pruning runs (§5), newest first",
        parameters: [
          { name: "model", in: "query", schema: { type: "string" }, description: "preset id or model name" },
          { name: "criterion", in: "query", schema: { type: "string" }, description: "EAN, or with direction: Min-EAN" },
          { name: "schedule", in: "query", schema: { enum: ["one-shot", "iterative", "lottery"] } },
        ],
        responses: { "200": { description: "{pruningRuns: [{id, name, model, runId, criterion, direction, label, schedule, dense, steps, source, tags}]}" } },
      },
      post: {
        summary: "Store one pruning run",
        security: [{ bearer: [] }],
        requestBody: {
          required: true,
          content: json({
            type: "object",
            required: ["model", "criterion", "schedule", "steps"],
            properties: {
              name: { type: "string" },
              model: modelSpec,
              criterion: { type: "string", description: "one of the 16 MC-Suite criteria, a trace criterion, or a custom name; may carry the direction (Min-EAN)" },
              direction: { enum: ["min", "max", null] },
              schedule: { enum: ["one-shot", "iterative", "lottery"] },
              dense: { type: "object", additionalProperties: { type: "number" } },
              steps: { type: "array", items: pruningStep },
              source: { type: "string" },
              runId: { type: "string", description: "the trace run it was computed on" },
              tags: { type: "array", items: { type: "string" } },
            },
          }),
        },
        responses: { "201": { description: "the pruning run" }, ...writeErrors },
      },
    },
    "/api/pruning-runs/import": {
      post: {
        summary: "Import pruning runs from JSON (one, a list, or {pruningRuns: [...]}, as MC-Suite's transcription) or CSV (criterion, schedule, dropped_percent, metric columns; 0% = dense): all or none",
        security: [{ bearer: [] }],
        parameters: [
          { name: "format", in: "query", schema: { enum: ["json", "csv"] }, description: "default: from the first byte" },
          { name: "model", in: "query", schema: { type: "string" }, description: "preset id for runs that name no model" },
          { name: "source", in: "query", schema: { type: "string" } },
        ],
        requestBody: { required: true, content: { "application/json": { schema: { type: "object" } }, "text/csv": { schema: { type: "string" } } } },
        responses: { "201": { description: "{created: [...]}" }, ...writeErrors },
      },
    },
    "/api/pruning-runs/{id}": {
      get: { summary: "One pruning run", parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }], responses: { "200": { description: "the pruning run" }, ...errors(404) } },
      delete: deleteOf("a pruning run", DERIVED_OWNER, { id: { type: "string" }, name: { type: "string" } }),
    },
    "/api/pruning-runs/{id}/keep-mask": {
      get: {
        summary: "The keep-mask after a step (default the last): keep[layer][expert], true = kept",
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }, { name: "step", in: "query", schema: { type: "integer", minimum: 0 } }],
        responses: { "200": { description: "{pruningRun, step, droppedPercent, model, dropped, keep}" }, "422": { description: "no_dropped_sets: the step records only the share dropped", content: json(ref("Error")) }, ...errors(400, 404) },
      },
    },
    "/api/pruning-runs/compare": {
      get: {
        summary: "Several pruning runs: their steps (metric vs share dropped), each run's layer × expert step of dropping, and the Jaccard overlap of final dropped sets between runs",
        parameters: [{ name: "ids", in: "query", required: true, schema: { type: "string" }, description: "comma-separated, 1 to 16" }],
        responses: { "200": { description: "{runs, dropStep: {id: [[step per expert] per layer] or null}, jaccard: [{a, b, mean, perLayer}]}" }, ...errors(400) },
      },
    },
    "/api/runs/{id}/pruning": {
      post: {
        summary: "A9 from the run's trace: rank experts by EUF, ECC (min/max pair rule), EVTC, ETS (token ids), gate or soft load, drop one more per layer per step, one-shot or iterative (re-routed with the logits); per step the dropped sets and, with logits, routing mass retained, flip rate, balance, C_T",
        parameters: [idParam],
        requestBody: {
          required: true,
          content: json({
            type: "object",
            required: ["criterion", "schedule", "steps"],
            properties: { criterion: { enum: ["EUF", "ECC", "EVTC", "ETS", "gate", "soft-load"] }, mode: { enum: ["min", "max"] }, schedule: { enum: ["one-shot", "iterative"] }, steps: { type: "integer", minimum: 1 } },
          }),
        },
        responses: {
          "200": { description: "{run, criterion, mode, schedule, simulated, note, steps: [{droppedPercent, expertsDroppedPerLayer, dropped, metrics}]}: a body POST /api/pruning-runs accepts" },
          "422": { description: "no_logits (iterative needs logits) or no_token_ids (EVTC, ETS)", content: json(ref("Error")) },
          ...errors(400, 404),
        },
      },
    },
    "/api/quant-results": {
      get: { summary: "Stored quantization results, with avgBits and sizeBytes", parameters: [{ name: "model", in: "query", schema: { type: "string" } }], responses: { "200": { description: "{quantResults: [...]}" } } },
      post: {
        summary: "Store a quantization result; avgBits = Σ_m b_m·|W_m| / Σ_m |W_m| over attention, routed and shared experts (A10) and sizeBytes are computed from the model's parameter counts",
        security: [{ bearer: [] }],
        requestBody: {
          required: true,
          content: json({
            type: "object",
            required: ["name", "model", "method", "bits"],
            properties: {
              name: { type: "string" },
              model: modelSpec,
              method: { type: "string", description: "GPTQ, AWQ, RTN..." },
              groupSize: { type: ["integer", "null"] },
              bits: {
                type: "object",
                required: ["attention", "experts"],
                properties: { attention: { type: "number" }, experts: { description: "one number, one per layer, or [layer][expert]" }, shared: { type: "number" } },
              },
              metrics: { type: "object", additionalProperties: { type: "number" } },
              source: { type: "string" },
              runId: { type: "string" },
              fpRunId: { type: "string", description: "paired full-precision trace" },
              quantRunId: { type: "string", description: "paired quantized trace (routing drift: /api/compare?a=fp&b=quant&paired=1)" },
            },
          }),
        },
        responses: { "201": { description: "the result with avgBits and sizeBytes" }, ...writeErrors },
      },
    },
    "/api/quant-results/{id}": {
      get: { summary: "One quantization result", parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }], responses: { "200": { description: "the result" }, ...errors(404) } },
      delete: deleteOf("a quantization result", DERIVED_OWNER, { id: { type: "string" }, name: { type: "string" } }),
    },
    "/api/quant-results/import": {
      post: {
        summary: "Import quantization results: JSON (one, a list, or {quantResults}) or CSV (name, method, group_size, attention_bits, expert_bits, metric columns); all or none",
        security: [{ bearer: [] }],
        parameters: [{ name: "format", in: "query", schema: { enum: ["json", "csv"] } }, { name: "model", in: "query", schema: { type: "string" } }],
        requestBody: { required: true, content: { "application/json": { schema: { type: "object" } }, "text/csv": { schema: { type: "string" } } } },
        responses: { "201": { description: "{created: [...]}" }, ...writeErrors },
      },
    },
    "/api/quant-results/suggest": {
      post: {
        summary: "Suggest a bit allocation (A10): by expert usage from a run, by per-expert outlier scores, or by block position; under an average-bits budget or an explicit count",
        requestBody: {
          required: true,
          content: json({
            type: "object",
            required: ["strategy"],
            properties: {
              strategy: { enum: ["usage", "outliers", "block"] },
              runId: { type: "string" },
              model: modelSpec,
              high: { type: "number", default: 4 },
              low: { type: "number", default: 2 },
              attention: { type: "number", default: 4 },
              shared: { type: "number" },
              budget: { type: "number", description: "largest average bits allowed" },
              topPerLayer: { type: "integer" },
              firstBlocks: { type: "integer" },
              scores: { type: "array", items: numberArray, description: "outliers: [layer][expert]" },
            },
          }),
        },
        responses: { "200": { description: "{strategy, model, runId, bits, avgBits, sizeBytes, budget, step, loads}; step: the average bits one more promotion adds (one expert; one layer for block), so under a budget avgBits > budget − step unless every expert is high" }, ...errors(400, 404) },
      },
    },
    "/api/openapi.json": { get: { summary: "This document", responses: { "200": { description: "OpenAPI 3.1" } } } },
  },
};
