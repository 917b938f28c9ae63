import { apiHandler, readJson } from "@/lib/api/handler";
import { suggestAllocation, suggestBodySchema } from "@/lib/quant/quant-results";

export const dynamic = "force-dynamic";

/** A10 allocation suggester: a computation, not a write (save the result with POST /api/quant-results). */
export const POST = apiHandler(async (req, { database, viewer }) => suggestAllocation(database.db, suggestBodySchema.parse(await readJson(req)), await viewer()));
