import type { ModelConfig } from "@/lib/models/model-config";
import { newId } from "@/lib/ids";
import type { Db } from "../client";
import { models, type ModelRow } from "../schema";

export async function createModel(db: Db, config: ModelConfig, presetId: string | null): Promise<ModelRow> {
  const [row] = await db
    .insert(models)
    .values({ id: newId(), presetId, name: config.name, layers: config.layers, experts: config.experts, topK: config.topK, config })
    .returning();
  return row;
}
