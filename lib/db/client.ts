import fs from "node:fs";
import path from "node:path";
import { isProcessAlive } from "@/lib/process/is-process-alive";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import * as schema from "./schema";

/** The database both drivers present: Drizzle over node-postgres or over PGlite. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/**
 * A transaction of a Db. PgTransaction extends PgDatabase, so a Tx is passed wherever a Db is taken
 * (reads and writes compose inside one transaction with no cast); functions that need the
 * transaction itself (row locks that must outlive one statement) take a Tx.
 */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbKind = "postgres" | "pglite";

export interface Database {
  db: Db;
  kind: DbKind;
  close(): Promise<void>;
}

const MIGRATIONS = path.join(/*turbopackIgnore: true*/ process.cwd(), "lib/db/migrations");
// Any fixed number: every MoE Atlas process that migrates takes the same advisory lock.
const MIGRATION_LOCK = 7_727_001;

/** Where the embedded database lives when DATABASE_URL is unset. */
export function pgliteDataDir(): string {
  return path.resolve(/*turbopackIgnore: true*/ process.env.ATLAS_DATA_DIR ?? ".data/pglite");
}

/**
 * Opens the database and applies pending migrations: Postgres when DATABASE_URL is set, otherwise
 * PGlite in ATLAS_DATA_DIR. Postgres migrations run under an advisory lock, so processes that
 * start together apply them once; PGlite allows one process per folder, enforced by a lock file.
 */
export async function openDatabase(url = process.env.DATABASE_URL, dataDir = pgliteDataDir()): Promise<Database> {
  return url ? openPostgres(url) : openPglite(dataDir);
}

async function openPostgres(url: string): Promise<Database> {
  const { Pool } = await import("pg");
  const { drizzle } = await import("drizzle-orm/node-postgres");
  const { migrate } = await import("drizzle-orm/node-postgres/migrator");
  const pool = new Pool({ connectionString: url, max: Number(process.env.ATLAS_DB_POOL ?? 10) });
  pool.on("error", (err) => console.error("[db] idle client error", err));
  // A client checked out of the pool (a transaction, a COPY) has no error listener of its own, and
  // node-postgres emits "error" on it when its connection dies: unheard, that is an uncaught
  // exception that ends the process. The query in flight still fails with the error; this only logs.
  pool.on("connect", (client) => client.on("error", (err) => console.error("[db] connection lost:", err.message)));
  const client = await pool.connect();
  try {
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await migrate(drizzle({ client, schema }), { migrationsFolder: MIGRATIONS });
  } finally {
    await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
  // The driver's own query-result type (NodePgQueryResultHKT) to the shared Db both drivers present.
  // eslint-disable-next-line no-restricted-syntax
  const db = drizzle({ client: pool, schema }) as unknown as Db;
  pools.set(db, pool);
  return { db, kind: "postgres", close: () => pool.end() };
}

async function openPglite(dataDir: string): Promise<Database> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  const inMemory = dataDir.startsWith("memory://");
  const release = inMemory ? () => undefined : lockDataDir(dataDir);
  try {
    const client = inMemory ? new PGlite() : new PGlite(dataDir);
    await client.waitReady;
    const db = drizzle({ client, schema });
    await migrate(db, { migrationsFolder: MIGRATIONS });
    return {
      // eslint-disable-next-line no-restricted-syntax -- PGlite's query-result type to the shared Db
      db: db as unknown as Db,
      kind: "pglite",
      close: async () => {
        await client.close();
        release();
      },
    };
  } catch (e) {
    release();
    throw e;
  }
}

/** PGlite is single-process: a second process on the same folder would corrupt it. */
function lockDataDir(dataDir: string): () => void {
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  const lockFile = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: "wx" });
      const release = () => fs.rmSync(lockFile, { force: true });
      process.once("exit", release);
      return release;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const pid = Number(fs.readFileSync(lockFile, "utf8"));
      if (pid && pid !== process.pid && isProcessAlive(pid)) {
        throw new Error(
          `the embedded database ${dataDir} is open in process ${pid} (the dashboard?); stop it first, or set DATABASE_URL to use a Postgres server`,
        );
      }
      fs.rmSync(lockFile, { force: true }); // left behind by a process that died
    }
  }
  throw new Error(`could not lock ${lockFile}`);
}

/** The node-postgres pool behind a Drizzle instance, for COPY; undefined on PGlite. */
const pools = new WeakMap<object, import("pg").Pool>();
export function postgresPoolOf(db: Db): import("pg").Pool | undefined {
  return pools.get(db);
}

const globalForDb = globalThis as unknown as { __atlasDb?: Promise<Database> };

/** The process-wide database, opened (and migrated) on first use. */
export function getDatabase(): Promise<Database> {
  if (!globalForDb.__atlasDb) {
    globalForDb.__atlasDb = openDatabase().catch((e) => {
      globalForDb.__atlasDb = undefined;
      throw e;
    });
  }
  return globalForDb.__atlasDb;
}

export async function getDb(): Promise<Db> {
  return (await getDatabase()).db;
}
