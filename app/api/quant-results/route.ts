import { createQuantResult, listQuantResults } from "@/lib/api/contracts/results";
import { apiHandler } from "@/lib/api/handler";
import { requireWriter } from "@/lib/auth/viewer";
import { listQuantResults as list } from "@/lib/db/queries/quant-results";
import { createQuantResults, toQuantResultView } from "@/lib/quant/quant-results";

export const dynamic = "force-dynamic";

export const GET = apiHandler(listQuantResults, async ({ query, database, viewer }) => ({
  quantResults: (await list(database.db, await viewer(), { model: query.model })).map(toQuantResultView),
}));

export const POST = apiHandler(createQuantResult, async ({ body, database, viewer }) => {
  const who = await viewer();
  requireWriter(who);
  const [row] = await createQuantResults(database.db, [body], who);
  return toQuantResultView(row);
});
