import { badRequest } from "@/lib/errors";
import { apiHandler } from "@/lib/api/handler";
import { getExpertView } from "@/lib/runs/get-expert-view";
import { requireRun } from "@/lib/runs/require-run";

export const dynamic = "force-dynamic";

export const GET = apiHandler<{ id: string; expert: string }>(async (req, { params, database, viewer }) => {
  const run = await requireRun(database.db, params.id, await viewer());
  if (!/^\d+$/.test(params.expert)) throw badRequest("invalid_expert", `expert "${params.expert}" is not an expert id (an integer from 0)`, "path parameter expert");
  const topTParam = new URL(req.url).searchParams.get("topT") ?? "3";
  const topT = Number(topTParam);
  if (!Number.isInteger(topT) || topT < 0 || topT > 4096) throw badRequest("invalid_field", `topT must be an integer from 0, got "${topTParam}"`, "query parameter topT");
  return getExpertView(database.db, run, Number(params.expert), topT, await viewer());
});
