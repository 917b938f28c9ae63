import { importPruningRuns } from "@/lib/api/contracts/results";
import { apiHandler } from "@/lib/api/handler";
import { readImportDocument } from "@/lib/api/import-document";
import { requireWriter } from "@/lib/auth/viewer";
import { createPruningRuns, toPruningRunView } from "@/lib/pruning/create-pruning-run";
import { parsePruningImport } from "@/lib/pruning/import-pruning";

export const dynamic = "force-dynamic";

/** A JSON or CSV file of pruning runs: all stored, or none when any is invalid. */
export const POST = apiHandler(importPruningRuns, async ({ req, query, database, viewer }) => {
  const who = await viewer();
  requireWriter(who);
  const { text, format } = await readImportDocument(req, query.format, "pruning");
  const created = await createPruningRuns(
    database.db,
    parsePruningImport(text, format, { model: query.model, source: query.source }),
    who,
  );
  return { created: created.map(toPruningRunView) };
});
