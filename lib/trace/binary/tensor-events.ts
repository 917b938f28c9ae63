import { invalid } from "@/lib/errors";
import type { EventBatch } from "../event-batch";
import type { ParseContext } from "../parse-context";
import type { ByteReader } from "./byte-reader";
import { decodeElements, isFloat, isInteger, type DType } from "./dtype";

/** One named array of a binary trace: its type, shape and a reader positioned at its data. */
export interface TensorSource {
  dtype: DType;
  shape: number[];
  reader: ByteReader;
  /** Where it is, for messages: "array expert_ids" or "expert_ids.npy in the .npz". */
  where: string;
}

/** The arrays of PRODUCT.md §3.3 that become events; others are ignored with a warning. */
export const EVENT_ARRAYS = ["expert_ids", "weights", "logits", "seq_ids", "positions", "token_ids", "labels"] as const;

/**
 * Turns the arrays of a .npy/.npz/safetensors trace into event batches, reading every array in
 * lockstep a few hundred tokens at a time. Shapes and dtypes are checked before any event is
 * produced; values (ids, duplicates, NaN/Inf) as they are read, with their token and layer.
 */
export async function* tensorEvents(
  arrays: Map<string, TensorSource>,
  labelNames: string[] | null,
  ctx: ParseContext,
): AsyncGenerator<EventBatch> {
  const { model, warnings } = ctx;
  const L = model.layers;
  const E = model.experts;
  const ids = arrays.get("expert_ids");
  if (!ids)
    throw invalid("missing_array", `no expert_ids array (found: ${[...arrays.keys()].join(", ") || "none"})`, "arrays");
  checkShape(ids, "expert_ids", 3, "integer");
  const [T, Ls, k] = ids.shape;
  if (Ls !== L)
    throw invalid(
      "shape_mismatch",
      `expert_ids has ${Ls} layers, the model has ${L}`,
      `${ids.where}, shape [${ids.shape}]`,
    );
  if (k > model.topK)
    throw invalid(
      "k_too_large",
      `expert_ids has top-${k}, the model's top-k is ${model.topK}`,
      `${ids.where}, shape [${ids.shape}]`,
    );
  if (k < 1) throw invalid("shape_mismatch", "expert_ids has an empty top-k dimension", ids.where);
  const weights = arrays.get("weights");
  if (weights) checkShape(weights, "weights", 3, "float", [T, L, k]);
  const logits = arrays.get("logits");
  if (logits) checkShape(logits, "logits", 3, "float", [T, L, E]);
  const perToken = (["seq_ids", "positions", "token_ids", "labels"] as const).map((n) => {
    const a = arrays.get(n);
    if (a) checkShape(a, n, 1, "integer", [T]);
    return a;
  });
  const [seqA, posA, tokA, labA] = perToken;
  const ignored = [...arrays.keys()].filter((n) => !(EVENT_ARRAYS as readonly string[]).includes(n));
  if (ignored.length)
    warnings.add("ignored_arrays", () => `arrays not used: ${ignored.join(", ")}`, "arrays", ignored.length);
  const labelIds = labA ? (labelNames ?? []).map((n) => ctx.labels.id(n)) : [];

  const step = Math.max(1, Math.floor(ctx.batchSize / L));
  const K = model.topK;
  for (let t0 = 0; t0 < T; t0 += step) {
    const n = Math.min(step, T - t0);
    const count = n * L;
    // float64, not int32: a 64-bit id must not wrap into a valid-looking one.
    const idv = await readAs(ids, n * L * k, Float64Array);
    const wv = weights ? await readAs(weights, n * L * k, Float32Array) : null;
    const lv = logits ? await readAs(logits, n * L * E, Float32Array) : null;
    const [sv, pv, tv, labv] = await Promise.all(perToken.map((a) => (a ? readAs(a, n, Float64Array) : null)));
    const b: EventBatch = {
      count,
      k: K,
      layer: new Uint16Array(count),
      experts: new Int16Array(count * K).fill(-1),
      weights: wv ? new Float32Array(count * K).fill(Number.NaN) : null,
      logits: lv,
      seq: new Int32Array(count),
      pos: new Int32Array(count).fill(-1),
      tokenId: new Int32Array(count).fill(-1),
      label: new Int16Array(count).fill(ctx.defaultLabel),
      repeat: null,
    };
    for (let i = 0; i < n; i++) {
      const t = t0 + i;
      let label = ctx.defaultLabel;
      if (labv) {
        const li = labv[i];
        if (li !== -1 && (li < 0 || (labelNames && li >= labelNames.length))) {
          throw invalid(
            "invalid_label",
            `label index ${li} is outside the ${labelNames?.length ?? 0} label_names`,
            `${labA!.where}, token ${t}`,
          );
        }
        if (li >= 0) label = labelNames ? labelIds[li] : ctx.labels.id(String(li));
      }
      for (let l = 0; l < L; l++) {
        const ev = i * L + l;
        b.layer[ev] = l;
        b.seq[ev] = sv ? int32(sv[i], seqA!, t) : 0;
        b.pos[ev] = pv ? int32(pv[i], posA!, t) : -1;
        b.tokenId[ev] = tv ? int32(tv[i], tokA!, t) : -1;
        b.label[ev] = label;
        for (let a = 0; a < k; a++) {
          const e = idv[ev * k + a];
          if (e !== -1 && (e < 0 || e >= E))
            throw invalid(
              "expert_out_of_range",
              `expert id ${e} is outside [0, ${E})`,
              `${ids.where}, token ${t}, layer ${l}, slot ${a}`,
            );
          if (e !== -1) {
            for (let c = 0; c < a; c++) {
              if (idv[ev * k + c] === e)
                throw invalid(
                  "duplicate_expert",
                  `expert ${e} appears twice in one top-k`,
                  `${ids.where}, token ${t}, layer ${l}, slots ${c} and ${a}`,
                );
            }
          }
          b.experts[ev * K + a] = e;
          if (wv) {
            const w = wv[ev * k + a];
            if (!Number.isFinite(w))
              throw invalid(
                "non_finite",
                `weight ${w} is not finite`,
                `${weights!.where}, token ${t}, layer ${l}, slot ${a}`,
              );
            if (w < 0 && e !== -1)
              throw invalid(
                "negative_weight",
                `gate weight ${w} is negative; gate weights are probabilities or positive scores`,
                `${weights!.where}, token ${t}, layer ${l}, slot ${a}`,
              );
            b.weights![ev * K + a] = w;
          }
        }
      }
    }
    if (lv) {
      for (let j = 0; j < lv.length; j++) {
        if (!Number.isFinite(lv[j])) {
          const ev = Math.floor(j / E);
          throw invalid(
            "non_finite",
            `logit ${lv[j]} is not finite`,
            `${logits!.where}, token ${t0 + Math.floor(ev / L)}, layer ${ev % L}, expert ${j % E}`,
          );
        }
      }
    }
    yield b;
  }
}

