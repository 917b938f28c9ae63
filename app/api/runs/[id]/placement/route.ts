import { computePlacement as placement } from "@/lib/api/contracts/analysis";
import { apiHandler } from "@/lib/api/handler";
import { computePlacement } from "@/lib/runs/compute-placement";
import { requireRun } from "@/lib/runs/require-run";

export const dynamic = "force-dynamic";

/** A computation on stored data, not a write: no token needed. */
export const POST = apiHandler(placement, async ({ params, body, database, viewer }) =>
  computePlacement(
    database.db,
    await requireRun(database.db, params.id, await viewer()),
    body.devices,
    body.strategy,
    body.maxImbalance,
  ),
);
