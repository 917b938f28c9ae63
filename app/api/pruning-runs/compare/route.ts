import { apiHandler } from "@/lib/api/handler";
import { comparePruningRuns } from "@/lib/pruning/compare-pruning";

export const dynamic = "force-dynamic";

export const GET = apiHandler(async (req, { database, viewer }) => {
  const ids = (new URL(req.url).searchParams.get("ids") ?? "").split(",").filter(Boolean);
  return comparePruningRuns(database.db, await viewer(), ids);
});
