import { badRequest, notFound } from "@/lib/errors";
import { apiHandler } from "@/lib/api/handler";
import { getUploadProgress } from "@/lib/db/queries/uploads";
import { requireRun } from "@/lib/runs/require-run";

export const dynamic = "force-dynamic";

/** Server-side progress of an upload the client tagged with `?key=` on POST .../traces. */
export const GET = apiHandler<{ id: string }>(async (req, { params, database, viewer }) => {
  const key = new URL(req.url).searchParams.get("key");
  if (!key) throw badRequest("missing_field", "key is required: the value passed as key= when uploading", "query parameter key");
  await requireRun(database.db, params.id, await viewer());
  const progress = await getUploadProgress(database.db, params.id, key);
  if (!progress) throw notFound(`upload with key "${key}"`, "query parameter key");
  return progress;
});
