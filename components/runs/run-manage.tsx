"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { RunView } from "@/lib/query/api-types";
import { apiFetch } from "@/lib/query/api-fetch";
import { DeleteButton } from "@/components/ui/delete-button";
import { TokenField } from "@/components/ui/token-field";
import { useApiToken } from "@/components/ui/use-api-token";
import { PolicyField } from "./policy-field";
import { SeriesStepField, seriesStepOf } from "./series-step-field";
import { VisibilityField } from "./visibility-field";

const input = "rounded border border-zinc-300 px-2 py-1 text-sm dark:border-zinc-600 dark:bg-zinc-800";

/** Edit (name, description, tags, visibility, policy, series and step) and delete, on the run overview. */
export function RunManage({ run }: { run: RunView }) {
  const router = useRouter();
  const client = useQueryClient();
  const { authHeader } = useApiToken();
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function save(form: FormData) {
    setBusy(true);
    setError(null);
    const tags = String(form.get("tags") ?? "")
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean);
    try {
      await apiFetch(`/api/runs/${run.id}`, {
        method: "PATCH",
        headers: { "content-type": "application/json", ...authHeader },
        body: JSON.stringify({
          name: form.get("name"),
          description: form.get("description"),
          tags,
          visibility: form.get("visibility"),
          policy: form.get("policy"),
          ...seriesStepOf(form),
        }),
      });
      await client.invalidateQueries({ queryKey: ["runs"] });
      setEditing(false);
      router.refresh();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const derived =
    "their raw events, the run's aggregates, the pruning runs computed on it, the quantization results tied to it, and every share that shows it";
  return (
    <section aria-label="manage run" className="flex flex-col gap-3">
      <div className="flex flex-wrap gap-3">
        <button
          type="button"
          onClick={() => setEditing(!editing)}
          aria-expanded={editing}
          className="rounded border border-zinc-400 px-3 py-2 text-sm font-medium hover:bg-zinc-100 dark:border-zinc-600 dark:hover:bg-zinc-800"
        >
          {editing ? "Cancel editing" : "Edit run"}
        </button>
        <DeleteButton
          endpoint={`/api/runs/${run.id}`}
          what={`run "${run.name}"`}
          label="Delete run"
          consequences={`Goes with it: ${run.uploads?.length ?? 0} upload(s) (${run.events.toLocaleString()} events), ${derived}.`}
          invalidate={[["runs"], ["compare"], ["pruning-runs"], ["quant-results"]]}
          onDeleted={() => {
            router.push("/");
            router.refresh();
          }}
        />
      </div>
      {editing ? (
        <form
          action={save}
          aria-label="edit run"
          className="flex max-w-2xl flex-col gap-3 rounded border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900"
        >
          <label className="flex flex-col text-sm">
            Name
            <input
              name="name"
              required
              maxLength={200}
              defaultValue={run.name}
              className={input}
              aria-label="edit name"
            />
          </label>
          <label className="flex flex-col text-sm">
            Description
            <textarea
              name="description"
              rows={2}
              maxLength={10_000}
              defaultValue={run.description}
              className={input}
              aria-label="edit description"
            />
          </label>
          <label className="flex flex-col text-sm">
            Tags (comma-separated)
            <input name="tags" defaultValue={run.tags.join(", ")} className={input} aria-label="edit tags" />
          </label>
          <VisibilityField defaultValue={run.visibility} />
          <PolicyField defaultValue={run.policy} />
          <SeriesStepField series={run.series} step={run.step} />
          <TokenField />
          {error ? (
            <p role="alert" className="text-sm text-red-600">
              {error}
            </p>
          ) : null}
          <button
            disabled={busy}
            className="self-start rounded bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-50"
          >
            {busy ? "Saving…" : "Save changes"}
          </button>
        </form>
      ) : null}
    </section>
  );
}
