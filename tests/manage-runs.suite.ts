import fs from "node:fs";
import path from "node:path";
import { asc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorResponse } from "@/lib/api/handler";
import { DomainError } from "@/lib/errors";
import { bytesToF64 } from "@/lib/db/f64";
import { createModel } from "@/lib/db/queries/models";
import { insertPruningRun } from "@/lib/db/queries/pruning-runs";
import { insertQuantResult } from "@/lib/db/queries/quant-results";
import { deleteRun, getRun, listCommittedUploads, type RunWithModel } from "@/lib/db/queries/runs";
import { createShare } from "@/lib/db/queries/shares";
import { deleteUpload } from "@/lib/db/queries/uploads";
import { eventChunks, labelLoads, layerAggregates, runs, uploadLayerSums, uploads } from "@/lib/db/schema";
import { ingestUpload } from "@/lib/ingest/ingest-upload";
import { createRunFromBody } from "@/lib/runs/create-run";
import { chunked } from "./support/snapshot-run";
import { sharedFile } from "./support/shared-data";
import { openTestDatabase } from "./support/test-db";

type TestDb = Awaited<ReturnType<typeof openTestDatabase>>;

/** An aggregate shard for Mixtral's first layers with gate-weight sums that are not exact in binary (0.1, 0.7...). */
function shard(name: string, seed: number) {
  const E = 8;
  const layers = [0, 1, 5].map((layer) => {
    const load = Array.from({ length: E }, (_, e) => 10 + ((e * 7 + seed + layer) % 13));
    const co = Array.from({ length: E }, (_, i) =>
      Array.from({ length: E }, (_, j) =>
        i === j ? 0 : ((Math.min(load[i], load[j]) * ((i + j + seed) % 3)) / 4) | 0,
      ),
    );
    return {
      layer,
      tokens: 200,
      load,
      weightSum: load.map((v, e) => v * (0.1 + 0.07 * ((e + seed) % 5)) + 1 / 3),
      coactivation: co,
      labels: {
        humaneval: load.map((v) => Math.floor(v / 2)),
        [`shard-${seed}`]: load.map((v) => v - Math.floor(v / 2)),
      },
    };
  });
  return JSON.stringify({ format: "moe-atlas.aggregate.v1", shard: name, layers });
}

/** Everything a run's analyses read, as bytes, to compare two runs bit for bit. */
async function aggregatesOf(db: TestDb["db"], runId: string) {
  const hex = (b: Uint8Array | null) => (b ? Buffer.from(b).toString("hex") : null);
  const layers = await db
    .select()
    .from(layerAggregates)
    .where(eq(layerAggregates.runId, runId))
    .orderBy(asc(layerAggregates.layer));
  const labels = await db.select().from(labelLoads).where(eq(labelLoads.runId, runId)).orderBy(asc(labelLoads.label));
  const [run] = await db.select().from(runs).where(eq(runs.id, runId));
  return {
    run: { events: run.events, tokens: run.tokens, labels: run.labels },
    layers: layers.map((l) => ({
      layer: l.layer,
      tokens: l.tokens,
      load: hex(l.load),
      weightSum: hex(l.weightSum),
      coactivation: hex(l.coactivation),
      transitions: hex(l.transitions),
    })),
    labels: labels.map((l) => ({ label: l.label, tokens: hex(l.tokens), load: hex(l.load) })),
  };
}

/** Rows in every table of the database (public schema), read from the catalogue so a table added later is counted too. */
async function rowCounts(db: TestDb["db"]) {
  const tables = (await db.execute(
    sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
  )) as unknown as { rows: { table_name: string }[] };
  const out: Record<string, number> = {};
  for (const { table_name } of tables.rows) {
    const r = (await db.execute(sql.raw(`select count(*)::int as n from "${table_name}"`))) as unknown as {
      rows: { n: number }[];
    };
    out[table_name] = r.rows[0].n;
  }
  return out;
}

/** References that point nowhere: rows no FK can catch (model rows nobody owns, arrays of run ids, event chunks' run ids). */
async function danglingReferences(db: TestDb["db"]) {
  const q = async (text: string) =>
    ((await db.execute(sql.raw(text))) as unknown as { rows: { n: number }[] }).rows[0].n;
  return {
    models: await q(
      `select count(*)::int as n from models m where not exists (select 1 from runs r where r.model_id = m.id) and not exists (select 1 from pruning_runs p where p.model_id = m.id) and not exists (select 1 from quant_results q where q.model_id = m.id)`,
    ),
    chunks: await q(
      `select count(*)::int as n from event_chunks c where not exists (select 1 from runs r where r.id = c.run_id)`,
    ),
    shares: await q(
      `select count(*)::int as n from shares s where exists (select 1 from unnest(s.run_ids) x where not exists (select 1 from runs r where r.id = x))`,
    ),
  };
}

