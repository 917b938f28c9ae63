import { spawn } from "node:child_process";
import path from "node:path";
import pg from "pg";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventChunks, uploads } from "@/lib/db/schema";
import { getRun } from "@/lib/db/queries/runs";
import { getUploadProgress, sweepStaleUploads } from "@/lib/db/queries/uploads";
import { ingestUpload } from "@/lib/ingest/ingest-upload";
import { createRunFromBody } from "@/lib/runs/create-run";
import { postgresPoolOf } from "@/lib/db/client";
import { snapshotRun } from "./support/snapshot-run";
import { openTestDatabase } from "./support/test-db";

type TestDb = Awaited<ReturnType<typeof openTestDatabase>>;

describe("uploads that stop halfway leave nothing behind", () => {
  let t: TestDb;
  let url: string;
  beforeAll(async () => {
    t = await openTestDatabase("postgres");
    url = t.url!;
  });
  afterAll(async () => {
    await t?.drop();
  });

  const counted = async (runId: string) => {
    const [row] = await t.db
      .select({ n: sql<number>`count(*)::int` })
      .from(eventChunks)
      .where(eq(eventChunks.runId, runId));
    return row.n;
  };

  it("a client that disconnects midway", async () => {
    const run = await createRunFromBody(t.db, { name: "disconnect", model: { preset: "mixtral-8x7b" } });
    await ingestUpload(
      t.db,
      run,
      (async function* () {
        yield new TextEncoder().encode('{"layer": 1, "experts": [2, 3]}\n');
      })(),
      {},
    );
    const before = await snapshotRun(t.db, run.id);
    async function* cutOff() {
      for (let i = 0; i < 5; i++) yield new TextEncoder().encode('{"layer": 0, "experts": [0, 1]}\n'.repeat(10000));
      throw new Error("socket hang up");
    }
    await expect(ingestUpload(t.db, (await getRun(t.db, run.id))!, cutOff(), { format: "jsonl" })).rejects.toThrow(
      "socket hang up",
    );
    expect(await snapshotRun(t.db, run.id)).toBe(before);
  });

  it("a server process killed mid-upload: nothing counts, and the sweep removes the staged rows", async () => {
    const run = await createRunFromBody(t.db, { name: "killed", model: { preset: "mixtral-8x7b" } });
    const before = await snapshotRun(t.db, run.id);
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(__dirname, "support/upload-child.ts"), run.id],
      {
        env: { ...process.env, DATABASE_URL: url },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d) => String(d).includes("staged") && resolve());
      child.on("exit", (code) => reject(new Error(`child exited ${code} before staging: ${stderr}`)));
    });
    // Wait until chunks are really in the database, then kill without any chance to clean up.
    for (let i = 0; i < 100 && (await counted(run.id)) === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await counted(run.id)).toBeGreaterThan(0);
    const progress = await getUploadProgress(t.db, run.id, "child-upload");
    expect(progress).toMatchObject({ status: "staging" });
    expect(progress!.bytes).toBeGreaterThan(0);
    expect(progress!.events).toBeGreaterThan(0);
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));

    const after = JSON.parse(await snapshotRun(t.db, run.id));
    const b = JSON.parse(before);
    expect(after.run.events).toBe(0);
    expect(after.layers).toEqual(b.layers);
    expect(after.uploads.every((u: { status: string }) => u.status === "staging")).toBe(true);

    // A live upload elsewhere is left alone; a silent one is swept.
    expect(await sweepStaleUploads(t.db, 60_000)).toBe(0);
    await t.db
      .update(uploads)
      .set({ heartbeatAt: new Date(Date.now() - 3_600_000) })
      .where(and(eq(uploads.runId, run.id), eq(uploads.status, "staging")));
    expect(await sweepStaleUploads(t.db, 60_000)).toBe(1);
    expect(await snapshotRun(t.db, run.id)).toBe(before);
  });

  it("a database connection that fails mid-upload: the staged rows go when the failure is seen, not at the next sweep", async () => {
    const run = await createRunFromBody(t.db, { name: "connection lost", model: { preset: "mixtral-8x7b" } });
    const before = await snapshotRun(t.db, run.id);
    const line = new TextEncoder().encode('{"layer": 0, "experts": [0, 1]}\n'.repeat(20000));
    async function* endless() {
      for (;;) {
        yield line;
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    const upload = ingestUpload(t.db, run, endless(), { format: "jsonl" });
    // Drizzle wraps a failed query ("Failed query: ..."): the connection's own error is its cause.
    const outcome = upload.then(
      () => "committed",
      (e: Error) => `${e.message} ${(e.cause as Error | undefined)?.message ?? ""}`,
    );
    for (let i = 0; i < 200 && (await counted(run.id)) === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(await counted(run.id)).toBeGreaterThan(0);
    // Every connection of the app to its database dies (a Postgres restart, a failover, a proxy cut).
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const dbName = new URL(url).pathname.slice(1);
    let result: string | undefined;
    for (let i = 0; i < 100 && result === undefined; i++) {
      await admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
        [dbName],
      );
      result = await Promise.race([outcome, new Promise<undefined>((r) => setTimeout(() => r(undefined), 50))]);
    }
    await admin.end();
    expect(result).toMatch(/terminat|connection|Connection/);
    // Right away: no staged upload, no chunk; the run as before.
    expect(await counted(run.id)).toBe(0);
    expect(await t.db.select().from(uploads).where(eq(uploads.runId, run.id))).toEqual([]);
    expect(await snapshotRun(t.db, run.id)).toBe(before);
  });

  it("a connection that dies while checked out of the pool (a transaction, a COPY) fails its query, not the process", async () => {
    const pool = postgresPoolOf(t.db)!;
    const client = await pool.connect();
    const pid = (await client.query<{ pid: number }>("select pg_backend_pid() as pid")).rows[0].pid;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query("select pg_terminate_backend($1)", [pid]);
    await admin.end();
    // Without a listener on the checked-out client, node-postgres' "error" event is thrown as an
    // uncaught exception here, which Vitest reports (and which would end a server).
    await expect(client.query("select 1")).rejects.toThrow();
    client.release(true);
    expect(await t.db.execute(sql`select 1 as one`)).toBeTruthy();
  });
});
