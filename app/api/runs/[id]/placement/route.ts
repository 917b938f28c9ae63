import { z } from "zod";
import { apiHandler, readJson } from "@/lib/api/handler";
import { computePlacement, PLACEMENT_STRATEGIES } from "@/lib/runs/compute-placement";
import { requireRun } from "@/lib/runs/require-run";

export const dynamic = "force-dynamic";

const placementBodySchema = z.object({
  devices: z.number().int().min(1).max(4096),
  strategy: z.enum(PLACEMENT_STRATEGIES),
  /** Load-aware: largest device load / mean at most this (optimized only). */
  maxImbalance: z.number().min(1).optional(),
});

/** A computation on stored data, not a write: no token needed. */
export const POST = apiHandler<{ id: string }>(async (req, { params, database, viewer }) => {
  const run = await requireRun(database.db, params.id, await viewer());
  const body = placementBodySchema.parse(await readJson(req));
  return computePlacement(database.db, run, body.devices, body.strategy, body.maxImbalance);
});