function int32(v: number, a: TensorSource, t: number): number {
  if (v < -1 || v > 2 ** 31 - 1)
    throw invalid("invalid_field", `value ${v} does not fit a 32-bit id`, `${a.where}, token ${t}`);
  return v;
}

function checkShape(a: TensorSource, name: string, rank: number, kind: "integer" | "float", expected?: number[]) {
  if (kind === "integer" ? !isInteger(a.dtype) : !isFloat(a.dtype)) {
    throw invalid(
      "wrong_dtype",
      `${name} has dtype ${a.dtype.name}; expected ${kind === "integer" ? "an integer type" : "float16/bfloat16/float32/float64"}`,
      a.where,
    );
  }
  if (a.shape.length !== rank)
    throw invalid(
      "rank_mismatch",
      `${name} has rank ${a.shape.length} (shape [${a.shape}]); expected rank ${rank}`,
      a.where,
    );
  if (expected && expected.some((d, i) => d !== a.shape[i])) {
    throw invalid("shape_mismatch", `${name} has shape [${a.shape}]; expected [${expected}]`, a.where);
  }
}

async function readAs<T extends Float64Array | Float32Array>(
  a: TensorSource,
  n: number,
  Ctor: { new (n: number): T },
): Promise<T> {
  const bytes = await a.reader.read(n * a.dtype.bytes);
  const out = new Ctor(n);
  decodeElements(bytes, a.dtype, n, out);
  return out;
}
