import { apiHandler, readJson } from "@/lib/api/handler";
import { requireWriter } from "@/lib/auth/viewer";
import { listQuantResults } from "@/lib/db/queries/quant-results";
import { createQuantResults, quantResultBodySchema, toQuantResultView } from "@/lib/quant/quant-results";

export const dynamic = "force-dynamic";

export const GET = apiHandler(async (req, { database, viewer }) => {
  const model = new URL(req.url).searchParams.get("model") ?? undefined;
  return { quantResults: (await listQuantResults(database.db, await viewer(), { model })).map(toQuantResultView) };
});

export const POST = apiHandler(async (req, { database, viewer }) => {
  const who = await viewer();
  requireWriter(who);
  const body = quantResultBodySchema.parse(await readJson(req));
  const [row] = await createQuantResults(database.db, [body], who);
  return Response.json(toQuantResultView(row), { status: 201 });
});
