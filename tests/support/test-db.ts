import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { openDatabase, type Database } from "@/lib/db/client";

/**
 * A fresh database for one test file: a new database on the Postgres server named by
 * ATLAS_TEST_PG (the test command starts one), or a PGlite folder in a temp dir when
 * `kind` is "pglite".
 */
export async function openTestDatabase(
  kind: "postgres" | "pglite",
): Promise<Database & { drop(): Promise<void>; url?: string }> {
  if (kind === "pglite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "atlas-pglite-"));
    const database = await openDatabase(undefined as unknown as string, path.join(dir, "db"));
    return {
      ...database,
      drop: async () => {
        await database.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const admin = process.env.ATLAS_TEST_PG;
  if (!admin)
    throw new Error(
      "ATLAS_TEST_PG is not set: run the integration tests through `npm test`, which starts a Postgres 15 server",
    );
  const name = `atlas_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const database = await openDatabase(url.toString());
  return {
    ...database,
    url: url.toString(),
    drop: async () => {
      await database.close();
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
