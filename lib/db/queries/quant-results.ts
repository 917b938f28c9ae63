import { and, desc, eq, sql } from "drizzle-orm";
import type { Viewer } from "@/lib/auth/viewer";
import type { Db } from "../client";
import { models, quantResults, type ModelRow, type QuantResultRow } from "../schema";
import { deleteUnusedModels } from "./models";
import { derivedVisible } from "./visibility";

export type QuantResultWithModel = QuantResultRow & { model: ModelRow };

export async function insertQuantResult(db: Db, row: typeof quantResults.$inferInsert) {
  const [out] = await db.insert(quantResults).values(row).returning();
  return out;
}

/**
 * Newest first; `model` is a preset id or model name. A result tied to trace runs (the usage run,
 * a full-precision and a quantized trace) is visible only where every one of them is: listed where
 * they would be listed, or, asked for by `id`, where they could be opened.
 */
export async function listQuantResults(
  db: Db,
  viewer: Viewer,
  f: { model?: string; id?: string } = {},
): Promise<QuantResultWithModel[]> {
  const mode = f.id ? "read" : "list";
  const where = and(
    f.model ? sql`(${models.presetId} = ${f.model} or ${models.name} = ${f.model})` : undefined,
    f.id ? eq(quantResults.id, f.id) : undefined,
    derivedVisible(viewer, mode, quantResults.runId),
    derivedVisible(viewer, mode, quantResults.fpRunId),
    derivedVisible(viewer, mode, quantResults.quantRunId),
  );
  const rows = await db
    .select()
    .from(quantResults)
    .innerJoin(models, eq(quantResults.modelId, models.id))
    .where(where)
    .orderBy(desc(quantResults.createdAt), quantResults.id);
  return rows.map((r) => ({ ...r.quant_results, model: r.models }));
}

/** Deletes a quantization result and its model row (each result owns one). */
export async function deleteQuantResult(db: Db, id: string) {
  await db.transaction(async (tx) => {
    const [gone] = await tx
      .delete(quantResults)
      .where(eq(quantResults.id, id))
      .returning({ modelId: quantResults.modelId });
    if (gone) await deleteUnusedModels(tx, [gone.modelId]);
  });
}
