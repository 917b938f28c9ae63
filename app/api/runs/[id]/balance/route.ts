import { runBalance } from "@/lib/api/contracts/runs";
import { apiHandler } from "@/lib/api/handler";
import { getRunBalance } from "@/lib/runs/get-run-balance";
import { requireRun } from "@/lib/runs/require-run";

export const dynamic = "force-dynamic";

export const GET = apiHandler(runBalance, async ({ params, database, viewer }) =>
  getRunBalance(database.db, await requireRun(database.db, params.id, await viewer())),
);
