import { and, inArray, sql } from "drizzle-orm";
import type { ModelConfig } from "@/lib/models/model-config";
import { newId } from "@/lib/ids";
import type { Db } from "../client";
import { models, type ModelRow } from "../schema";

export async function createModel(db: Db, config: ModelConfig, presetId: string | null): Promise<ModelRow> {
  const [row] = await db
    .insert(models)
    .values({
      id: newId(),
      presetId,
      name: config.name,
      layers: config.layers,
      experts: config.experts,
      topK: config.topK,
      config,
    })
    .returning();
  return row;
}

/**
 * Removes these model rows where no run, pruning run or quantization result uses them any more:
 * each record owns its model row, so deleting the record must not leave it behind.
 */
export async function deleteUnusedModels(db: Pick<Db, "delete">, ids: string[]) {
  if (!ids.length) return;
  await db.delete(models).where(
    and(
      inArray(models.id, [...new Set(ids)]),
      // Spelled out: drizzle may leave columns unqualified in a DELETE, and a bare "id" would bind to the subquery's table.
      sql`not exists (select 1 from "runs" "r" where "r"."model_id" = "models"."id")`,
      sql`not exists (select 1 from "pruning_runs" "p" where "p"."model_id" = "models"."id")`,
      sql`not exists (select 1 from "quant_results" "q" where "q"."model_id" = "models"."id")`,
    ),
  );
}
