import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { models, quantResults, type ModelRow, type QuantResultRow } from "../schema";

export type QuantResultWithModel = QuantResultRow & { model: ModelRow };

export async function insertQuantResult(db: Db, row: typeof quantResults.$inferInsert) {
  const [out] = await db.insert(quantResults).values(row).returning();
  return out;
}

/** Newest first; `model` is a preset id or model name. */
export async function listQuantResults(db: Db, f: { model?: string; id?: string } = {}): Promise<QuantResultWithModel[]> {
  const where = and(f.model ? sql`(${models.presetId} = ${f.model} or ${models.name} = ${f.model})` : undefined, f.id ? eq(quantResults.id, f.id) : undefined);
  const rows = await db.select().from(quantResults).innerJoin(models, eq(quantResults.modelId, models.id)).where(where).orderBy(desc(quantResults.createdAt), quantResults.id);
  return rows.map((r) => ({ ...r.quant_results, model: r.models }));
}
