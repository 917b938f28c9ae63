import { badRequest } from "@/lib/errors";
import { apiHandler, assertTextDocument } from "@/lib/api/handler";
import { requireWriter } from "@/lib/auth/viewer";
import { parseQuantImport } from "@/lib/quant/import-quant";
import { createQuantResults, toQuantResultView } from "@/lib/quant/quant-results";

export const dynamic = "force-dynamic";

/** A JSON or CSV file of quantization results: all stored, or none when any is invalid. */
export const POST = apiHandler(async (req, { database, viewer }) => {
  const who = await viewer();
  requireWriter(who);
  const q = new URL(req.url).searchParams;
  const text = await req.text();
  if (text.length > 32 * 1024 * 1024) throw badRequest("upload_too_large", "quantization imports are limited to 32 MiB", "body");
  assertTextDocument(text);
  const format = q.get("format") ?? (/^\s*[[{]/.test(text) ? "json" : "csv");
  if (format !== "json" && format !== "csv") throw badRequest("unknown_format", `format must be json or csv, got "${format}"`, "query parameter format");
  const created = await createQuantResults(database.db, parseQuantImport(text, format, { model: q.get("model") ?? undefined }), who);
  return Response.json({ created: created.map(toQuantResultView) }, { status: 201 });
});
