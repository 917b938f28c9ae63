import { sql, type InferSelectModel } from "drizzle-orm";
import {
  bigint,
  type AnyPgColumn,
  bigserial,
  boolean,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import type { ModelConfig } from "@/lib/models/model-config";
import type { TraceWarning } from "@/lib/trace/warnings";

/**
 * Typed arrays are stored as raw little-endian bytes; both drivers hand back a Uint8Array. They
 * are sent as base64 text decoded by the server: PGlite encodes a bytea parameter byte by byte
 * (115 ms per 512 KiB, measured; base64 takes 11 ms), and for node-postgres base64 is 1.33x the
 * bytes where hex is 2x.
 */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => "bytea",
  toDriver: (v) =>
    sql`decode(${(Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength)).toString("base64")}, 'base64')` as unknown as Uint8Array,
  fromDriver: (v) => v,
});

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();

export const models = pgTable("models", {
  id: text("id").primaryKey(),
  presetId: text("preset_id"),
  name: text("name").notNull(),
  layers: integer("layers").notNull(),
  experts: integer("experts").notNull(),
  topK: integer("top_k").notNull(),
  config: jsonb("config").$type<ModelConfig>().notNull(),
  createdAt: createdAt(),
});
export type ModelRow = InferSelectModel<typeof models>;

export const runs = pgTable(
  "runs",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    tags: text("tags")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    visibility: text("visibility", { enum: ["private", "unlisted", "public"] })
      .notNull()
      .default("public"),
    policy: text("policy").notNull().default("vanilla"),
    /** A run may be one checkpoint of a series (training steps): the series' name and this run's step in it. */
    series: text("series"),
    step: integer("step"),
    modelId: text("model_id")
      .notNull()
      .references(() => models.id),
    /** The API token that created the run: only it may read the run while it is private. */
    ownerTokenId: text("owner_token_id").references((): AnyPgColumn => apiTokens.id, { onDelete: "set null" }),
    /** Sums over committed uploads, kept in the same transaction that commits an upload. */
    events: bigint("events", { mode: "number" }).notNull().default(0),
    tokens: bigint("tokens", { mode: "number" }).notNull().default(0),
    labels: text("labels")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** lib/analysis/run-summary.ts over the run's layer sums, rewritten by every commit and upload delete (null: no tokens). */
    meanBalance: doublePrecision("mean_balance"),
    meanCollabEntropy: doublePrecision("mean_collab_entropy"),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // The runs table sorts by (column, id) and pages with LIMIT/OFFSET: one index per sortable
    // column, in the order the query asks, so a sorted page is an index scan at any number of runs.
    // Nullable columns sort nulls last both ways, so they get one index per direction.
    index("runs_sort_created").on(t.createdAt, t.id),
    index("runs_sort_name").on(sql`lower(${t.name})`, t.id),
    index("runs_sort_policy").on(t.policy, t.id),
    index("runs_sort_events").on(t.events, t.id),
    index("runs_sort_tokens").on(t.tokens, t.id),
    index("runs_sort_tags").on(t.tags, t.id),
    index("runs_sort_series_asc").on(t.series.asc().nullsLast(), t.step.asc().nullsLast(), t.id.asc()),
    index("runs_sort_series_desc").on(t.series.desc().nullsLast(), t.step.desc().nullsLast(), t.id.desc()),
    index("runs_sort_balance_asc").on(t.meanBalance.asc().nullsLast(), t.id.asc()),
    index("runs_sort_balance_desc").on(t.meanBalance.desc().nullsLast(), t.id.desc()),
    index("runs_sort_entropy_asc").on(t.meanCollabEntropy.asc().nullsLast(), t.id.asc()),
    index("runs_sort_entropy_desc").on(t.meanCollabEntropy.desc().nullsLast(), t.id.desc()),
    // One run per step of a series, so a step names one checkpoint.
    uniqueIndex("runs_series_step").on(t.series, t.step),
  ],
);
export type RunRow = InferSelectModel<typeof runs>;

