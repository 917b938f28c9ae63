"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch } from "@/lib/query/api-fetch";
import { TokenField } from "@/components/ui/token-field";
import { useApiToken } from "@/components/ui/use-api-token";
import { PolicyField } from "./policy-field";
import { SeriesStepField, seriesStepOf } from "./series-step-field";
import { VisibilityField } from "./visibility-field";

interface PresetOption {
  id: string;
  name: string;
  layers: number;
  experts: number;
  topK: number;
}

const input = "rounded border border-zinc-300 px-2 py-1 dark:border-zinc-600 dark:bg-zinc-800";

export function NewRunForm({ presets }: { presets: PresetOption[] }) {
  const router = useRouter();
  const { authHeader } = useApiToken();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [custom, setCustom] = useState(false);

  async function submit(form: FormData) {
    setBusy(true);
    setError(null);
    const num = (k: string) => Number(form.get(k));
    const model = custom
      ? {
          name: String(form.get("modelName")),
          layers: num("layers"),
          experts: num("experts"),
          topK: num("topK"),
          renormalize: form.get("renormalize") === "on",
        }
      : { preset: String(form.get("preset")) };
    const tags = String(form.get("tags") ?? "")
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean);
    try {
      const run = await apiFetch<{ id: string }>("/api/runs", {
        method: "POST",
        headers: { "content-type": "application/json", ...authHeader },
        body: JSON.stringify({
          name: form.get("name"),
          description: form.get("description") || undefined,
          tags,
          model,
          policy: form.get("policy"),
          visibility: form.get("visibility"),
          ...seriesStepOf(form),
        }),
      });
      router.push(`/runs/${run.id}`);
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  }

  return (
    <form action={submit} className="flex flex-col gap-3">
      <label className="flex flex-col text-sm">
        Name
        <input name="name" required maxLength={200} className={input} aria-label="run name" />
      </label>
      <label className="flex flex-col text-sm">
        Description
        <textarea name="description" rows={2} className={input} />
      </label>
      <label className="flex flex-col text-sm">
        Tags (comma-separated)
        <input name="tags" className={input} placeholder="vanilla, humaneval" />
      </label>
      <PolicyField />
      <SeriesStepField />
      <VisibilityField />
      <fieldset className="flex flex-col gap-2 rounded border border-zinc-200 p-3 dark:border-zinc-700">
        <legend className="px-1 text-sm font-medium">Model</legend>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={custom} onChange={(e) => setCustom(e.target.checked)} /> custom architecture
        </label>
        {custom ? (
          <div className="grid grid-cols-2 gap-2 text-sm">
            <label className="flex flex-col">
              Model name
              <input name="modelName" required className={input} />
            </label>
            <label className="flex flex-col">
              MoE layers
              <input name="layers" type="number" min={1} required className={input} />
            </label>
            <label className="flex flex-col">
              Routed experts
              <input name="experts" type="number" min={2} required className={input} />
            </label>
            <label className="flex flex-col">
              Top-k
              <input name="topK" type="number" min={1} required className={input} />
            </label>
            <label className="flex items-center gap-2">
              <input name="renormalize" type="checkbox" defaultChecked /> top-k weights renormalized
            </label>
          </div>
        ) : (
          <select name="preset" aria-label="model preset" className={input} defaultValue="mixtral-8x7b">
            {presets.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} — {p.layers} layers, top-{p.topK} of {p.experts}
              </option>
            ))}
          </select>
        )}
      </fieldset>
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
        {busy ? "Creating…" : "Create run"}
      </button>
    </form>
  );
}
