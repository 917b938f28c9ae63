import {
  accumulateLabelLoads,
  accumulateTopK,
  emptyLayerAggregate,
  type LabelLoad,
  type LayerAggregate,
} from "@/lib/analysis/layer-aggregate";
import { TokenStatsCollector, type TokenCell, type UploadTokenStats } from "@/lib/analysis/token-stats";
import { invalid } from "@/lib/errors";
import { ByteSource } from "./byte-source";
import { detectFormat, SNIFF_BYTES, type TraceFormat } from "./detect-format";
import type { EventBatch } from "./event-batch";
import { parseFieldMap } from "./field-map";
import { Dictionary, type ParseContext, type TraceModel } from "./parse-context";
import { parseAggregate } from "./parse-aggregate";
import { parseJsonl } from "./parse-jsonl";
import { TransitionJoiner } from "./transition-joiner";
import { parseNpy } from "./binary/parse-npy";
import { parseNpz } from "./binary/parse-npz";
import { parseSafetensors } from "./binary/parse-safetensors";
import { describeWarmup, WarmupFilter, type WarmupReport } from "./warmup";
import { WarningCollector, type TraceWarning } from "./warnings";

/** Events per batch when the caller does not say (bench/ingest). */
export const DEFAULT_BATCH_SIZE = 16_384;
/** Events per batch on the upload path: one stored chunk each, and the most events parsing holds at once (docs/ARCHITECTURE.md). */
export const UPLOAD_BATCH_SIZE = 65_536;

export interface IngestOptions {
  model: TraceModel;
  format?: TraceFormat;
  /** The `map` query parameter, e.g. "experts:topk_ids,weights:probs". */
  map?: string | null;
  /** A label for every event of the upload that has none of its own. */
  label?: string | null;
  maxBytes: number;
  /** Events per batch (DEFAULT_BATCH_SIZE when absent). */
  batchSize?: number;
  /** Leave out runs of identical routing (profiling and warm-up passes, lib/trace/warmup.ts). */
  excludeWarmup?: boolean;
}

/** Distinct token counts held before they are handed to the token sink (about 100 MB of maps). */
export const TOKEN_ENTRIES_HELD = 2_000_000;

/** Receives a part of the upload's token counts (cells without samples) when TOKEN_ENTRIES_HELD is reached. */
export type TokenCountSink = (cells: TokenCell[]) => Promise<void>;

/** Receives events as they are parsed, e.g. to store them in chunks. */
export type BatchSink = (
  batch: EventBatch,
  labels: readonly string[],
  progress: { bytes: number; events: number },
) => Promise<void>;

export interface IngestResult {
  format: TraceFormat;
  bytes: number;
  sha256: string;
  events: number;
  /** Tokens of the layer with the most; per layer in `layers[l].tokens`. */
  tokens: number;
  skippedSlots: number;
  layers: LayerAggregate[];
  labels: string[];
  labelLoads: LabelLoad[];
  /** transitions[l]: E x E counts from layer l to l + 1, or null when the format cannot tell tokens apart across layers. */
  transitions: (Float64Array | null)[] | null;
  /** The aggregate shard's name (aggregate JSON only). */
  shard: string | null;
  hasWeights: boolean;
  hasLogits: boolean;
  warnings: TraceWarning[];
  /** Runs of identical routing found (and, if asked, left out); null for aggregate documents. */
  warmup: WarmupReport | null;
  /** Per (layer, expert, label) token counts and samples, sequences' token ids, token strings; null without token ids. */
  tokenStats: UploadTokenStats | null;
}

/** Event formats; aggregate JSON carries sums, not events, and has its own path. */
const PARSERS: Record<
  Exclude<TraceFormat, "aggregate">,
  (s: AsyncIterable<Uint8Array>, c: ParseContext) => AsyncGenerator<EventBatch>
> = {
  jsonl: parseJsonl,
  npy: parseNpy,
  npz: parseNpz,
  safetensors: parseSafetensors,
};

/**
 * Streams one upload through its parser, aggregating per layer and handing each batch of raw
 * events to `sink`. Throws a DomainError on the first bad input; the caller discards what the sink
 * stored. Memory is bounded by the batch size, whatever the upload's size.
 */