export const uploads = pgTable(
  "uploads",
  {
    id: text("id").primaryKey(),
    runId: text("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    /** "staging" while events stream in (invisible to every read); "committed" once counted. */
    status: text("status", { enum: ["staging", "committed"] })
      .notNull()
      .default("staging"),
    format: text("format").notNull(),
    fileName: text("file_name"),
    sha256: text("sha256"),
    shard: text("shard"),
    bytes: bigint("bytes", { mode: "number" }).notNull().default(0),
    events: bigint("events", { mode: "number" }).notNull().default(0),
    tokens: bigint("tokens", { mode: "number" }).notNull().default(0),
    labels: text("labels")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    hasWeights: boolean("has_weights").notNull().default(false),
    hasLogits: boolean("has_logits").notNull().default(false),
    warnings: jsonb("warnings").$type<TraceWarning[]>().notNull().default([]),
    /** Set by the uploading client so it can ask for server-side progress while the body streams. */
    clientKey: text("client_key"),
    createdAt: createdAt(),
    /** Bumped with every stored chunk: a staging upload whose heartbeat stops belongs to a dead process. */
    heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }).notNull().defaultNow(),
    committedAt: timestamp("committed_at", { withTimezone: true }),
    /** 1, 2, ... in the order the run's uploads were committed (under the run lock): the order their sums were added in. */
    commitNo: integer("commit_no"),
    /** Whether upload_layer_sums / upload_label_sums hold this upload's own sums (false for uploads committed before 0006). */
    hasSums: boolean("has_sums").notNull().default(false),
  },
  (t) => [
    index("uploads_run_idx").on(t.runId),
    index("uploads_client_key_idx").on(t.runId, t.clientKey),
    // The same bytes are counted at most once per run.
    uniqueIndex("uploads_run_sha_committed")
      .on(t.runId, t.sha256)
      .where(sql`status = 'committed'`),
    uniqueIndex("uploads_run_shard_committed")
      .on(t.runId, t.shard)
      .where(sql`status = 'committed' and shard is not null`),
  ],
);
export type UploadRow = InferSelectModel<typeof uploads>;

/** Per-layer sums (PRODUCT.md §2) as float64 arrays: load[E], weightSum[E], coactivation[E*E]. */
export const layerAggregates = pgTable(
  "layer_aggregates",
  {
    runId: text("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    layer: integer("layer").notNull(),
    tokens: doublePrecision("tokens").notNull(),
    load: bytea("load").notNull(),
    weightSum: bytea("weight_sum").notNull(),
    coactivation: bytea("coactivation").notNull(),
    /** E*E counts from this layer to the next MoE layer (A7); null until an upload could tell. */
    transitions: bytea("transitions"),
  },
  (t) => [primaryKey({ columns: [t.runId, t.layer] })],
);
export type LayerAggregateRow = InferSelectModel<typeof layerAggregates>;

/** Load per label (A8): tokens[L] and load[L*E] as float64 arrays. */
export const labelLoads = pgTable(
  "label_loads",
  {
    runId: text("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    label: text("label").notNull(),
    tokens: bytea("tokens").notNull(),
    load: bytea("load").notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.label] })],
);

/**
 * One committed upload's own sums, as they were added to layer_aggregates (only the layers it
 * touched). Deleting an upload re-adds the remaining uploads' sums in commit order, which gives
 * bit for bit the aggregates of a run that never had it: subtracting float sums would not.
 */
export const uploadLayerSums = pgTable(
  "upload_layer_sums",
  {
    uploadId: text("upload_id")
      .notNull()
      .references(() => uploads.id, { onDelete: "cascade" }),
    layer: integer("layer").notNull(),
    tokens: doublePrecision("tokens").notNull(),
    load: bytea("load").notNull(),
    weightSum: bytea("weight_sum").notNull(),
    coactivation: bytea("coactivation").notNull(),
    transitions: bytea("transitions"),
  },
  (t) => [primaryKey({ columns: [t.uploadId, t.layer] })],
);

/** One committed upload's load per label, as added to label_loads. */
export const uploadLabelSums = pgTable(
  "upload_label_sums",
  {
    uploadId: text("upload_id")
      .notNull()
      .references(() => uploads.id, { onDelete: "cascade" }),
    label: text("label").notNull(),
    tokens: bytea("tokens").notNull(),
    load: bytea("load").notNull(),
  },
  (t) => [primaryKey({ columns: [t.uploadId, t.label] })],
);

/** Raw events in column chunks (lib/trace/encode-chunk.ts), kept for later analyses. */
export const eventChunks = pgTable(
  "event_chunks",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    uploadId: text("upload_id")
      .notNull()
      .references(() => uploads.id, { onDelete: "cascade" }),
    runId: text("run_id").notNull(),
    chunkNo: integer("chunk_no").notNull(),
    count: integer("count").notNull(),
    k: smallint("k").notNull(),
    labelNames: text("label_names")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    layers: bytea("layers").notNull(),
    experts: bytea("experts").notNull(),
    weights: bytea("weights"),
    logits: bytea("logits"),
    seq: bytea("seq").notNull(),
    pos: bytea("pos").notNull(),
    tokenIds: bytea("token_ids"),
    labels: bytea("labels"),
  },
  (t) => [index("event_chunks_upload_idx").on(t.uploadId, t.chunkNo), index("event_chunks_run_idx").on(t.runId)],
);

