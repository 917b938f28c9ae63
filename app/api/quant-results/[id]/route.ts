import { notFound } from "@/lib/api/api-error";
import { apiHandler } from "@/lib/api/handler";
import { listQuantResults } from "@/lib/db/queries/quant-results";
import { toQuantResultView } from "@/lib/quant/quant-results";

export const dynamic = "force-dynamic";

export const GET = apiHandler<{ id: string }>(async (_req, { params, database, viewer }) => {
  const [row] = await listQuantResults(database.db, await viewer(), { id: params.id });
  if (!row) throw notFound(`quantization result "${params.id}"`, "path parameter id");
  return toQuantResultView(row);
});
