import { and, eq, ne } from "drizzle-orm";
import { conflict, invalid } from "@/lib/errors";
import type { Db } from "@/lib/db/client";
import { models, runs } from "@/lib/db/schema";

/** What a run's series and step will be once a create or a patch is applied. */
export interface SeriesStep {
  series: string | null;
  step: number | null;
}

/**
 * A run in a series is one checkpoint of one model: it needs a step, no other run of the series
 * may hold that step (the unique index backs this against races), and its model has the series'
 * shape (layers, experts, top-k), or nothing could be drawn against step. Throws a DomainError
 * naming the field.
 */
export async function checkSeriesStep(
  db: Db,
  next: SeriesStep,
  shape: { layers: number; experts: number; topK: number },
  runId?: string,
): Promise<void> {
  if (next.series === null) {
    if (next.step !== null) throw invalid("step_without_series", "a step needs a series to be a step of", "step");
    return;
  }
  if (next.step === null)
    throw invalid("series_without_step", `a run of series "${next.series}" needs a step (an integer >= 0)`, "step");
  const others = await db
    .select({
      id: runs.id,
      name: runs.name,
      step: runs.step,
      layers: models.layers,
      experts: models.experts,
      topK: models.topK,
    })
    .from(runs)
    .innerJoin(models, eq(runs.modelId, models.id))
    .where(and(eq(runs.series, next.series), runId ? ne(runs.id, runId) : undefined));
  const taken = others.find((r) => r.step === next.step);
  if (taken)
    throw conflict(
      "step_taken",
      `step ${next.step} of series "${next.series}" is already run ${taken.id} (${taken.name})`,
      "step",
    );
  const other = others[0];
  if (other && (other.layers !== shape.layers || other.experts !== shape.experts || other.topK !== shape.topK))
    throw invalid(
      "series_model_mismatch",
      `series "${next.series}" holds runs of ${other.layers} layers x ${other.experts} experts (top-${other.topK}); this run's model has ${shape.layers} x ${shape.experts} (top-${shape.topK})`,
      "series",
    );
}
