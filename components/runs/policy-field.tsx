"use client";

import { useState } from "react";
import { formatPolicy, parsePolicy, POLICY_DEFINITION, POLICY_KINDS, type PolicyKind } from "@/lib/runs/run-policy";
import { DefinitionNote } from "@/components/ui/definition-note";

const input = "rounded border border-zinc-300 px-2 py-1 text-sm dark:border-zinc-600 dark:bg-zinc-800";
const LABELS: Record<PolicyKind, string> = {
  vanilla: "vanilla",
  c2r: "C2R (collaboration-constrained)",
  "device-limited": "device-limited",
  pruned: "pruned",
  quantized: "quantized",
};

/**
 * The routing policy as a kind plus its parameter (T for C2R, M for device-limited, a note for
 * pruned or quantized), posted as one string in a hidden input named `policy` (lib/runs/run-policy.ts).
 */
export function PolicyField({ defaultValue = "vanilla" }: { defaultValue?: string }) {
  const initial = parsePolicy(defaultValue) ?? { kind: "vanilla" as const };
  const [kind, setKind] = useState<PolicyKind>(initial.kind);
  const [n, setN] = useState(initial.n ?? (initial.kind === "device-limited" ? 4 : 1));
  const [note, setNote] = useState(initial.note ?? "");
  const value = formatPolicy({ kind, n, note: note.trim() || undefined });
  return (
    <fieldset className="flex flex-wrap items-end gap-2 text-sm">
      <legend className="mb-1">
        Routing policy
        <DefinitionNote text={POLICY_DEFINITION} />
      </legend>
      <select
        aria-label="policy"
        value={kind}
        onChange={(e) => setKind(e.target.value as PolicyKind)}
        className={input}
      >
        {POLICY_KINDS.map((k) => (
          <option key={k} value={k}>
            {LABELS[k]}
          </option>
        ))}
      </select>
      {kind === "c2r" || kind === "device-limited" ? (
        <label className="flex items-center gap-1">
          {kind === "c2r" ? "T (collaborators)" : "M (devices per token)"}
          <input
            aria-label={kind === "c2r" ? "policy T" : "policy M"}
            type="number"
            min={1}
            max={9999}
            required
            value={n}
            onChange={(e) => setN(Math.max(1, Math.round(Number(e.target.value)) || 1))}
            className={`${input} w-20`}
          />
        </label>
      ) : null}
      {kind === "pruned" || kind === "quantized" ? (
        <label className="flex items-center gap-1">
          {kind === "pruned" ? "keep-mask" : "bit config"}
          <input
            aria-label="policy note"
            value={note}
            maxLength={50}
            onChange={(e) => setNote(e.target.value)}
            placeholder={kind === "pruned" ? "e.g. keep 6 of 8 (Min-EAN)" : "e.g. GPTQ 3-bit"}
            className={input}
          />
        </label>
      ) : null}
      <input type="hidden" name="policy" value={value} />
      <span className="text-xs text-zinc-500" data-testid="policy-value">
        {value}
      </span>
    </fieldset>
  );
}
