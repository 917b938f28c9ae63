import { getDatabase, type Database } from "@/lib/db/client";
import { removeSpoolLeftovers } from "@/lib/trace/binary/spool";
import { answerClientErrorsAsJson } from "./header-overflow";
import { backfillRunSummaries, sweepStaleUploads } from "@/lib/db/queries/uploads";

/**
 * A staging upload silent this long on Postgres belongs to a process that died: live uploads beat
 * with every chunk (other web processes may be mid-upload, so a fresh one is left alone).
 */
const STALE_UPLOAD_MS = 10 * 60_000;
const SWEEP_EVERY_MS = 5 * 60_000;

export async function startServer() {
  answerClientErrorsAsJson();
  await removeSpoolLeftovers();
  let database: Database;
  try {
    database = await getDatabase();
  } catch (e) {
    // Answering every request with a 500 would hide the cause (another process holds the embedded
    // database, Postgres refuses us): say it once and stop.
    console.error(`[atlas] cannot open the database: ${(e as Error).message}`);
    process.exit(1);
  }
  // PGlite has one process: every staged upload at start was cut off by a crash or kill.
  const swept = await sweepStaleUploads(database.db, database.kind === "pglite" ? 0 : STALE_UPLOAD_MS);
  if (swept) console.log(`[atlas] removed ${swept} unfinished upload(s) left by an earlier process`);
  console.log(`[atlas] database: ${database.kind}`);
  const summarized = await backfillRunSummaries(database.db);
  if (summarized)
    console.log(`[atlas] computed the runs table's mean balance and entropy of ${summarized} older run(s)`);
  setInterval(() => {
    sweepStaleUploads(database.db, STALE_UPLOAD_MS).catch((e) =>
      console.error("[atlas] sweeping unfinished uploads failed", e),
    );
  }, SWEEP_EVERY_MS).unref();
  if (process.env.ATLAS_DEMO !== "0") {
    const { seedDemoRuns } = await import("@/lib/demo/seed-demo-runs");
    const { seedPaperResults } = await import("@/lib/demo/seed-paper-results");
    // In the background: the server answers at once and demo runs appear as each one commits;
    // the papers' results follow (usage-based quantization settings need the Mixtral run's trace).
    seedDemoRuns(database.db)
      .then((runs) =>
        seedPaperResults(database.db, runs.find((r) => r.model.presetId === "mixtral-8x7b" && r.events > 0) ?? null),
      )
      .catch((e) => console.error("[atlas] demo seeding failed", e));
  }
}
