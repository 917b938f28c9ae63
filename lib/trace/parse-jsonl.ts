import { invalid } from "@/lib/errors";
import { EventBatchBuilder, type EventBatch } from "./event-batch";
import { FieldPicker } from "./field-map";
import type { ParseContext } from "./parse-context";
import { Dictionary } from "./parse-context";
import { checkMetadata, recordKind, typeOf } from "./jsonl-records";
import { describe, readExperts, readInt, readLayer, readLogits, readWeights, type Where } from "./read-event-fields";
import { RepeatTracker } from "./repeat-tracker";
import { splitLines } from "./split-lines";

/** The current line (and layer, for per-token lines); formatted only when something is wrong. */
class Loc {
  line = 0;
  offset = 0;
  layer = -1;
  toString() {
    return `line ${this.line} (byte ${this.offset})${this.layer >= 0 ? `, layer ${this.layer}` : ""}`;
  }
}

/**
 * JSONL traces (PRODUCT.md §3.1 and §3.2): one event per line (`layer` + flat `experts`) or one
 * token per line (`experts` as [L][k]). Every line is an event, repeated positions included.
 * The loop allocates nothing per line beyond what JSON.parse makes: it is the ingest hot path.
 */
export async function* parseJsonl(source: AsyncIterable<Uint8Array>, ctx: ParseContext): AsyncGenerator<EventBatch> {
  const { model, fields, warnings } = ctx;
  const builder = new EventBatchBuilder(ctx.batchSize, model.topK, model.experts);
  const seqNames = new Dictionary(2 ** 31 - 1, "sequence ids");
  const pick = {
    experts: new FieldPicker(fields.experts),
    weights: new FieldPicker(fields.weights),
    logits: new FieldPicker(fields.logits),
    layer: new FieldPicker(fields.layer),
    position: new FieldPicker(fields.position),
    sequence: new FieldPicker(fields.sequence),
    tokenId: new FieldPicker(fields.tokenId),
    tokenStr: new FieldPicker(fields.tokenStr),
    label: new FieldPicker(fields.label),
  };
  const repeats = new RepeatTracker();
  let seen = false;
  let skipped = 0;
  let hasWeights = false;
  let hasLogits = false;
  let isPerToken = false;
  const loc = new Loc();
  const K = model.topK;
  const E = model.experts;

  for await (const lines of splitLines(source)) {
    for (let li = 0; li < lines.length; li++) {
      const line = lines[li];
      const text = line.text;
      if (text.charCodeAt(0) !== 123 /* { */ && text.trim() === "") continue;
      loc.line = line.number;
      loc.offset = line.offset;
      loc.layer = -1;
      let obj: unknown;
      try {
        obj = JSON.parse(text);
      } catch (e) {
        const t = text.trim();
        const document = !seen && (t === "{" || t === "[" || (t.startsWith("{") && !t.endsWith("}")));
        throw invalid(
          "malformed_json",
          document
            ? `line ${line.number} is not valid JSON on its own: this looks like a JSON document spread over several lines, which is neither JSONL (one event per line) nor an aggregate (a document with "format": "moe-atlas.aggregate.v1")`
            : `line ${line.number} is not valid JSON: ${(e as Error).message}`,
          String(loc),
        );
      }
      if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
        throw invalid(
          "malformed_event",
          `line ${line.number} must be a JSON object, got ${describe(obj)}`,
          String(loc),
        );
      }
      const o = obj as Record<string, unknown>;
      const experts = pick.experts.get(o);
      const kind = recordKind(o, experts !== undefined, !seen);
      if (kind !== "event") {
        skipped++;
        if (kind === "metadata") {
          checkMetadata(o, model, line.number, warnings);
          warnings.add(
            "metadata_lines",
            (n) =>
              `${n} metadata line${n > 1 ? "s were" : " was"} not counted as events (checked against the run's model)`,
            String(loc),
          );
        } else {
          const type = typeOf(o);
          warnings.add(
            "non_event_lines",
            (n) =>
              `${n} lines are records of another type than a routing event (the first: type "${type}") and were skipped`,
            String(loc),
          );
        }
        continue;
      }
      if (experts === undefined) {
        throw invalid(
          "missing_field",
          `line ${line.number} has no experts field (tried ${fields.experts.join(", ")}; use map=experts:<name>)`,
          String(loc),
        );
      }
      const weights = pick.weights.get(o);
      const logits = pick.logits.get(o);
      const perToken = Array.isArray(experts) && Array.isArray(experts[0]);
      if (!seen) {
        seen = true;
        hasWeights = weights !== undefined;
        hasLogits = logits !== undefined;
        isPerToken = perToken;
      } else if (
        hasWeights !== (weights !== undefined) ||
        hasLogits !== (logits !== undefined) ||
        isPerToken !== perToken
      ) {
        const now = describeShape(perToken, weights !== undefined, logits !== undefined);
        throw invalid(
          "inconsistent_events",
          `line ${line.number} ${now}, but earlier lines ${describeShape(isPerToken, hasWeights, hasLogits)}`,
          String(loc),
        );
      }

      const seqRaw = pick.sequence.get(o);
      const seq =
        seqRaw === undefined
          ? 0
          : typeof seqRaw === "string"
            ? seqNames.id(seqRaw)
            : readInt(seqRaw, "sequence id", loc);
      const posRaw = pick.position.get(o);
      const pos = posRaw === undefined ? -1 : readInt(posRaw, "position", loc);
      const tokRaw = pick.tokenId.get(o);
      const tokenId = tokRaw === undefined ? -1 : readInt(tokRaw, "token_id", loc);
      const strRaw = pick.tokenStr.get(o);
      if (strRaw !== undefined && tokenId >= 0 && ctx.tokenStrings && !ctx.tokenStrings.has(tokenId)) {
        if (typeof strRaw !== "string" || strRaw.includes("\u0000"))
          throw invalid(
            "invalid_token_str",
            `token_str must be a string without NUL, got ${describe(strRaw)}`,
            String(loc),
          );
        ctx.tokenStrings.set(tokenId, strRaw);
      }
      const labelRaw = pick.label.get(o);
      let label = ctx.defaultLabel;
      if (labelRaw !== undefined) {
        if (typeof labelRaw !== "string" && typeof labelRaw !== "number") {
          throw invalid("invalid_label", `label must be a string, got ${describe(labelRaw)}`, String(loc));
        }
        const name = String(labelRaw);
        if (name.includes("\u0000"))
          throw invalid(
            "nul_character",
            "label contains a NUL character (U+0000), which cannot be stored",
            String(loc),
          );
        label = ctx.labels.id(name);
        if (label < 0) throw invalid("too_many_labels", `more than ${ctx.labels.limit} distinct labels`, String(loc));
      }

      let firstLayer: number;
      let layerCount: number;
      if (perToken) {
        layerCount = (experts as unknown[]).length;
        firstLayer = 0;
        if (layerCount > model.layers) {
          throw invalid(
            "shape_mismatch",
            `experts has ${layerCount} layers, the model has ${model.layers}`,
            String(loc),
          );
        }
        if (layerCount < model.layers) {
          warnings.add(
            "token_missing_layers",
            (n) => `${n} tokens have fewer layers than the model's ${model.layers}`,
            String(loc),
          );
        }
      } else {
        const layerRaw = pick.layer.get(o);
        if (layerRaw === undefined) {
          throw invalid(
            "missing_field",
            `line ${line.number} has no layer field (tried ${fields.layer.join(", ")})`,
            String(loc),
          );
        }
        firstLayer = readLayer(layerRaw, model.layers, loc);
        layerCount = 1;
      }

      for (let layer = firstLayer; layer < firstLayer + layerCount; layer++) {
        if (perToken) loc.layer = layer;
        const { b, i } = builder.push();
        b.layer[i] = layer;
        b.seq[i] = seq;
        b.pos[i] = pos;
        b.tokenId[i] = tokenId;
        b.label[i] = label;
        const ev = perToken ? (experts as unknown[])[layer] : experts;
        const k = readExperts(ev, model, b.experts, i * K, loc);
        if (weights !== undefined) {
          const wv = perToken ? rowOf(weights, layer, "weights", loc) : weights;
          const sum = readWeights(wv, k, builder.weightsArray(), i * K, loc, b.experts);
          if (model.renormalize && Math.abs(sum - 1) > 1e-3 && k === K) {
            warnings.add(
              "weights_not_normalized",
              (n) => `${n} events have gate weights that do not sum to 1, though the model renormalizes its top-k`,
              String(loc),
            );
          }
        }
        if (logits !== undefined) {
          const lv = perToken ? rowOf(logits, layer, "logits", loc) : logits;
          readLogits(lv, E, builder.logitsArray(), i * E, loc);
        }
        if (repeats.repeats(seq, layer, pos)) {
          b.repeat![i] = 1;
          warnings.add(
            "repeated_positions",
            (n) =>
              `${n} events repeat a position already seen in the same sequence and layer (decode steps often log position 0); each is counted as its own event`,
            String(loc),
          );
        }
        if (builder.full) yield builder.take()!;
      }
    }
  }
  const last = builder.take();
  if (last) yield last;
  if (!seen) {
    throw invalid(
      "empty_trace",
      skipped
        ? `the upload holds no routing events: its ${skipped} record(s) have no experts field (tried ${fields.experts.join(", ")}) and were taken for metadata; use map=experts:<name> if the experts are under another name, or give an aggregate document "format": "moe-atlas.aggregate.v1"`
        : "the upload contains no events",
      skipped ? "line 1" : "byte 0",
    );
  }
}

function rowOf(value: unknown, layer: number, field: string, where: Where): unknown {
  if (!Array.isArray(value) || value.length <= layer) {
    throw invalid(
      "shape_mismatch",
      `${field} must be a [layers][...] array with a row for layer ${layer}`,
      String(where),
    );
  }
  return value[layer];
}

function describeShape(perToken: boolean, weights: boolean, logits: boolean) {
  return `${perToken ? "hold one token per line" : "hold one event per line"}, ${weights ? "with" : "without"} weights and ${logits ? "with" : "without"} logits`;
}
