import { getKeepMask } from "@/lib/api/contracts/results";
import { apiHandler } from "@/lib/api/handler";
import { keepMaskOf } from "@/lib/pruning/keep-mask";

export const dynamic = "force-dynamic";

/** The keep-mask after a step (default the last): `keep[layer][expert]`, true = kept. */
export const GET = apiHandler(getKeepMask, async ({ params, query, database, viewer }) =>
  keepMaskOf(database.db, await viewer(), params.id, query.step),
);
