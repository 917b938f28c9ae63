import { invalid, tooLarge } from "@/lib/errors";
import { emptyLayerAggregate, type LabelLoad, type LayerAggregate } from "@/lib/analysis/layer-aggregate";
import type { TraceModel } from "./parse-context";
import { parseJsonSliced } from "./parse-json-sliced";
import { TimeSlicer } from "./time-slicer";

export const AGGREGATE_FORMAT = "moe-atlas.aggregate.v1";

export interface ParsedAggregate {
  shard: string | null;
  layers: LayerAggregate[];
  transitions: (Float64Array | null)[];
  labels: string[];
  labelLoads: LabelLoad[];
  layersPresent: number[];
}

/**
 * Aggregate JSON is one document whose size is bounded by the model's shape; it is read whole up
 * to this cap (ATLAS_MAX_AGGREGATE_BYTES, 1 GiB). It is parsed from the bytes, never decoded into
 * one string (V8 strings stop at 512 MiB), and in slices that let other requests through.
 */
export function maxAggregateBytes(): number {
  const v = Number(process.env.ATLAS_MAX_AGGREGATE_BYTES ?? 1024 ** 3);
  return Number.isFinite(v) && v > 0 ? v : 1024 ** 3;
}

/**
 * Partial counts (PRODUCT.md §3.4): per layer `load` (required), `tokens`, `weightSum`,
 * `coactivation`, `labels`, `transitions`, for any subset of layers, counted per physical slot
 * when `physicalToLogical` maps replicas to logical experts. A map list holds one map per MoE
 * layer, or a single map that applies to every layer.
 */
