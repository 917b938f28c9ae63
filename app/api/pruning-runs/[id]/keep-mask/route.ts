import { keepMask } from "@/lib/analysis/pruning";
import { ApiError, badRequest, notFound } from "@/lib/errors";
import { apiHandler } from "@/lib/api/handler";
import { getPruningRun } from "@/lib/db/queries/pruning-runs";

export const dynamic = "force-dynamic";

/** The keep-mask after a step (default the last): `keep[layer][expert]`, true = kept. */
export const GET = apiHandler<{ id: string }>(async (req, { params, database, viewer }) => {
  const run = await getPruningRun(database.db, await viewer(), params.id);
  if (!run) throw notFound(`pruning run "${params.id}"`, "path parameter id");
  const stepParam = new URL(req.url).searchParams.get("step");
  const step = stepParam === null ? run.steps.length - 1 : Number(stepParam);
  if (!Number.isInteger(step) || step < 0 || step >= run.steps.length) throw badRequest("invalid_field", `step must be an index in [0, ${run.steps.length})`, "query parameter step");
  const upTo = run.steps.slice(0, step + 1).filter((s) => s.dropped);
  if (!run.steps[step].dropped) throw new ApiError(422, "no_dropped_sets", "this step does not record which experts were dropped (results imported from a table keep only the share), so there is no mask", "query parameter step");
  const dropped = run.steps[step].dropped!.map((_, l) => [...new Set(upTo.flatMap((s) => s.dropped![l]))].sort((a, b) => a - b));
  return { pruningRun: run.id, step, droppedPercent: run.steps[step].droppedPercent, model: run.model.presetId ?? run.model.name, dropped, keep: keepMask(dropped, run.model.experts) };
});
