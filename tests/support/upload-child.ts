/**
 * Child process for tests/interrupted-upload.test.ts: streams an endless trace into a run, printing
 * "staged" once chunks are in the database, until the parent kills it.
 */
import { openDatabase } from "@/lib/db/client";
import { getRun } from "@/lib/db/queries/runs";
import { ingestUpload } from "@/lib/ingest/ingest-upload";

async function* endless(): AsyncGenerator<Uint8Array> {
  const line = new TextEncoder().encode('{"layer": 0, "experts": [0, 1]}\n'.repeat(20000));
  for (let i = 0; ; i++) {
    yield line;
    if (i === 3) process.stdout.write("staged\n");
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function main() {
  const database = await openDatabase(process.env.DATABASE_URL);
  const run = await getRun(database.db, process.argv[2]);
  if (!run) throw new Error("no run");
  await ingestUpload(database.db, run, endless(), { format: "jsonl", clientKey: "child-upload" });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
