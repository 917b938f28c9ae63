import { expertTokens } from "@/lib/api/contracts/tokens";
import { apiHandler } from "@/lib/api/handler";
import { requireRun } from "@/lib/runs/require-run";
import { getExpertTokens } from "@/lib/runs/token-views";

export const dynamic = "force-dynamic";

export const GET = apiHandler(expertTokens, async ({ params, query, database, viewer }) =>
  getExpertTokens(database.db, await requireRun(database.db, params.id, await viewer()), params.expert, query),
);
