import { sequenceRoutes } from "@/lib/api/contracts/tokens";
import { apiHandler } from "@/lib/api/handler";
import { requireRun } from "@/lib/runs/require-run";
import { getSequenceRoutes } from "@/lib/runs/token-views";

export const dynamic = "force-dynamic";

export const GET = apiHandler(sequenceRoutes, async ({ params, query, database, viewer }) =>
  getSequenceRoutes(
    database.db,
    await requireRun(database.db, params.id, await viewer()),
    params.seq,
    query.from,
    query.limit,
  ),
);
