import { sequenceList } from "@/lib/api/contracts/tokens";
import { apiHandler } from "@/lib/api/handler";
import { requireRun } from "@/lib/runs/require-run";
import { getSequences } from "@/lib/runs/token-views";

export const dynamic = "force-dynamic";

export const GET = apiHandler(sequenceList, async ({ params, query, database, viewer }) =>
  getSequences(database.db, await requireRun(database.db, params.id, await viewer()), query.limit),
);
