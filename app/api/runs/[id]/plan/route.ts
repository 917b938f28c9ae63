import { computePlan as plan } from "@/lib/api/contracts/plan";
import { apiHandler } from "@/lib/api/handler";
import { computePlan } from "@/lib/runs/compute-plan";
import { requireRun } from "@/lib/runs/require-run";

export const dynamic = "force-dynamic";

/** A computation on stored data, not a write: no token needed. */
export const POST = apiHandler(plan, async ({ params, body, database, viewer }) =>
  computePlan(database.db, await requireRun(database.db, params.id, await viewer()), body),
);
