import { deleteVocabulary, getVocabulary, putVocabulary } from "@/lib/api/contracts/tokens";
import { apiHandler } from "@/lib/api/handler";
import { readImportDocument } from "@/lib/api/import-document";
import { requireRun, requireWritableRun } from "@/lib/runs/require-run";
import { readVocabulary, removeVocabulary, setVocabulary } from "@/lib/runs/token-views";

export const dynamic = "force-dynamic";

export const GET = apiHandler(getVocabulary, async ({ params, database, viewer }) =>
  readVocabulary(database.db, await requireRun(database.db, params.id, await viewer())),
);

/** A tokenizer.json or a JSON list of tokens (32 MiB at most): the run's owner or an admin. */
export const PUT = apiHandler(putVocabulary, async ({ req, params, database, viewer }) => {
  const run = await requireWritableRun(database.db, params.id, await viewer());
  const { text } = await readImportDocument(req, "json", "vocabulary");
  return setVocabulary(database.db, run, text);
});

export const DELETE = apiHandler(deleteVocabulary, async ({ params, database, viewer }) =>
  removeVocabulary(database.db, await requireWritableRun(database.db, params.id, await viewer())),
);