export function defineManageSuite(kind: "postgres" | "pglite") {
  describe(`managing runs on ${kind}`, () => {
    let t: TestDb;
    const humaneval = fs.readFileSync(sharedFile("real/mixtral-humaneval-routing.jsonl"));
    const gsm8k = fs.readFileSync(sharedFile("real/mixtral-gsm8k-routing.jsonl"));

    beforeAll(async () => {
      t = await openTestDatabase(kind);
    });
    afterAll(async () => {
      await t?.drop();
    });

    const newRun = (name = `run ${kind}`) => createRunFromBody(t.db, { name, model: { preset: "mixtral-8x7b" } });
    const upload = (run: RunWithModel, bytes: Uint8Array | string, fileName: string) =>
      ingestUpload(t.db, run, chunked(typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes), {
        fileName,
      });

    it("takes an upload out exactly: the aggregates are bit for bit those of a run that never had it", async () => {
      const a = await newRun("with gsm8k");
      await upload(a, humaneval, "humaneval.jsonl");
      await upload(a, shard("node0", 1), "node0.json");
      const g = await upload(a, gsm8k, "gsm8k.jsonl");
      await upload(a, shard("node1", 2), "node1.json");
      const before = await aggregatesOf(t.db, a.id);
      const gSums = await t.db
        .select()
        .from(uploadLayerSums)
        .where(eq(uploadLayerSums.uploadId, g.uploadId))
        .orderBy(asc(uploadLayerSums.layer));

      const b = await newRun("never had gsm8k");
      await upload(b, humaneval, "humaneval.jsonl");
      await upload(b, shard("node0", 1), "node0.json");
      await upload(b, shard("node1", 2), "node1.json");

      const deleted = await deleteUpload(t.db, a.id, g.uploadId);
      expect(deleted).toMatchObject({ id: g.uploadId, fileName: "gsm8k.jsonl", events: 7889 });
      const after = await aggregatesOf(t.db, a.id);
      expect(after).toEqual(await aggregatesOf(t.db, b.id));
      expect(after.run.events).toBe(6777 + 0 + 0);
      expect(after.run.labels).toEqual(["humaneval", "shard-1", "shard-2"]);

      // Subtracting would not have done it: the float gate-weight sums do not come back exactly.
      const naiveDiffers = gSums.some((s) => {
        const total = bytesToF64(Buffer.from(before.layers.find((l) => l.layer === s.layer)!.weightSum!, "hex"));
        const want = bytesToF64(Buffer.from(after.layers.find((l) => l.layer === s.layer)!.weightSum!, "hex"));
        const sub = bytesToF64(s.weightSum);
        return total.some((v, i) => v - sub[i] !== want[i]);
      });
      expect(naiveDiffers).toBe(true);

      // Its chunks and sums are gone, and the same file counts again.
      expect(
        (
          await t.db
            .select({ n: sql<number>`count(*)::int` })
            .from(eventChunks)
            .where(eq(eventChunks.uploadId, g.uploadId))
        )[0].n,
      ).toBe(0);
      expect(await t.db.select().from(uploadLayerSums).where(eq(uploadLayerSums.uploadId, g.uploadId))).toEqual([]);
      const again = await upload((await getRun(t.db, a.id))!, gsm8k, "gsm8k.jsonl");
      expect(again.events).toBe(7889);
      expect((await getRun(t.db, a.id))!.events).toBe(6777 + 7889);

      // A shard's key is freed the same way, and its sums (labels included) go.
      const node1 = (await listCommittedUploads(t.db, a.id)).find((u) => u.fileName === "node1.json")!;
      await deleteUpload(t.db, a.id, node1.id);
      expect((await getRun(t.db, a.id))!.labels).toEqual(["gsm8k", "humaneval", "shard-1"]);
      await upload((await getRun(t.db, a.id))!, shard("node1", 2), "node1.json");

      // Deleting everything leaves an empty run, as new.
      for (const u of await listCommittedUploads(t.db, a.id)) await deleteUpload(t.db, a.id, u.id);
      const empty = await newRun("empty");
      expect(await aggregatesOf(t.db, a.id)).toEqual(await aggregatesOf(t.db, empty.id));
    });

    it("refuses what it cannot do exactly or at all, changing nothing", async () => {
      const a = await newRun("legacy");
      const one = await upload(a, humaneval, "humaneval.jsonl");
      const two = await upload(a, shard("node0", 1), "node0.json");
      // As an upload committed before migration 0006 looks: no sums of its own.
      await t.db.update(uploads).set({ hasSums: false }).where(eq(uploads.id, one.uploadId));
      const before = await aggregatesOf(t.db, a.id);
      const err = await deleteUpload(t.db, a.id, two.uploadId).catch((e) => e);
      expect(err).toBeInstanceOf(DomainError);
      expect(err).toMatchObject({ kind: "conflict", code: "upload_sums_missing" });
      expect(errorResponse(err).status).toBe(409);
      expect(await aggregatesOf(t.db, a.id)).toEqual(before);
      // ... but deleting that upload itself is exact: the rest has its sums.
      await deleteUpload(t.db, a.id, one.uploadId);
      const b = await newRun("shard only");
      await upload(b, shard("node0", 1), "node0.json");
      expect(await aggregatesOf(t.db, a.id)).toEqual(await aggregatesOf(t.db, b.id));

      expect(await deleteUpload(t.db, a.id, "nope").catch((e) => e)).toMatchObject({
        kind: "not_found",
        code: "not_found",
      });
      expect(await deleteUpload(t.db, b.id, two.uploadId).catch((e) => e)).toMatchObject({ kind: "not_found" });
      expect(await deleteRun(t.db, "nope").catch((e) => e)).toMatchObject({ kind: "not_found" });
    });

    it("serializes a delete with concurrent uploads under the run lock: the result is the remaining uploads in commit order", async () => {
      const a = await newRun("concurrent");
      const first = await upload(a, shard("node0", 1), "node0.json");
      await upload(a, shard("node1", 2), "node1.json");
      await Promise.all([
        deleteUpload(t.db, a.id, first.uploadId),
        upload(a, humaneval, "humaneval.jsonl"),
        upload(a, shard("node2", 3), "node2.json"),
        upload(a, gsm8k, "gsm8k.jsonl"),
      ]);
      const kept = await t.db.select().from(uploads).where(eq(uploads.runId, a.id)).orderBy(asc(uploads.commitNo));
      expect(kept.map((u) => u.fileName).sort()).toEqual([
        "gsm8k.jsonl",
        "humaneval.jsonl",
        "node1.json",
        "node2.json",
      ]);
      const files: Record<string, Uint8Array | string> = {
        "humaneval.jsonl": humaneval,
        "gsm8k.jsonl": gsm8k,
        "node1.json": shard("node1", 2),
        "node2.json": shard("node2", 3),
      };
      const b = await newRun("replayed");
      for (const u of kept) await upload(b, files[u.fileName!], u.fileName!);
      expect(await aggregatesOf(t.db, a.id)).toEqual(await aggregatesOf(t.db, b.id));
    });

    it("migration 0006 gives an upload committed before it its own sums where the run holds only that upload", async () => {
      const one = await newRun("legacy, one upload");
      const single = await upload(one, humaneval, "humaneval.jsonl");
      const two = await newRun("legacy, two uploads");
      await upload(two, humaneval, "humaneval.jsonl");
      const second = await upload(two, shard("node0", 1), "node0.json");
      const want = await t.db
        .select()
        .from(uploadLayerSums)
        .where(eq(uploadLayerSums.uploadId, single.uploadId))
        .orderBy(asc(uploadLayerSums.layer));
      // Back to how 0005 left them: no sums of their own.
      for (const id of [single.uploadId, second.uploadId])
        await t.db.update(uploads).set({ hasSums: false }).where(eq(uploads.id, id));
      await t.db.execute(
        sql`delete from upload_layer_sums where upload_id in (select id from uploads where run_id in (${one.id}, ${two.id}))`,
      );
      await t.db.execute(
        sql`delete from upload_label_sums where upload_id in (select id from uploads where run_id in (${one.id}, ${two.id}))`,
      );
      await t.db.execute(sql`update uploads set has_sums = false where run_id in (${one.id}, ${two.id})`);
      const migration = fs
        .readFileSync(path.join(__dirname, "../lib/db/migrations/0006_manage_runs.sql"), "utf8")
        .split("--> statement-breakpoint");
      const backfill = migration.filter(
        (st) =>
          /upload_layer_sums"? \(|upload_label_sums"? \(|SET "has_sums" = true/.test(st) && !/CREATE TABLE/.test(st),
      );
      expect(backfill).toHaveLength(3);
      for (const st of backfill) await t.db.execute(sql.raw(st));

      expect(
        await t.db
          .select()
          .from(uploadLayerSums)
          .where(eq(uploadLayerSums.uploadId, single.uploadId))
          .orderBy(asc(uploadLayerSums.layer)),
      ).toEqual(want);
      expect((await t.db.select().from(uploads).where(eq(uploads.runId, two.id))).map((u) => u.hasSums)).toEqual([
        false,
        false,
      ]);
      // Its run takes a new upload and gives it back out exactly.
      const added = await upload((await getRun(t.db, one.id))!, gsm8k, "gsm8k.jsonl");
      await deleteUpload(t.db, one.id, added.uploadId);
      const ref = await newRun("humaneval only");
      await upload(ref, humaneval, "humaneval.jsonl");
      expect(await aggregatesOf(t.db, one.id)).toEqual(await aggregatesOf(t.db, ref.id));
      expect(await deleteUpload(t.db, two.id, second.uploadId).catch((e) => e)).toMatchObject({
        kind: "conflict",
        code: "upload_sums_missing",
      });
    });

    it("fails an upload cleanly (404, nothing stored) when its run is deleted while the body streams", async () => {
      const a = await newRun("deleted mid-upload");
      const baseline = await rowCounts(t.db);
      async function* body() {
        yield humaneval.subarray(0, 100_000);
        await deleteRun(t.db, a.id);
        yield humaneval.subarray(100_000);
      }
      const err = await ingestUpload(t.db, a, body(), { fileName: "humaneval.jsonl" }).catch((e) => e);
      expect(err).toBeInstanceOf(DomainError);
      expect(err).toMatchObject({ kind: "not_found", code: "not_found" });
      expect(err.message).toMatch(/deleted while this upload streamed/);
      const after = await rowCounts(t.db);
      expect(after.runs).toBe(baseline.runs - 1);
      expect(after.uploads).toBe(baseline.uploads);
      expect(after.event_chunks).toBe(baseline.event_chunks);
    });

    it("deletes a run with everything derived from it and leaves no row behind in any table", async () => {
      const baseline = await rowCounts(t.db);
      const a = await newRun("to delete");
      const b = await newRun("compared with it");
      await upload(a, humaneval, "humaneval.jsonl");
      await upload(a, shard("node0", 1), "node0.json");
      await upload(b, gsm8k, "gsm8k.jsonl");
      const model = async () => (await createModel(t.db, a.model.config, "mixtral-8x7b")).id;
      await insertPruningRun(t.db, {
        id: `p-${a.id}`,
        name: "pruned from a",
        modelId: await model(),
        runId: a.id,
        criterion: "EUF",
        schedule: "one-shot",
        steps: [],
      });
      await insertQuantResult(t.db, {
        id: `q-${a.id}`,
        name: "quant of a vs b",
        modelId: await model(),
        method: "RTN",
        bits: { attention: 4, experts: [[4]] },
        avgBits: 4,
        sizeBytes: 1,
        fpRunId: b.id,
        quantRunId: a.id,
      });
      await createShare(t.db, { path: `/runs/${a.id}`, runId: a.id, runIds: [a.id], state: {}, snapshot: {} });
      // A comparison of b with a: it shows a, so it goes with a although its run is b.
      await createShare(t.db, {
        path: `/compare?a=${b.id}&b=${a.id}`,
        runId: b.id,
        runIds: [b.id, a.id],
        state: {},
        snapshot: {},
      });
      await createShare(t.db, { path: `/runs/${b.id}`, runId: b.id, runIds: [b.id], state: {}, snapshot: {} });
      const full = await rowCounts(t.db);
      for (const table of [
        "runs",
        "models",
        "uploads",
        "event_chunks",
        "layer_aggregates",
        "label_loads",
        "upload_layer_sums",
        "upload_label_sums",
        "pruning_runs",
        "quant_results",
        "shares",
      ]) {
        expect(full[table], table).toBeGreaterThan(baseline[table]);
      }

      const gone = await deleteRun(t.db, a.id);
      expect(gone).toEqual({ id: a.id, name: "to delete", uploads: 2, pruningRuns: 1, quantResults: 1, shares: 2 });
      expect(await getRun(t.db, a.id)).toBeUndefined();
      expect(await danglingReferences(t.db)).toEqual({ models: 0, chunks: 0, shares: 0 });
      // b and its own share are untouched.
      expect((await getRun(t.db, b.id))!.events).toBe(7889);
      expect((await rowCounts(t.db)).shares).toBe(baseline.shares + 1);

      await deleteRun(t.db, b.id);
      expect(await rowCounts(t.db)).toEqual(baseline);
    });
  });
}