export async function parseAggregate(source: AsyncIterable<Uint8Array>, model: TraceModel): Promise<ParsedAggregate> {
  const doc = await parseJsonSliced(await readAll(source, maxAggregateBytes()), "the aggregate document");
  const slicer = new TimeSlicer();
  const d = obj(doc, "aggregate document");
  if (d.format !== AGGREGATE_FORMAT)
    throw invalid("unknown_format", `format must be "${AGGREGATE_FORMAT}", got ${JSON.stringify(d.format)}`, "format");
  if (d.shard !== undefined && d.shard !== null && typeof d.shard !== "string") {
    throw invalid(
      "invalid_field",
      `shard must be a string naming the shard (e.g. "rank-3"), got ${JSON.stringify(d.shard)?.slice(0, 40)}`,
      "shard",
    );
  }
  const shard = (d.shard as string | null | undefined) ?? null;
  if (shard !== null && (shard.length === 0 || shard.length > 200))
    throw invalid("invalid_field", "shard must be a name of 1 to 200 characters", "shard");
  if (shard?.includes("\u0000"))
    throw invalid("nul_character", "shard contains a NUL character (U+0000), which cannot be stored", "shard");
  const E = model.experts;
  const maps = readMaps(d.physicalToLogical, model);
  if (!Array.isArray(d.layers) || d.layers.length === 0)
    throw invalid("invalid_field", "layers must be a non-empty array", "layers");

  const layers = Array.from({ length: model.layers }, () => emptyLayerAggregate(E));
  const transitions: (Float64Array | null)[] = Array.from({ length: Math.max(0, model.layers - 1) }, () => null);
  const labels: string[] = [];
  const labelLoads: LabelLoad[] = [];
  const seen = new Set<number>();
  for (const [idx, raw] of (d.layers as unknown[]).entries()) {
    await slicer.maybeYield();
    let where = `layers[${idx}]`;
    const x = obj(raw, where);
    const l = x.layer;
    if (typeof l !== "number" || !Number.isInteger(l) || l < 0 || l >= model.layers) {
      throw invalid(
        "layer_out_of_range",
        `layer ${JSON.stringify(l)} is not a MoE layer index in [0, ${model.layers})`,
        `${where}.layer`,
      );
    }
    if (seen.has(l)) throw invalid("duplicate_layer", `layer ${l} appears twice`, where);
    seen.add(l);
    where = `layers[${idx}] (layer ${l})`;
    const map = maps ? (maps.length === 1 ? maps[0] : maps[l]) : null;
    const P = map ? map.length : E;
    const agg = layers[l];
    const tokens = x.tokens === undefined ? null : count(x.tokens, `${where}.tokens`);
    if (x.load === undefined) throw invalid("missing_field", "load is required", `${where}.load`);
    addVector(agg.load, vector(x.load, P, `${where}.load`, true), map);
    assertSafeSums(agg.load, `${where}.load`);
    agg.tokens = tokens ?? sum(agg.load) / model.topK;
    agg.load.forEach((v, e) => {
      if (tokens !== null && v > tokens)
        throw invalid(
          "load_exceeds_tokens",
          `expert ${e} is selected ${v} times but the layer has ${tokens} tokens`,
          `${where}.load`,
        );
    });
    if (x.weightSum !== undefined) addVector(agg.weightSum, vector(x.weightSum, P, `${where}.weightSum`, false), map);
    if (x.coactivation !== undefined) {
      const c = matrix(x.coactivation, P, `${where}.coactivation`);
      for (let i = 0; i < P; i++) {
        if (c[i * P + i] !== 0)
          throw invalid(
            "invalid_coactivation",
            `the diagonal must be 0 (an expert with itself), found ${c[i * P + i]} at [${i}][${i}]`,
            `${where}.coactivation[${i}][${i}]`,
          );
        for (let j = i + 1; j < P; j++) {
          if (c[i * P + j] !== c[j * P + i]) {
            throw invalid(
              "asymmetric_coactivation",
              `coactivation is not symmetric: [${i}][${j}] = ${c[i * P + j]} but [${j}][${i}] = ${c[j * P + i]}`,
              `${where}.coactivation[${i}][${j}]`,
            );
          }
        }
      }
      addMatrix(agg.coactivation, c, P, E, map, `${where}.coactivation`, true);
      // Both experts were selected for every token counted here: no pair outnumbers either load.
      for (let i = 0; i < E; i++) {
        for (let j = 0; j < E; j++) {
          const v = agg.coactivation[i * E + j];
          if (v > agg.load[i] || v > agg.load[j]) {
            const e = v > agg.load[i] ? i : j;
            throw invalid(
              "coactivation_exceeds_load",
              `experts ${i} and ${j} co-activate ${v} times but expert ${e} is selected only ${agg.load[e]} times`,
              `${where}.coactivation[${i}][${j}]`,
            );
          }
        }
      }
    }
    if (x.transitions !== undefined) {
      if (l === model.layers - 1)
        throw invalid("invalid_field", "the last MoE layer has no next layer for transitions", `${where}.transitions`);
      const t = new Float64Array(E * E);
      addMatrix(t, matrix(x.transitions, P, `${where}.transitions`), P, E, map, `${where}.transitions`, false);
      assertSafeSums(t, `${where}.transitions`);
      for (let i = 0; i < E; i++) {
        let out = 0;
        for (let j = 0; j < E; j++) out += t[i * E + j];
        // Each token with i at this layer goes on to k experts of the next.
        if (out > agg.load[i] * model.topK)
          throw invalid(
            "transitions_exceed_load",
            `expert ${i} is selected ${agg.load[i]} times but ${out} transitions leave it (at most ${model.topK} per selection)`,
            `${where}.transitions[${i}]`,
          );
      }
      transitions[l] = t;
    }
    if (x.labels !== undefined) {
      const labelled = new Float64Array(E);
      for (const [name, v] of Object.entries(obj(x.labels, `${where}.labels`))) {
        if (name.includes("\u0000"))
          throw invalid(
            "nul_character",
            "a label name contains a NUL character (U+0000), which cannot be stored",
            `${where}.labels`,
          );
        let li = labels.indexOf(name);
        if (li < 0) {
          li = labels.push(name) - 1;
          labelLoads[li] = { tokens: new Float64Array(model.layers), load: new Float64Array(model.layers * E) };
        }
        const row = new Float64Array(E);
        addVector(row, vector(v, P, `${where}.labels.${name}`, true), map);
        // Labels partition the tokens: together they cannot select an expert more often than its load.
        for (let e = 0; e < E; e++) {
          labelled[e] += row[e];
          if (labelled[e] > agg.load[e])
            throw invalid(
              "label_exceeds_load",
              `labels select expert ${e} ${labelled[e]} times in all but its load is ${agg.load[e]}`,
              `${where}.labels.${name}[${e}]`,
            );
        }
        labelLoads[li].load.set(row, l * E);
        // Label token counts are not in the format: estimated as selections / k.
        labelLoads[li].tokens[l] = sum(row) / model.topK;
      }
    }
  }
  if (layers.every((a) => a.tokens === 0))
    throw invalid("empty_trace", "the aggregate counts no tokens in any layer; nothing to add", "layers");
  return { shard, layers, transitions, labels, labelLoads, layersPresent: [...seen].sort((a, b) => a - b) };
}

async function readAll(source: AsyncIterable<Uint8Array>, cap: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const c of source) {
    n += c.length;
    if (n > cap)
      throw tooLarge(
        "upload_too_large",
        `an aggregate document is read whole and may be at most ${cap} bytes (ATLAS_MAX_AGGREGATE_BYTES)`,
        `byte ${cap}`,
      );
    parts.push(c);
  }
  // Joined in slices: one copy of hundreds of MB would hold the event loop for a few hundred ms.
  const out = Buffer.allocUnsafe(n);
  const slicer = new TimeSlicer();
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
    await slicer.maybeYield();
  }
  return out;
}