/** Immutable snapshots of a view (PRODUCT.md §5): the URL state plus what it pinned. */
export const shares = pgTable("shares", {
  id: text("id").primaryKey(),
  path: text("path").notNull(),
  runId: text("run_id").references(() => runs.id, { onDelete: "cascade" }),
  /** Every run the snapshot shows (both runs of a comparison): the share is readable by who may read all of them. */
  runIds: text("run_ids")
    .array()
    .notNull()
    .default(sql`'{}'::text[]`),
  state: jsonb("state").notNull(),
  snapshot: jsonb("snapshot"),
  /** The token that pinned it (null on an open server): it, an admin, or a writer of one of its runs may delete it. */
  ownerTokenId: text("owner_token_id").references((): AnyPgColumn => apiTokens.id, { onDelete: "set null" }),
  createdAt: createdAt(),
});

/** Only the SHA-256 of a token is stored; the token itself is shown once, when created. */
export const apiTokens = pgTable("api_tokens", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  tokenHash: text("token_hash").notNull().unique(),
  prefix: text("prefix").notNull(),
  /** Admin tokens read and change every run and give ownerless runs an owner. */
  admin: boolean("admin").notNull().default(false),
  createdAt: createdAt(),
  lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
});
export type ApiTokenRow = InferSelectModel<typeof apiTokens>;

/** One step of an expert-dropping run (PRODUCT.md §5). */
export interface PruningStep {
  /** Share of routed experts dropped, in percent. */
  droppedPercent: number;
  expertsDroppedPerLayer: number | null;
  /** Experts dropped as of this step, per MoE layer, when known. */
  dropped: number[][] | null;
  /** perplexity, task accuracies, k-shot, after SFT...: name → value. */
  metrics: Record<string, number>;
}

