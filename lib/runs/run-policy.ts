import { z } from "zod";

/**
 * A run's routing policy (PRODUCT.md §2), stored as one string:
 *   vanilla                 the model as trained
 *   c2r:T=<n>               collaboration-constrained routing with T collaborators (n ≥ 1)
 *   device-limited:M=<n>    device-limited routing: each token's experts on at most M devices
 *   pruned[:<note>]         experts dropped (the note says which keep-mask, e.g. a pruning run)
 *   quantized[:<note>]      quantized weights (the note says the bit config, e.g. "GPTQ 3-bit")
 * A string keeps the API's `policy` field as it was (scripts send "vanilla"); the grammar makes it
 * filterable by kind and readable in the index.
 */
export const POLICY_KINDS = ["vanilla", "c2r", "device-limited", "pruned", "quantized"] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

export interface Policy {
  kind: PolicyKind;
  /** T for c2r, M for device-limited. */
  n?: number;
  note?: string;
}

/** Shown beside the policy field. */
export const POLICY_DEFINITION =
  "How the run's tokens were routed: vanilla (the model as trained); C2R with T (collaboration-constrained routing: the top expert plus k-1 of its T most frequent collaborators); device-limited with M (each token's experts on at most M devices); pruned (experts dropped: note the keep-mask); quantized (note the bit config). Stored as vanilla, c2r:T=<n>, device-limited:M=<n>, pruned[:<note>], quantized[:<note>].";

const FORMS = "vanilla, c2r:T=<n>, device-limited:M=<n>, pruned[:<note>] or quantized[:<note>]";

export function parsePolicy(value: string): Policy | null {
  if (value === "vanilla") return { kind: "vanilla" };
  let m = /^c2r:T=([1-9]\d{0,3})$/.exec(value);
  if (m) return { kind: "c2r", n: Number(m[1]) };
  m = /^device-limited:M=([1-9]\d{0,3})$/.exec(value);
  if (m) return { kind: "device-limited", n: Number(m[1]) };
  m = /^(pruned|quantized)(?::(\S.*))?$/.exec(value);
  if (m) return { kind: m[1] as PolicyKind, ...(m[2] ? { note: m[2] } : {}) };
  return null;
}

export function formatPolicy(p: Policy): string {
  if (p.kind === "c2r") return `c2r:T=${p.n}`;
  if (p.kind === "device-limited") return `device-limited:M=${p.n}`;
  return p.note && (p.kind === "pruned" || p.kind === "quantized") ? `${p.kind}:${p.note}` : p.kind;
}

/** For people: "C2R, T = 2". A stored value outside the grammar (older runs) is shown as it is. */
export function describePolicy(value: string): string {
  const p = parsePolicy(value);
  if (!p) return value;
  if (p.kind === "c2r") return `C2R, T = ${p.n}`;
  if (p.kind === "device-limited") return `device-limited, M = ${p.n}`;
  return p.note ? `${p.kind} (${p.note})` : p.kind;
}

export const policySchema = z
  .string()
  .trim()
  .max(64)
  .refine((v) => parsePolicy(v) !== null, { message: `a routing policy is one of ${FORMS}` });
