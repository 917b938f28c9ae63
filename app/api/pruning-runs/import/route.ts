import { badRequest } from "@/lib/errors";
import { apiHandler, assertTextDocument } from "@/lib/api/handler";
import { requireWriter } from "@/lib/auth/viewer";
import { createPruningRuns, toPruningRunView } from "@/lib/pruning/create-pruning-run";
import { parsePruningImport } from "@/lib/pruning/import-pruning";

export const dynamic = "force-dynamic";

const MAX_BYTES = 32 * 1024 * 1024;

/** A JSON or CSV file of pruning runs: all stored, or none when any is invalid. */
export const POST = apiHandler(async (req, { database, viewer }) => {
  const who = await viewer();
  requireWriter(who);
  const q = new URL(req.url).searchParams;
  const text = await req.text();
  if (text.length > MAX_BYTES) throw badRequest("upload_too_large", `pruning imports are limited to ${MAX_BYTES} bytes`, "body");
  assertTextDocument(text);
  const format = q.get("format") ?? (/^\s*[[{]/.test(text) ? "json" : "csv");
  if (format !== "json" && format !== "csv") throw badRequest("unknown_format", `format must be json or csv, got "${format}"`, "query parameter format");
  const bodies = parsePruningImport(text, format, { model: q.get("model") ?? undefined, source: q.get("source") ?? undefined });
  const created = await createPruningRuns(database.db, bodies, who);
  return Response.json({ created: created.map(toPruningRunView) }, { status: 201 });
});
