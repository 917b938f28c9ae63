import { ApiError } from "@/lib/errors";
import type { CreateRunBody } from "@/lib/api/contracts/runs";
import type { Db } from "@/lib/db/client";
import { createModel } from "@/lib/db/queries/models";
import { createRun, getRun, type RunWithModel } from "@/lib/db/queries/runs";
import { MODEL_PRESETS, findPreset } from "@/lib/models/presets";
import { checkSeriesStep } from "./series-step";

/** The config and preset id of `{"preset": id}` or a full config, checked before anything is stored. */
function resolveModelSpec(spec: CreateRunBody["model"], where: string) {
  if ("preset" in spec) {
    const preset = findPreset(spec.preset);
    if (!preset) {
      throw new ApiError(
        400,
        "unknown_preset",
        `unknown model preset "${spec.preset}"; one of ${MODEL_PRESETS.map((p) => p.id).join(", ")}`,
        where,
      );
    }
    const { id, source: _source, ...config } = preset;
    return { config, presetId: id };
  }
  return { config: spec, presetId: null };
}

/** A model row from `{"preset": id}` or a full config (runs, pruning runs and quant results each own one). */
export async function createModelFromSpec(db: Db, spec: CreateRunBody["model"], where = "model.preset") {
  const { config, presetId } = resolveModelSpec(spec, where);
  return createModel(db, config, presetId);
}

/** Creates the model and the run; `ownerTokenId` is the token that asked (null on an open server). */
export async function createRunFromBody(
  db: Db,
  body: CreateRunBody,
  ownerTokenId: string | null = null,
): Promise<RunWithModel> {
  const { config, presetId } = resolveModelSpec(body.model, "model.preset");
  // Checked before the model row exists, so a refused run leaves nothing behind.
  await checkSeriesStep(db, { series: body.series ?? null, step: body.step ?? null }, config);
  // One transaction, so a run refused by the database (a step taken meanwhile) leaves no model row.
  const id = await db.transaction(async (tx) => {
    const model = await createModel(tx, config, presetId);
    return (await createRun(tx, { ...body, modelId: model.id, ownerTokenId })).id;
  });
  return (await getRun(db, id))!;
}
