import { ApiError } from "@/lib/api/api-error";
import type { CreateRunBody } from "@/lib/api/schemas";
import type { Db } from "@/lib/db/client";
import { createModel } from "@/lib/db/queries/models";
import { createRun, getRun, type RunWithModel } from "@/lib/db/queries/runs";
import { MODEL_PRESETS, findPreset } from "@/lib/models/presets";

/** Creates the model and the run; `ownerTokenId` is the token that asked (null on an open server). */
export async function createRunFromBody(db: Db, body: CreateRunBody, ownerTokenId: string | null = null): Promise<RunWithModel> {
  let model;
  if ("preset" in body.model) {
    const preset = findPreset(body.model.preset);
    if (!preset) {
      throw new ApiError(400, "unknown_preset", `unknown model preset "${body.model.preset}"; one of ${MODEL_PRESETS.map((p) => p.id).join(", ")}`, "model.preset");
    }
    const { id, source: _source, ...config } = preset;
    model = await createModel(db, config, id);
  } else {
    model = await createModel(db, body.model, null);
  }
  const run = await createRun(db, { ...body, modelId: model.id, ownerTokenId });
  return (await getRun(db, run.id))!;
}