/** Counts are float64 sums, exact only up to 2^53: beyond it a count is no longer a count. */
function assertSafeSums(a: Float64Array, where: string) {
  for (let i = 0; i < a.length; i++) {
    if (a[i] > Number.MAX_SAFE_INTEGER)
      throw invalid(
        "count_too_large",
        `${a[i]} at [${i}] is beyond 2^53 - 1, where counts stop being exact integers`,
        `${where}[${i}]`,
      );
  }
}

function readMaps(v: unknown, model: TraceModel): number[][] | null {
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v) || (v.length !== 1 && v.length !== model.layers)) {
    throw invalid(
      "invalid_field",
      `physicalToLogical must hold one map per MoE layer (${model.layers}) or one map for all layers`,
      "physicalToLogical",
    );
  }
  return v.map((m, i) => {
    if (!Array.isArray(m) || m.length < model.experts) {
      throw invalid(
        "invalid_field",
        `physicalToLogical[${i}] must list a logical expert for each of at least ${model.experts} physical slots`,
        `physicalToLogical[${i}]`,
      );
    }
    m.forEach((e, s) => {
      if (!Number.isInteger(e) || e < 0 || e >= model.experts)
        throw invalid(
          "expert_out_of_range",
          `physical slot ${s} maps to ${JSON.stringify(e)}, outside [0, ${model.experts})`,
          `physicalToLogical[${i}][${s}]`,
        );
    });
    return m as number[];
  });
}

function obj(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw invalid("invalid_field", "must be a JSON object", where);
  return v as Record<string, unknown>;
}

function count(v: unknown, where: string): number {
  if (typeof v !== "number" || !Number.isInteger(v))
    throw invalid("invalid_count", `must be an integer count, got ${JSON.stringify(v)}`, where);
  if (v < 0) throw invalid("negative_count", `counts cannot be negative, got ${v}`, where);
  if (v > Number.MAX_SAFE_INTEGER)
    throw invalid("count_too_large", `${v} is beyond 2^53 - 1, where counts stop being exact integers`, where);
  return v;
}

function vector(v: unknown, n: number, where: string, integer: boolean): Float64Array {
  if (!Array.isArray(v) || v.length !== n)
    throw invalid(
      "shape_mismatch",
      `must be an array of ${n} numbers, got ${Array.isArray(v) ? v.length : typeof v}`,
      where,
    );
  const out = new Float64Array(n);
  v.forEach((x, i) => {
    if (typeof x !== "number" || !Number.isFinite(x))
      throw invalid("non_finite", `${JSON.stringify(x)} is not a finite number`, `${where}[${i}]`);
    if (x < 0) throw invalid("negative_count", `counts cannot be negative, got ${x}`, `${where}[${i}]`);
    if (integer && !Number.isInteger(x))
      throw invalid("invalid_count", `counts must be integers, got ${x}`, `${where}[${i}]`);
    if (integer && x > Number.MAX_SAFE_INTEGER)
      throw invalid(
        "count_too_large",
        `${x} is beyond 2^53 - 1, where counts stop being exact integers`,
        `${where}[${i}]`,
      );
    out[i] = x;
  });
  return out;
}

function matrix(v: unknown, n: number, where: string): Float64Array {
  if (!Array.isArray(v) || v.length !== n)
    throw invalid("shape_mismatch", `must be ${n} x ${n}, got ${Array.isArray(v) ? v.length : typeof v} rows`, where);
  const out = new Float64Array(n * n);
  v.forEach((row, i) => out.set(vector(row, n, `${where}[${i}]`, true), i * n));
  return out;
}

function addVector(into: Float64Array, v: Float64Array, map: number[] | null) {
  for (let i = 0; i < v.length; i++) into[map ? map[i] : i] += v[i];
}

/** Adds a physical-slot matrix into a logical one; replicas of one expert cannot co-activate. */
function addMatrix(
  into: Float64Array,
  m: Float64Array,
  P: number,
  E: number,
  map: number[] | null,
  where: string,
  symmetricZeroDiagonal: boolean,
) {
  for (let i = 0; i < P; i++) {
    for (let j = 0; j < P; j++) {
      const v = m[i * P + j];
      if (!v) continue;
      const a = map ? map[i] : i;
      const b = map ? map[j] : j;
      if (symmetricZeroDiagonal && a === b) {
        throw invalid(
          "invalid_coactivation",
          `physical slots ${i} and ${j} are replicas of expert ${a} but co-activate ${v} times`,
          `${where}[${i}][${j}]`,
        );
      }
      into[a * E + b] += v;
    }
  }
}

function sum(a: Float64Array) {
  let s = 0;
  for (const x of a) s += x;
  return s;
}
