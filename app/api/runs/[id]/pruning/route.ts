import { z } from "zod";
import { TRACE_CRITERIA } from "@/lib/analysis/pruning";
import { apiHandler, readJson } from "@/lib/api/handler";
import { pruneFromRun } from "@/lib/pruning/prune-from-run";
import { requireRun } from "@/lib/runs/require-run";

export const dynamic = "force-dynamic";
export const maxDuration = 3600;

const bodySchema = z.object({
  criterion: z.enum(TRACE_CRITERIA as unknown as [string, ...string[]]),
  mode: z.enum(["min", "max"]).optional(),
  schedule: z.enum(["one-shot", "iterative"]),
  steps: z.number().int().min(1),
});

/** A9 computed from the run's trace: a computation, not a write (save the result with POST /api/pruning-runs). */
export const POST = apiHandler<{ id: string }>(async (req, { params, database, viewer }) => {
  const run = await requireRun(database.db, params.id, await viewer());
  const body = bodySchema.parse(await readJson(req));
  return pruneFromRun(database.db, run, body as Parameters<typeof pruneFromRun>[2]);
});
