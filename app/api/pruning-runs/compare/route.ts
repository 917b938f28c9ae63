import { comparePruningRuns } from "@/lib/api/contracts/results";
import { apiHandler } from "@/lib/api/handler";
import { comparePruningRuns as compare } from "@/lib/pruning/compare-pruning";

export const dynamic = "force-dynamic";

export const GET = apiHandler(comparePruningRuns, async ({ query, database, viewer }) =>
  compare(database.db, await viewer(), query.ids),
);
