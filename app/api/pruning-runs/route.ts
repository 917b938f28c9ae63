import { z } from "zod";
import { apiHandler, readJson } from "@/lib/api/handler";
import { requireWriter } from "@/lib/auth/viewer";
import { listPruningRuns } from "@/lib/db/queries/pruning-runs";
import { createPruningRuns, toPruningRunView } from "@/lib/pruning/create-pruning-run";
import { pruningRunBodySchema } from "@/lib/pruning/pruning-schemas";

export const dynamic = "force-dynamic";

const listQuerySchema = z.object({ model: z.string().max(200).optional(), criterion: z.string().max(64).optional(), schedule: z.string().max(32).optional() });

export const GET = apiHandler(async (req, { database, viewer }) => {
  const q = listQuerySchema.parse(Object.fromEntries(new URL(req.url).searchParams));
  return { pruningRuns: (await listPruningRuns(database.db, await viewer(), q)).map(toPruningRunView) };
});

export const POST = apiHandler(async (req, { database, viewer }) => {
  const who = await viewer();
  requireWriter(who);
  const body = pruningRunBodySchema.parse(await readJson(req));
  const [run] = await createPruningRuns(database.db, [body], who);
  return Response.json(toPruningRunView(run), { status: 201 });
});
