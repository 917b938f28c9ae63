import { invalid } from "@/lib/errors";
import type { TraceModel } from "./parse-context";
import type { WarningCollector } from "./warnings";

/**
 * Serving engines' logs hold more than routing events: a metadata line first, or records tagged
 * with a `type` (`meta` vs `route`). A line is skipped as "not an event" only when that is clear:
 * its `type` names metadata, or it has no experts field and either carries another `type` or comes
 * before the first event. Anything else without experts is still an error, never silently dropped.
 */
const METADATA_TYPES = new Set(["meta", "metadata", "header", "config", "info", "summary", "stats", "manifest"]);
const EVENT_TYPES = new Set([
  "route",
  "routing",
  "router",
  "event",
  "moe",
  "experts",
  "routed_experts",
  "expert_routing",
]);
const TYPE_FIELDS = ["type", "record_type"];

export type RecordKind = "event" | "metadata" | "other";

/** What a parsed JSONL object is; `hasExperts` says whether the experts field was found. */
export function recordKind(o: Record<string, unknown>, hasExperts: boolean, beforeFirstEvent: boolean): RecordKind {
  const type = typeOf(o);
  if (type !== null && METADATA_TYPES.has(type)) return "metadata";
  if (hasExperts) return "event";
  if (type !== null && !EVENT_TYPES.has(type)) return "other";
  if (type === null && beforeFirstEvent) return "metadata";
  return "event"; // no experts and nothing says it is not an event: the caller reports the missing field
}

/** The record's `type` (or `record_type`), lower-cased, or null. */
export function typeOf(o: Record<string, unknown>): string | null {
  for (const f of TYPE_FIELDS) if (typeof o[f] === "string") return (o[f] as string).toLowerCase();
  return null;
}

/** Field names engines and loggers use for the model's shape in their metadata records. */
const META_FIELDS = {
  experts: ["num_experts", "n_experts", "num_local_experts", "n_routed_experts", "num_routed_experts"],
  topK: ["top_k", "topk", "num_experts_per_tok", "experts_per_token", "moe_top_k", "k"],
  /** These count MoE layers: they must equal the run's. */
  moeLayers: ["num_moe_layers", "moe_layers", "num_layers", "n_layers"],
  /** Counts all decoder layers, dense ones included (DeepSeek's first layers): at least the run's. */
  hiddenLayers: ["num_hidden_layers"],
  model: ["model", "model_name", "model_id", "served_model_name"],
};

/** A metadata record's own fields and those of one nested `config`/`metadata`/`model_config` object. */
function metaScopes(o: Record<string, unknown>): Record<string, unknown>[] {
  const scopes = [o];
  for (const key of ["config", "metadata", "meta", "model_config", "hf_config"]) {
    const v = o[key];
    if (v && typeof v === "object" && !Array.isArray(v)) scopes.push(v as Record<string, unknown>);
  }
  return scopes;
}

function firstOf(scopes: Record<string, unknown>[], names: string[]): { name: string; value: unknown } | null {
  for (const s of scopes)
    for (const name of names) if (s[name] !== undefined && s[name] !== null) return { name, value: s[name] };
  return null;
}

/**
 * Checks what a metadata record states about the model against the run's model: a different
 * expert count, top-k or MoE layer count means the log is of another model (400); a model name
 * that shares nothing with the run's is only a warning, as engines name models their own way.
 */
export function checkMetadata(o: Record<string, unknown>, model: TraceModel, line: number, warnings: WarningCollector) {
  const scopes = metaScopes(o);
  const where = `line ${line}`;
  const mismatch = (field: string, stated: number, ours: number, what: string) => {
    throw invalid(
      "metadata_mismatch",
      `line ${line} is metadata stating ${field} = ${stated}, but the run's model${model.name ? ` (${model.name})` : ""} has ${ours} ${what}; is this the log of another model?`,
      `${where}, field ${field}`,
    );
  };
  const count = (names: string[]) => {
    const f = firstOf(scopes, names);
    return f && typeof f.value === "number" && Number.isInteger(f.value) && f.value > 0
      ? { name: f.name, value: f.value }
      : null;
  };
  const experts = count(META_FIELDS.experts);
  if (experts && experts.value !== model.experts)
    mismatch(experts.name, experts.value, model.experts, "routed experts per layer");
  const topK = count(META_FIELDS.topK);
  if (topK && topK.value !== model.topK) mismatch(topK.name, topK.value, model.topK, "experts per token (top-k)");
  const moeLayers = count(META_FIELDS.moeLayers);
  if (moeLayers && moeLayers.value !== model.layers)
    mismatch(moeLayers.name, moeLayers.value, model.layers, "MoE layers");
  const hidden = count(META_FIELDS.hiddenLayers);
  if (hidden && hidden.value < model.layers)
    mismatch(hidden.name, hidden.value, model.layers, "MoE layers (more than the layers stated)");
  const name = firstOf(scopes, META_FIELDS.model);
  if (name && typeof name.value === "string" && model.name && !namesOverlap(name.value, model.name)) {
    warnings.add(
      "metadata_model_name",
      () =>
        `the log's metadata names the model "${name.value}", the run's model is "${model.name}"; the shapes agree, so the events were counted`,
      where,
    );
  }
}

/** Whether two model names share a distinctive word ("mistralai/Mixtral-8x7B-Instruct-v0.1" and "Mixtral-8x7B" do). */
function namesOverlap(a: string, b: string): boolean {
  const words = (s: string) =>
    new Set(
      s
        .toLowerCase()
        .split(/[^a-z0-9.]+/)
        .filter((w) => w.length >= 3 && !/^v?\d+(\.\d+)?$/.test(w)),
    );
  const wa = words(a);
  for (const w of words(b)) if (wa.has(w)) return true;
  return false;
}
