import { invalid } from "@/lib/errors";

/** The event fields a trace can carry, and the names real loggers use for them (PRODUCT.md §3.1). */
export const FIELD_ALIASES = {
  experts: ["experts", "expert_ids", "topk_ids", "selected_experts"],
  weights: ["weights", "topk_weights", "gating_probs", "probs", "scores"],
  logits: ["logits", "router_logits"],
  layer: ["layer", "layer_id", "layer_idx"],
  position: ["token", "token_idx", "token_pos", "position"],
  sequence: ["seq", "seq_id", "sequence_id", "request_id", "problem_id", "sample_id"],
  tokenId: ["token_id"],
  /** The token's text, kept as the run's vocabulary for its id (issue 15). */
  tokenStr: ["token_str", "token_text", "token_strs"],
  label: ["label", "domain", "task", "dataset"],
} as const;

export type EventField = keyof typeof FIELD_ALIASES;
export type FieldMap = Record<EventField, readonly string[]>;

const FIELDS = Object.keys(FIELD_ALIASES) as EventField[];

/**
 * Parses `map=experts:topk_ids,weights:probs` (also `experts=topk_ids`). A mapped name is tried
 * first; the usual aliases still apply after it.
 */
export function parseFieldMap(spec: string | null | undefined): FieldMap {
  const map: Record<string, readonly string[]> = { ...FIELD_ALIASES };
  if (!spec) return map as FieldMap;
  for (const part of spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z]+)\s*[:=]\s*(.+)$/.exec(part);
    if (!m)
      throw invalid(
        "invalid_map",
        `cannot read map entry "${part}"; expected field:name, e.g. experts:topk_ids`,
        "query parameter map",
      );
    const field = m[1] as EventField;
    if (!FIELDS.includes(field)) {
      throw invalid(
        "invalid_map",
        `unknown field "${m[1]}" in map; known fields: ${FIELDS.join(", ")}`,
        "query parameter map",
      );
    }
    map[field] = [m[2].trim(), ...FIELD_ALIASES[field]];
  }
  return map as FieldMap;
}

/**
 * Looks a field up by its aliases, trying first the name that matched last time: a trace uses
 * one spelling throughout, so the common case is one property read per field per line.
 */
export class FieldPicker {
  private hit: string;

  constructor(readonly names: readonly string[]) {
    this.hit = names[0];
  }

  get(obj: Record<string, unknown>): unknown {
    const v = obj[this.hit];
    if (v !== undefined && v !== null) return v;
    for (const n of this.names) {
      const w = obj[n];
      if (w !== undefined && w !== null) {
        this.hit = n;
        return w;
      }
    }
    return undefined;
  }
}
