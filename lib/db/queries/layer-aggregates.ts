import { and, asc, eq, getTableColumns } from "drizzle-orm";
import { emptyLayerAggregate, type LayerAggregate } from "@/lib/analysis/layer-aggregate";
import type { Db } from "../client";
import { bytesToF64 } from "../f64";
import { labelLoads, layerAggregates } from "../schema";

/**
 * One layer's sums; an empty aggregate when nothing was uploaded for it yet. Transitions are as
 * large as the co-activation and most views never read them: fetched only when asked.
 */
export async function getLayerAggregate(
  db: Db,
  runId: string,
  layer: number,
  experts: number,
  opts: { transitions?: boolean } = {},
): Promise<LayerAggregate> {
  const { transitions: _t, ...withoutTransitions } = getTableColumns(layerAggregates);
  const [row] = await db
    .select(opts.transitions ? getTableColumns(layerAggregates) : { ...withoutTransitions })
    .from(layerAggregates)
    .where(and(eq(layerAggregates.runId, runId), eq(layerAggregates.layer, layer)));
  return row ? toAggregate({ transitions: null, ...row }, experts) : emptyLayerAggregate(experts);
}

/** Every layer's sums, in layer order; layers with nothing uploaded are empty aggregates. */
export async function getAllLayerAggregates(
  db: Db,
  runId: string,
  layers: number,
  experts: number,
): Promise<LayerAggregate[]> {
  const rows = await db.select().from(layerAggregates).where(eq(layerAggregates.runId, runId));
  const out = Array.from({ length: layers }, () => emptyLayerAggregate(experts));
  for (const r of rows) out[r.layer] = toAggregate(r, experts);
  return out;
}

/** Every layer's load and token count (no co-activation): what the run overview needs. */
export async function getLayerLoads(db: Db, runId: string, layers: number, experts: number) {
  const rows = await db
    .select({ layer: layerAggregates.layer, tokens: layerAggregates.tokens, load: layerAggregates.load })
    .from(layerAggregates)
    .where(eq(layerAggregates.runId, runId))
    .orderBy(asc(layerAggregates.layer));
  const out: { tokens: number; load: Float64Array }[] = Array.from({ length: layers }, () => ({
    tokens: 0,
    load: new Float64Array(experts),
  }));
  for (const r of rows) out[r.layer] = { tokens: r.tokens, load: bytesToF64(r.load) };
  return out;
}

export async function getLabelLoads(db: Db, runId: string) {
  const rows = await db.select().from(labelLoads).where(eq(labelLoads.runId, runId)).orderBy(asc(labelLoads.label));
  return rows.map((r) => ({ label: r.label, tokens: bytesToF64(r.tokens), load: bytesToF64(r.load) }));
}

function toAggregate(row: typeof layerAggregates.$inferSelect, experts: number): LayerAggregate {
  return {
    experts,
    tokens: row.tokens,
    load: bytesToF64(row.load),
    weightSum: bytesToF64(row.weightSum),
    coactivation: bytesToF64(row.coactivation),
    transitions: row.transitions ? bytesToF64(row.transitions) : null,
  };
}
