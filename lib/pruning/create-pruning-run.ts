import { invalid } from "@/lib/errors";
import type { Viewer } from "@/lib/auth/viewer";
import type { Db } from "@/lib/db/client";
import { insertPruningRun, type PruningRunWithModel } from "@/lib/db/queries/pruning-runs";
import { newId } from "@/lib/ids";
import { createModelFromSpec } from "@/lib/runs/create-run";
import { requireRun } from "@/lib/runs/require-run";
import { criterionLabel, splitCriterion, type PruningRunBody } from "./pruning-schemas";

/**
 * Stores pruning runs, all or none (one transaction): each checked against its model's shape
 * (dropped lists per layer, ids in range, experts dropped per layer at most E).
 */
export async function createPruningRuns(
  db: Db,
  bodies: PruningRunBody[],
  viewer: Viewer,
  where = (i: number) => (bodies.length > 1 ? `pruningRuns[${i}]` : "body"),
) {
  return db.transaction(async (tx) => {
    const out: PruningRunWithModel[] = [];
    for (const [i, body] of bodies.entries()) {
      const model = await createModelFromSpec(tx, body.model, `${where(i)}.model`);
      const { layers, experts } = model.config;
      body.steps.forEach((s, k) => {
        const at = `${where(i)}.steps[${k}]`;
        if (s.expertsDroppedPerLayer !== null && s.expertsDroppedPerLayer > experts)
          throw invalid(
            "invalid_field",
            `${s.expertsDroppedPerLayer} experts dropped per layer, but the model has ${experts}`,
            `${at}.expertsDroppedPerLayer`,
          );
        if (!s.dropped) return;
        if (s.dropped.length !== layers)
          throw invalid(
            "shape_mismatch",
            `dropped lists ${s.dropped.length} layers; the model has ${layers} MoE layers`,
            `${at}.dropped`,
          );
        s.dropped.forEach((ids, l) => {
          const bad = ids.find((e) => e >= experts);
          if (bad !== undefined)
            throw invalid("expert_out_of_range", `expert ${bad} is outside [0, ${experts})`, `${at}.dropped[${l}]`);
          if (new Set(ids).size !== ids.length)
            throw invalid("duplicate_expert", "an expert is listed twice", `${at}.dropped[${l}]`);
        });
      });
      if (body.runId) await requireRun(tx, body.runId, viewer, `${where(i)}.runId`);
      const { criterion, direction } = splitCriterion(body.criterion, body.direction);
      const row = await insertPruningRun(tx, {
        id: newId(),
        name: body.name ?? `${criterionLabel({ criterion, direction })} ${body.schedule}`,
        modelId: model.id,
        runId: body.runId ?? null,
        criterion,
        direction,
        schedule: body.schedule,
        dense: body.dense,
        steps: [...body.steps].sort((a, b) => a.droppedPercent - b.droppedPercent),
        source: body.source,
        tags: body.tags,
        ownerTokenId: viewer.tokenId,
      });
      out.push({ ...row, model });
    }
    return out;
  });
}

/** The public JSON shape of a pruning run. */
export function toPruningRunView(r: PruningRunWithModel) {
  return {
    id: r.id,
    name: r.name,
    model: {
      id: r.model.id,
      preset: r.model.presetId,
      name: r.model.name,
      layers: r.model.layers,
      experts: r.model.experts,
    },
    runId: r.runId,
    criterion: r.criterion,
    direction: r.direction,
    label: criterionLabel(r),
    schedule: r.schedule,
    dense: r.dense,
    steps: r.steps,
    source: r.source,
    tags: r.tags,
    createdAt: r.createdAt.toISOString(),
  };
}
