import type { Metadata } from "next";
import { PruningWorkspace } from "@/components/pruning/pruning-workspace";

export const metadata: Metadata = { title: "Expert pruning" };
export const dynamic = "force-dynamic";

/** V8: expert-pruning runs (MC-Suite style). */
export default function PruningPage() {
  return (
    <div className="flex flex-col gap-4">
      <div>
        <h1 className="text-2xl font-semibold">Expert pruning</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Expert-dropping runs: criterion, schedule (one-shot, iterative, lottery = iterative with task-agnostic
          fine-tuning) and what each step did to the model. The demo holds the Mixtral-8x7B tables of MC-Suite (Finding
          Fantastic Experts in MoEs, arXiv 2504.05586).
        </p>
      </div>
      <PruningWorkspace />
    </div>
  );
}
