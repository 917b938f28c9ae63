import { suggestQuantAllocation } from "@/lib/api/contracts/results";
import { apiHandler } from "@/lib/api/handler";
import { suggestAllocation } from "@/lib/quant/quant-results";

export const dynamic = "force-dynamic";

/** A10 allocation suggester: a computation, not a write (save the result with POST /api/quant-results). */
export const POST = apiHandler(suggestQuantAllocation, async ({ body, database, viewer }) =>
  suggestAllocation(database.db, body, await viewer()),
);