/** A stored expert-pruning run (MC-Suite style): criterion, schedule and per-step results. */
export const pruningRuns = pgTable(
  "pruning_runs",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    modelId: text("model_id")
      .notNull()
      .references(() => models.id),
    /** The trace run the criterion was computed on, if any: the pruning run is exactly as visible as it, and goes with it. */
    runId: text("run_id").references(() => runs.id, { onDelete: "cascade" }),
    /** One of the 16 MC-Suite criteria, a trace criterion, or a custom name ("Random"). */
    criterion: text("criterion").notNull(),
    direction: text("direction", { enum: ["min", "max"] }),
    schedule: text("schedule", { enum: ["one-shot", "iterative", "lottery"] }).notNull(),
    dense: jsonb("dense").$type<Record<string, number>>().notNull().default({}),
    steps: jsonb("steps").$type<PruningStep[]>().notNull(),
    /** Where the numbers come from (a paper and table, a script...). */
    source: text("source").notNull().default(""),
    tags: text("tags")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    ownerTokenId: text("owner_token_id").references((): AnyPgColumn => apiTokens.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [index("pruning_runs_model_idx").on(t.modelId)],
);
export type PruningRunRow = InferSelectModel<typeof pruningRuns>;

/** Bits per quantized module: attention, each routed expert, shared experts (A10). */
export interface StoredBitAllocation {
  attention: number;
  experts: number[][];
  shared?: number;
}

/** A stored quantization result (§5): allocation, computed average bits and size, task metrics. */
export const quantResults = pgTable(
  "quant_results",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    modelId: text("model_id")
      .notNull()
      .references(() => models.id),
    method: text("method").notNull(),
    groupSize: integer("group_size"),
    bits: jsonb("bits").$type<StoredBitAllocation>().notNull(),
    avgBits: doublePrecision("avg_bits").notNull(),
    sizeBytes: doublePrecision("size_bytes").notNull(),
    metrics: jsonb("metrics").$type<Record<string, number>>().notNull().default({}),
    source: text("source").notNull().default(""),
    /** The trace run whose usage chose the allocation, and a paired full-precision / quantized trace. */
    // Visible only to who may read every one of them, and deleted with any of them.
    runId: text("run_id").references(() => runs.id, { onDelete: "cascade" }),
    fpRunId: text("fp_run_id").references(() => runs.id, { onDelete: "cascade" }),
    quantRunId: text("quant_run_id").references(() => runs.id, { onDelete: "cascade" }),
    tags: text("tags")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    ownerTokenId: text("owner_token_id").references((): AnyPgColumn => apiTokens.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [index("quant_results_model_idx").on(t.modelId)],
);
export type QuantResultRow = InferSelectModel<typeof quantResults>;

/**
 * Token statistics of one committed upload (issue 15, lib/analysis/token-stats.ts), per (layer,
 * expert, label): sparse counts per token id and a bottom-k sample of occurrences by hash of
 * (sequence, position). Expert -1 holds the layer's own token counts. A run's statistics are the
 * sums (and the bottom k) over its uploads' rows, read together: integer counts merge exactly in any
 * order, and deleting an upload takes exactly its rows with it.
 */
export const uploadTokenCells = pgTable(
  "upload_token_cells",
  {
    uploadId: text("upload_id")
      .notNull()
      .references(() => uploads.id, { onDelete: "cascade" }),
    runId: text("run_id").notNull(),
    layer: integer("layer").notNull(),
    expert: integer("expert").notNull(),
    /** "" for events without a label. */
    label: text("label").notNull(),
    /** A large upload's counts come in parts (written while it streams, counted once it commits); summed on reading. */
    part: integer("part").notNull().default(0),
    /** Int32 token ids ascending, and their Float64 counts. */
    tokenIds: bytea("token_ids").notNull(),
    counts: bytea("counts").notNull(),
    /** The sample (null for expert -1): Int32 seq, pos, token id, Float32 gate weight (NaN without). */
    sampleSeq: bytea("sample_seq"),
    samplePos: bytea("sample_pos"),
    sampleToken: bytea("sample_token"),
    sampleWeight: bytea("sample_weight"),
  },
  (t) => [
    primaryKey({ columns: [t.uploadId, t.layer, t.expert, t.label, t.part] }),
    index("upload_token_cells_run_idx").on(t.runId, t.layer, t.expert),
  ],
);

/** The token ids of a sequence's positions, as one upload saw them (runs of at most 4096 positions): what contexts are rebuilt from. */
export const uploadSequenceTokens = pgTable(
  "upload_sequence_tokens",
  {
    uploadId: text("upload_id")
      .notNull()
      .references(() => uploads.id, { onDelete: "cascade" }),
    runId: text("run_id").notNull(),
    seq: integer("seq").notNull(),
    firstPos: integer("first_pos").notNull(),
    length: integer("length").notNull(),
    /** Int32 token ids of positions first_pos .. first_pos + length - 1. */
    tokenIds: bytea("token_ids").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.uploadId, t.seq, t.firstPos] }),
    index("upload_sequence_tokens_run_idx").on(t.runId, t.seq, t.firstPos),
  ],
);

/** Token strings an upload's trace carried (token_str next to token_id), by id. */
export const uploadTokenStrings = pgTable("upload_token_strings", {
  uploadId: text("upload_id")
    .primaryKey()
    .references(() => uploads.id, { onDelete: "cascade" }),
  runId: text("run_id").notNull(),
  /** Int32 token ids, and their strings in the same order. */
  tokenIds: bytea("token_ids").notNull(),
  strings: text("strings").array().notNull(),
});

/** A vocabulary uploaded for a run (tokenizer.json or a JSON list): raw token strings by id. As visible as its run. */
export const runVocabularies = pgTable("run_vocabularies", {
  runId: text("run_id")
    .primaryKey()
    .references(() => runs.id, { onDelete: "cascade" }),
  size: integer("size").notNull(),
  tokens: text("tokens").array().notNull(),
  byteLevel: boolean("byte_level").notNull(),
  createdAt: createdAt(),
});

/**
 * One checkpoint's series answer (lib/runs/get-series-view.ts), kept so a series page does not
 * re-read every step's matrices: its per-layer metrics and its pairing with the final step, for one
 * set of parameters (`key`: placement, devices, Top-T, final run). `fingerprint` names the committed
 * uploads of the run and of the final run it was computed from; a row whose fingerprint no longer
 * matches is recomputed and replaced. Derived from the run: deleted with it.
 */
export const seriesStepMetrics = pgTable(
  "series_step_metrics",
  {
    runId: text("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    fingerprint: text("fingerprint").notNull(),
    answer: jsonb("answer").notNull(),
    computedAt: timestamp("computed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.key] })],
);
