import type { Metadata } from "next";
import { NewRunForm } from "@/components/runs/new-run-form";
import { MODEL_PRESETS } from "@/lib/models/presets";

export const metadata: Metadata = { title: "New run" };

export default function NewRunPage() {
  return (
    <div className="flex max-w-2xl flex-col gap-4">
      <h1 className="text-2xl font-semibold">New run</h1>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        A run holds the routing events of one model on one corpus under one routing policy. Pick the model; upload
        traces on the next page.
      </p>
      <NewRunForm
        presets={MODEL_PRESETS.map((p) => ({
          id: p.id,
          name: p.name,
          layers: p.layers,
          experts: p.experts,
          topK: p.topK,
        }))}
      />
    </div>
  );
}
