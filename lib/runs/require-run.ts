import { notFound } from "@/lib/api/api-error";
import type { Db } from "@/lib/db/client";
import { getRun, type RunWithModel } from "@/lib/db/queries/runs";

export async function requireRun(db: Db, id: string): Promise<RunWithModel> {
  const run = await getRun(db, id);
  if (!run) throw notFound(`run "${id}"`, "path parameter id");
  return run;
}
