"use client";

import { useRouter } from "next/navigation";
import type { RunView } from "@/lib/query/api-types";
import { DeleteButton } from "@/components/ui/delete-button";
import { formatValue } from "@/components/viz/format";

/** The run's committed uploads, each deletable (its sums stop counting; the same file may be uploaded again). */
export function RunUploads({ run }: { run: RunView }) {
  const router = useRouter();
  const uploads = run.uploads ?? [];
  if (!uploads.length) return null;
  return (
    <details className="text-sm" open={uploads.length <= 8}>
      <summary className="cursor-pointer font-semibold">Uploads ({uploads.length})</summary>
      <table className="mt-2 text-xs [&_td]:px-2 [&_td]:py-0.5 [&_th]:px-2" data-testid="uploads-table">
        <thead>
          <tr className="text-left text-zinc-500">
            <th>file</th>
            <th>format</th>
            <th className="text-right">events</th>
            <th className="text-right">tokens</th>
            <th>weights / logits</th>
            <th>committed</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {uploads.map((u) => (
            <tr key={u.id} data-upload={u.id}>
              <td className="font-mono">{u.fileName ?? u.id}</td>
              <td>{u.format}</td>
              <td className="num text-right">{formatValue(u.events)}</td>
              <td className="num text-right">{formatValue(u.tokens)}</td>
              <td>
                {u.hasWeights ? "weights" : "—"} / {u.hasLogits ? "logits" : "—"}
              </td>
              <td className="text-zinc-500">{u.committedAt?.slice(0, 19).replace("T", " ")}</td>
              <td>
                <DeleteButton
                  small
                  endpoint={`/api/runs/${run.id}/uploads/${u.id}`}
                  what={`upload ${u.fileName ?? u.id}`}
                  consequences={`Its ${u.events.toLocaleString()} events and ${u.tokens.toLocaleString()} tokens stop counting: the run's aggregates become exactly those of a run that never had this upload. Its raw events are removed, and the same file may be uploaded again.`}
                  invalidate={[["runs", run.id], ["runs", "list"], ["compare"]]}
                  onDeleted={() => router.refresh()}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
