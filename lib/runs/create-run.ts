import { ApiError } from "@/lib/errors";
import type { CreateRunBody } from "@/lib/api/contracts/runs";
import type { Db } from "@/lib/db/client";
import { createModel } from "@/lib/db/queries/models";
import { createRun, getRun, type RunWithModel } from "@/lib/db/queries/runs";
import { MODEL_PRESETS, findPreset } from "@/lib/models/presets";

/** A model row from `{"preset": id}` or a full config (runs, pruning runs and quant results each own one). */
export async function createModelFromSpec(db: Db, spec: CreateRunBody["model"], where = "model.preset") {
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
    return createModel(db, config, id);
  }
  return createModel(db, spec, null);
}

/** Creates the model and the run; `ownerTokenId` is the token that asked (null on an open server). */
export async function createRunFromBody(
  db: Db,
  body: CreateRunBody,
  ownerTokenId: string | null = null,
): Promise<RunWithModel> {
  const model = await createModelFromSpec(db, body.model);
  const run = await createRun(db, { ...body, modelId: model.id, ownerTokenId });
  return (await getRun(db, run.id))!;
}