export async function ingestTrace(
  body: AsyncIterable<Uint8Array>,
  opts: IngestOptions,
  sink: BatchSink,
  /** Without one, every token count is held until the end. */
  tokenSink?: TokenCountSink,
): Promise<IngestResult> {
  const { model } = opts;
  const source = new ByteSource(body, opts.maxBytes);
  const format = opts.format ?? detectFormat(await source.peek(SNIFF_BYTES));
  if (format === "aggregate") return ingestAggregate(source, model);
  const parse = PARSERS[format];
  const warnings = new WarningCollector();
  const labels = new Dictionary(32767, "labels");
  const ctx: ParseContext = {
    model,
    fields: parseFieldMap(opts.map),
    labels,
    defaultLabel: opts.label ? labels.id(opts.label) : -1,
    warnings,
    batchSize: opts.batchSize ?? DEFAULT_BATCH_SIZE,
    tokenStrings: new Map(),
  };
  const layers = Array.from({ length: model.layers }, () => emptyLayerAggregate(model.experts));
  const labelLoads: LabelLoad[] = [];
  let events = 0;
  let skippedSlots = 0;
  let hasWeights = false;
  let hasLogits = false;
  const joiner = new TransitionJoiner(model.layers, model.experts, model.topK);
  // Token statistics (issue 15) are folded beside the layer sums, from the same kept events.
  const tokenStats = new TokenStatsCollector(model.layers, model.experts);
  const warmup = new WarmupFilter(model.layers, model.experts, model.topK, {
    exclude: !!opts.excludeWarmup,
    batchSize: ctx.batchSize,
  });
  let parsed = 0;

  const consume = async (batch: EventBatch) => {
    events += batch.count;
    hasWeights ||= batch.weights !== null;
    hasLogits ||= batch.logits !== null;
    skippedSlots += accumulateTopK(layers, batch.count, batch.k, batch.layer, batch.experts, batch.weights);
    accumulateLabelLoads(
      labelLoads,
      model.layers,
      model.experts,
      batch.count,
      batch.k,
      batch.layer,
      batch.label,
      batch.experts,
    );
    joiner.add(batch);
    tokenStats.add(batch);
    if (tokenSink && tokenStats.entries >= TOKEN_ENTRIES_HELD) await tokenSink(tokenStats.takeCounts(labels.names));
    await sink(batch, labels.names, { bytes: source.bytes, events });
  };
  for await (const batch of parse(source, ctx)) {
    parsed += batch.count;
    for (const kept of warmup.pass(batch)) await consume(kept);
  }
  for (const kept of warmup.flush()) await consume(kept);
  const warm = warmup.report();
  warnings.subtract("repeated_positions", warmup.repeatsCleared);
  if (warm.runCount)
    warnings.add(
      "warmup_routing",
      () => describeWarmup(warm, parsed),
      `layer ${warm.runs[0].layer}, event ${warm.runs[0].firstEvent}`,
      warm.runCount,
    );

  if (events === 0) {
    const why = parsed
      ? `: all ${parsed} events were runs of identical routing, excluded as warm-up (exclude_warmup)`
      : "";
    throw invalid(
      "empty_trace",
      `the ${format} upload holds no routing events (${source.bytes} bytes read)${why}; nothing was stored`,
      format === "jsonl" ? "body" : "arrays",
    );
  }
  const tokens = layers.reduce((m, l) => Math.max(m, l.tokens), 0);
  const short = layers.map((l, i) => ({ i, n: l.tokens })).filter((x) => x.n < tokens);
  if (short.length) {
    const shown = short
      .slice(0, 5)
      .map((x) => `layer ${x.i}: ${x.n}`)
      .join(", ");
    warnings.add(
      "missing_layers",
      () =>
        `${short.length} of ${model.layers} layers have fewer tokens than the fullest layer (${tokens}): ${shown}${short.length > 5 ? ", ..." : ""}`,
      `layer ${short[0].i}`,
      short.length,
    );
  }
  if (joiner.failed)
    warnings.add("transitions_unavailable", () => `transitions between layers were not computed: ${joiner.failed}`);
  if (skippedSlots) {
    warnings.add(
      "skipped_slots",
      (n) => `${n} top-k slots held -1 (padding or capacity drops) and were skipped`,
      undefined,
      skippedSlots,
    );
  }
  return {
    format,
    bytes: source.bytes,
    sha256: source.digest(),
    events,
    tokens,
    skippedSlots,
    layers,
    labels: labels.names,
    labelLoads,
    transitions: joiner.failed || events === 0 ? null : joiner.transitions,
    shard: null,
    hasWeights,
    hasLogits,
    warnings: warnings.list(),
    warmup: warm,
    tokenStats: tokenStats.withIds ? { ...tokenStats.result(labels.names), strings: ctx.tokenStrings! } : null,
  };
}

async function ingestAggregate(source: ByteSource, model: TraceModel): Promise<IngestResult> {
  const agg = await parseAggregate(source, model);
  return {
    format: "aggregate",
    bytes: source.bytes,
    sha256: source.digest(),
    events: 0,
    tokens: agg.layers.reduce((m, l) => Math.max(m, l.tokens), 0),
    skippedSlots: 0,
    layers: agg.layers,
    labels: agg.labels,
    labelLoads: agg.labelLoads,
    transitions: agg.transitions,
    shard: agg.shard,
    hasWeights: agg.layers.some((l) => l.weightSum.some((w) => w > 0)),
    hasLogits: false,
    warnings: [],
    warmup: null,
    tokenStats: null,
  };
}
