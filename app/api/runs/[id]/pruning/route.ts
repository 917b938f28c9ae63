import { pruneFromRun as prune } from "@/lib/api/contracts/analysis";
import { apiHandler } from "@/lib/api/handler";
import { pruneFromRun } from "@/lib/pruning/prune-from-run";
import { requireRun } from "@/lib/runs/require-run";

export const dynamic = "force-dynamic";
export const maxDuration = 3600;

/** A9 computed from the run's trace: a computation, not a write (save the result with POST /api/pruning-runs). */
export const POST = apiHandler(prune, async ({ params, body, database, viewer }) =>
  pruneFromRun(database.db, await requireRun(database.db, params.id, await viewer()), body),
);
