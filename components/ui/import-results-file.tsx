"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { MODEL_PRESETS } from "@/lib/models/presets";
import { apiFetch } from "@/lib/query/api-fetch";
import { DefinitionNote } from "./definition-note";
import { useApiToken } from "./use-api-token";

const input = "rounded border border-zinc-300 px-2 py-1 text-sm dark:border-zinc-600 dark:bg-zinc-800";

/**
 * A JSON or CSV file of stored results posted to an import endpoint (all or none), with the model
 * for files that name none; the list under `invalidate` reloads after.
 */
export function ImportResultsFile({
  endpoint,
  what,
  help,
  invalidate,
  testId,
}: {
  endpoint: string;
  what: [string, string];
  help: string;
  invalidate: string;
  testId: string;
}) {
  const { authHeader } = useApiToken();
  const client = useQueryClient();
  const [model, setModel] = useState("mixtral-8x7b");
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const upload = async (file: File) => {
    setStatus(null);
    try {
      const format = file.name.toLowerCase().endsWith(".csv") ? "csv" : "json";
      const r = await apiFetch<{ created: unknown[] }>(`${endpoint}?format=${format}&model=${model}`, {
        method: "POST",
        headers: authHeader,
        body: await file.text(),
      });
      setStatus({
        ok: true,
        text: `Imported ${r.created.length} ${r.created.length === 1 ? what[0] : what[1]} from ${file.name}.`,
      });
      await client.invalidateQueries({ queryKey: [invalidate] });
    } catch (e) {
      setStatus({ ok: false, text: (e as Error).message });
    }
  };
  return (
    <div className="flex flex-col gap-1 text-sm">
      <span>
        Import JSON or CSV
        <DefinitionNote text={help} />
      </span>
      <span className="flex items-center gap-2">
        <select aria-label="import model" className={input} value={model} onChange={(e) => setModel(e.target.value)}>
          {MODEL_PRESETS.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
        <input
          type="file"
          accept=".json,.csv,application/json,text/csv"
          aria-label={`${what[0]} file`}
          onChange={(e) => e.target.files?.[0] && upload(e.target.files[0])}
          className="text-xs"
        />
      </span>
      {status ? (
        <span
          role={status.ok ? "status" : "alert"}
          className={status.ok ? "text-emerald-700" : "text-red-600"}
          data-testid={testId}
        >
          {status.text}
        </span>
      ) : null}
    </div>
  );
}
