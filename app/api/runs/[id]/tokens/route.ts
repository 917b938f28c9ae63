import { tokenSearch } from "@/lib/api/contracts/tokens";
import { apiHandler } from "@/lib/api/handler";
import { requireRun } from "@/lib/runs/require-run";
import { searchTokens } from "@/lib/runs/token-views";

export const dynamic = "force-dynamic";

export const GET = apiHandler(tokenSearch, async ({ params, query, database, viewer }) =>
  searchTokens(database.db, await requireRun(database.db, params.id, await viewer()), query.q),
);
