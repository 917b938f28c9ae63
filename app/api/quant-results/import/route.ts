import { importQuantResults } from "@/lib/api/contracts/results";
import { apiHandler } from "@/lib/api/handler";
import { readImportDocument } from "@/lib/api/import-document";
import { requireWriter } from "@/lib/auth/viewer";
import { parseQuantImport } from "@/lib/quant/import-quant";
import { createQuantResults, toQuantResultView } from "@/lib/quant/quant-results";

export const dynamic = "force-dynamic";

/** A JSON or CSV file of quantization results: all stored, or none when any is invalid. */
export const POST = apiHandler(importQuantResults, async ({ req, query, database, viewer }) => {
  const who = await viewer();
  requireWriter(who);
  const { text, format } = await readImportDocument(req, query.format, "quantization");
  const created = await createQuantResults(database.db, parseQuantImport(text, format, { model: query.model }), who);
  return { created: created.map(toQuantResultView) };
});
