import { badRequest } from "@/lib/api/api-error";
import { EventBatchBuilder, type EventBatch } from "./event-batch";
import { pick } from "./field-map";
import type { ParseContext } from "./parse-context";
import { Dictionary } from "./parse-context";
import { describe, readExperts, readInt, readLayer, readLogits, readWeights } from "./read-event-fields";
import { splitLines } from "./split-lines";

/**
 * JSONL traces (PRODUCT.md §3.1 and §3.2): one event per line (`layer` + flat `experts`) or one
 * token per line (`experts` as [L][k]). Every line is an event, repeated positions included.
 */
export async function* parseJsonl(source: AsyncIterable<Uint8Array>, ctx: ParseContext): AsyncGenerator<EventBatch> {
  const { model, fields, warnings } = ctx;
  const builder = new EventBatchBuilder(ctx.batchSize, model.topK, model.experts);
  const seqNames = new Dictionary(2 ** 31 - 1, "sequence ids");
  // Highest position seen per (sequence, layer): a position at or below it is a repeat.
  const lastPos = new Map<string, number>();
  let shape: { weights: boolean; logits: boolean; perToken: boolean } | null = null;

  for await (const lines of splitLines(source)) {
    for (const line of lines) {
      if (line.text.trim() === "") continue;
      const where = `line ${line.number} (byte ${line.offset})`;
      let obj: unknown;
      try {
        obj = JSON.parse(line.text);
      } catch (e) {
        throw badRequest("malformed_json", `line ${line.number} is not valid JSON: ${(e as Error).message}`, where);
      }
      if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
        throw badRequest("malformed_event", `line ${line.number} must be a JSON object, got ${describe(obj)}`, where);
      }
      const o = obj as Record<string, unknown>;
      const experts = pick(o, fields.experts);
      if (experts === undefined) {
        throw badRequest("missing_field", `line ${line.number} has no experts field (tried ${fields.experts.join(", ")}; use map=experts:<name>)`, where);
      }
      const weights = pick(o, fields.weights);
      const logits = pick(o, fields.logits);
      const perToken = Array.isArray(experts) && Array.isArray(experts[0]);
      const lineShape = { weights: weights !== undefined, logits: logits !== undefined, perToken };
      if (!shape) shape = lineShape;
      else if (shape.weights !== lineShape.weights || shape.logits !== lineShape.logits || shape.perToken !== lineShape.perToken) {
        throw badRequest(
          "inconsistent_events",
          `line ${line.number} ${describeShape(lineShape)}, but earlier lines ${describeShape(shape)}`,
          where,
        );
      }

      const seqRaw = pick(o, fields.sequence);
      const seq = seqRaw === undefined ? 0 : typeof seqRaw === "string" ? seqNames.id(seqRaw) : readInt(seqRaw, "sequence id", where);
      const posRaw = pick(o, fields.position);
      const pos = posRaw === undefined ? -1 : readInt(posRaw, "position", where);
      const tokRaw = pick(o, fields.tokenId);
      const tokenId = tokRaw === undefined ? -1 : readInt(tokRaw, "token_id", where);
      const labelRaw = pick(o, fields.label);
      let label = ctx.defaultLabel;
      if (labelRaw !== undefined) {
        if (typeof labelRaw !== "string" && typeof labelRaw !== "number") {
          throw badRequest("invalid_label", `label must be a string, got ${describe(labelRaw)}`, where);
        }
        label = ctx.labels.id(String(labelRaw));
        if (label < 0) throw badRequest("too_many_labels", `more than ${ctx.labels.limit} distinct labels`, where);
      }

      const layers: number[] = [];
      if (perToken) {
        const perLayer = experts as unknown[];
        if (perLayer.length > model.layers) {
          throw badRequest("shape_mismatch", `experts has ${perLayer.length} layers, the model has ${model.layers}`, where);
        }
        if (perLayer.length < model.layers) {
          warnings.add("token_missing_layers", (n) => `${n} tokens have fewer layers than the model's ${model.layers}`, where);
        }
        for (let l = 0; l < perLayer.length; l++) layers.push(l);
      } else {
        const layerRaw = pick(o, fields.layer);
        if (layerRaw === undefined) {
          throw badRequest("missing_field", `line ${line.number} has no layer field (tried ${fields.layer.join(", ")})`, where);
        }
        layers.push(readLayer(layerRaw, model.layers, where));
      }

      for (const layer of layers) {
        const lw = perToken ? `${where}, layer ${layer}` : where;
        const { b, i } = builder.push();
        b.layer[i] = layer;
        b.seq[i] = seq;
        b.pos[i] = pos;
        b.tokenId[i] = tokenId;
        b.label[i] = label;
        const ev = perToken ? (experts as unknown[])[layer] : experts;
        const k = readExperts(ev, model, b.experts, i * model.topK, lw);
        if (weights !== undefined) {
          const wv = perToken ? rowOf(weights, layer, "weights", lw) : weights;
          const sum = readWeights(wv, k, builder.weightsArray(), i * model.topK, lw);
          if (model.renormalize && Math.abs(sum - 1) > 1e-3 && k === model.topK) {
            warnings.add("weights_not_normalized", (n) => `${n} events have gate weights that do not sum to 1, though the model renormalizes its top-k`, lw);
          }
        }
        if (logits !== undefined) {
          const lv = perToken ? rowOf(logits, layer, "logits", lw) : logits;
          readLogits(lv, model.experts, builder.logitsArray(), i * model.experts, lw);
        }
        if (pos >= 0) {
          const key = `${seq}:${layer}`;
          const last = lastPos.get(key);
          if (last !== undefined && pos <= last) {
            b.repeat![i] = 1;
            warnings.add(
              "repeated_positions",
              (n) => `${n} events repeat a position already seen in the same sequence and layer (decode steps often log position 0); each is counted as its own event`,
              lw,
            );
          } else lastPos.set(key, pos);
        }
        if (builder.full) yield builder.take()!;
      }
    }
  }
  const last = builder.take();
  if (last) yield last;
  if (!shape) throw badRequest("empty_trace", "the upload contains no events", "byte 0");
}

function rowOf(value: unknown, layer: number, field: string, where: string): unknown {
  if (!Array.isArray(value) || value.length <= layer) {
    throw badRequest("shape_mismatch", `${field} must be a [layers][...] array with a row for layer ${layer}`, where);
  }
  return value[layer];
}

function describeShape(s: { weights: boolean; logits: boolean; perToken: boolean }) {
  return `${s.perToken ? "hold one token per line" : "hold one event per line"}, ${s.weights ? "with" : "without"} weights and ${s.logits ? "with" : "without"} logits`;
}
