import { invalid } from "@/lib/errors";
import type { TraceModel } from "./parse-context";

/** A place in the upload; formatted only when an error is thrown, not for every event. */
export type Where = string | { toString(): string };

/**
 * Validation of one event's fields, shared by the JSON-based parsers. Each reader writes into the
 * batch arrays at `at` and throws a 400 that names the field and the place.
 */
export function readExperts(value: unknown, model: TraceModel, out: Int16Array, at: number, where: Where): number {
  if (!Array.isArray(value))
    throw invalid("invalid_experts", `experts must be an array of expert ids, got ${describe(value)}`, String(where));
  const k = value.length;
  if (k === 0) throw invalid("invalid_experts", "experts is empty", String(where));
  if (k > model.topK) {
    throw invalid("k_too_large", `${k} experts selected but the model's top-k is ${model.topK}`, String(where));
  }
  for (let a = 0; a < k; a++) {
    const e = value[a];
    if (typeof e !== "number" || !Number.isInteger(e)) {
      throw invalid("invalid_expert_id", `expert id ${describe(e)} at experts[${a}] is not an integer`, String(where));
    }
    if (e !== -1 && (e < 0 || e >= model.experts)) {
      throw invalid(
        "expert_out_of_range",
        `expert id ${e} at experts[${a}] is outside [0, ${model.experts})`,
        String(where),
      );
    }
    if (e !== -1) {
      for (let b = 0; b < a; b++) {
        if (value[b] === e)
          throw invalid(
            "duplicate_expert",
            `expert ${e} appears twice in one top-k (experts[${b}] and experts[${a}])`,
            String(where),
          );
      }
    }
    out[at + a] = e;
  }
  return k;
}

/** Gate weights of one event; `experts` (already read at `at`) tells padded slots (-1), whose weight is not checked for sign. */
export function readWeights(
  value: unknown,
  k: number,
  out: Float32Array,
  at: number,
  where: Where,
  experts?: Int16Array,
): number {
  if (!Array.isArray(value))
    throw invalid("invalid_weights", `weights must be an array of numbers, got ${describe(value)}`, String(where));
  if (value.length !== k) {
    throw invalid("shape_mismatch", `${value.length} weights for ${k} experts; they must pair up`, String(where));
  }
  let sum = 0;
  for (let a = 0; a < k; a++) {
    const w = value[a];
    if (typeof w !== "number" || !Number.isFinite(w)) {
      throw invalid("non_finite", `weight ${describe(w)} at weights[${a}] is not a finite number`, String(where));
    }
    if (w < 0 && (!experts || experts[at + a] !== -1)) {
      throw invalid(
        "negative_weight",
        `weight ${w} at weights[${a}] is negative; gate weights are probabilities or positive scores`,
        String(where),
      );
    }
    out[at + a] = w;
    sum += w;
  }
  return sum;
}

export function readLogits(value: unknown, experts: number, out: Float32Array, at: number, where: Where) {
  if (!Array.isArray(value))
    throw invalid(
      "invalid_logits",
      `logits must be an array of ${experts} numbers, got ${describe(value)}`,
      String(where),
    );
  if (value.length !== experts) {
    throw invalid(
      "shape_mismatch",
      `logits has ${value.length} entries, the model has ${experts} experts`,
      String(where),
    );
  }
  for (let e = 0; e < experts; e++) {
    const v = value[e];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw invalid("non_finite", `logit ${describe(v)} at logits[${e}] is not a finite number`, String(where));
    }
    out[at + e] = v;
  }
}

export function readLayer(value: unknown, layers: number, where: Where): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw invalid("invalid_layer", `layer must be an integer MoE layer index, got ${describe(value)}`, String(where));
  }
  if (value < 0 || value >= layers) {
    throw invalid(
      "layer_out_of_range",
      `layer ${value} is outside [0, ${layers}) (MoE layer index, counted from 0)`,
      String(where),
    );
  }
  return value;
}

export function readInt(value: unknown, field: string, where: Where): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < -1 || value > 2 ** 31 - 1) {
    throw invalid("invalid_field", `${field} must be a non-negative integer, got ${describe(value)}`, String(where));
  }
  return value;
}

export function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? `${s.slice(0, 37)}...` : s;
}
