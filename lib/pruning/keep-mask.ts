import { keepMask } from "@/lib/analysis/pruning";
import { ApiError, badRequest, notFound } from "@/lib/errors";
import type { Viewer } from "@/lib/auth/viewer";
import type { Db } from "@/lib/db/client";
import { getPruningRun } from "@/lib/db/queries/pruning-runs";

/** GET /api/pruning-runs/{id}/keep-mask: the experts dropped up to a step (default the last) and the mask that keeps the rest. */
export async function keepMaskOf(db: Db, viewer: Viewer, id: string, stepParam?: number) {
  const run = await getPruningRun(db, viewer, id);
  if (!run) throw notFound(`pruning run "${id}"`, "path parameter id");
  const step = stepParam ?? run.steps.length - 1;
  if (step < 0 || step >= run.steps.length)
    throw badRequest("invalid_field", `step must be an index in [0, ${run.steps.length})`, "query parameter step");
  const upTo = run.steps.slice(0, step + 1).filter((s) => s.dropped);
  if (!run.steps[step].dropped)
    throw new ApiError(
      422,
      "no_dropped_sets",
      "this step does not record which experts were dropped (results imported from a table keep only the share), so there is no mask",
      "query parameter step",
    );
  const dropped = run.steps[step].dropped!.map((_, l) =>
    [...new Set(upTo.flatMap((s) => s.dropped![l]))].sort((a, b) => a - b),
  );
  return {
    pruningRun: run.id,
    step,
    droppedPercent: run.steps[step].droppedPercent,
    model: run.model.presetId ?? run.model.name,
    dropped,
    keep: keepMask(dropped, run.model.experts),
  };
}
