import { notFound } from "@/lib/errors";
import { uploadProgress } from "@/lib/api/contracts/runs";
import { apiHandler } from "@/lib/api/handler";
import { getUploadProgress } from "@/lib/db/queries/uploads";
import { requireRun } from "@/lib/runs/require-run";

export const dynamic = "force-dynamic";

/** Server-side progress of an upload the client tagged with `?key=` on POST .../traces. */
export const GET = apiHandler(uploadProgress, async ({ params, query, database, viewer }) => {
  await requireRun(database.db, params.id, await viewer());
  const progress = await getUploadProgress(database.db, params.id, query.key);
  if (!progress) throw notFound(`upload with key "${query.key}"`, "query parameter key");
  return progress;
});
