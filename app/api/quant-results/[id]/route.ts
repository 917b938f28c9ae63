import { notFound } from "@/lib/errors";
import { deleteQuantResult, getQuantResult } from "@/lib/api/contracts/results";
import { apiHandler } from "@/lib/api/handler";
import { deleteQuantResultAs } from "@/lib/runs/delete-derived";
import { listQuantResults } from "@/lib/db/queries/quant-results";
import { toQuantResultView } from "@/lib/quant/quant-results";

export const dynamic = "force-dynamic";

export const GET = apiHandler(getQuantResult, async ({ params, database, viewer }) => {
  const [row] = await listQuantResults(database.db, await viewer(), { id: params.id });
  if (!row) throw notFound(`quantization result "${params.id}"`, "path parameter id");
  return toQuantResultView(row);
});

/** Deletes a quantization result: its creator's token, an admin, or who may change a run it derives from (lib/runs/delete-derived.ts). */
export const DELETE = apiHandler(deleteQuantResult, async ({ params, database, viewer }) => ({
  deleted: await deleteQuantResultAs(database.db, params.id, await viewer()),
}));
