import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { openDatabase } from "@/lib/db/client";
import { createRunBodySchema } from "@/lib/api/contracts/runs";
import { createRunFromBody } from "@/lib/runs/create-run";

describe("opening the database", () => {
  it("applies migrations once when several processes' clients start at once on Postgres", async () => {
    const admin = process.env.ATLAS_TEST_PG;
    if (!admin) throw new Error("ATLAS_TEST_PG is not set: run through `npm test`, which starts Postgres");
    const name = `atlas_migrate_${process.pid}`;
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`drop database if exists ${name}`);
    await c.query(`create database ${name}`);
    const url = new URL(admin);
    url.pathname = `/${name}`;
    try {
      const opened = await Promise.all([1, 2, 3, 4].map(() => openDatabase(url.toString())));
      const check = new pg.Client({ connectionString: url.toString() });
      await check.connect();
      const { rows } = await check.query("select count(*)::int as n from drizzle.__drizzle_migrations");
      const files = fs.readdirSync(path.resolve(__dirname, "../lib/db/migrations")).filter((f) => f.endsWith(".sql"));
      expect(rows[0].n).toBe(files.length);
      await check.end();
      await Promise.all(opened.map((d) => d.close()));
    } finally {
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    }
  });

  it("refuses a second process on the same embedded database folder, naming the holder", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "atlas-lock-"));
    const dataDir = path.join(dir, "db");
    const first = await openDatabase("", dataDir);
    try {
      // A live pid other than ours holds the folder (our parent stands in for the dashboard).
      fs.writeFileSync(`${dataDir}.lock`, String(process.ppid));
      await expect(openDatabase("", dataDir)).rejects.toThrow(
        new RegExp(`open in process ${process.ppid}.*DATABASE_URL`),
      );
    } finally {
      fs.writeFileSync(`${dataDir}.lock`, String(process.pid));
      await first.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes over a lock left by a process that died", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "atlas-lock-"));
    const dataDir = path.join(dir, "db");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(`${dataDir}.lock`, "999999999");
    const db = await openDatabase("", dataDir);
    expect(fs.readFileSync(`${dataDir}.lock`, "utf8")).toBe(String(process.pid));
    await db.close();
    expect(fs.existsSync(`${dataDir}.lock`)).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("creates runs of custom models and refuses impossible ones", async () => {
    const db = await openDatabase("", "memory://");
    try {
      const run = await createRunFromBody(db.db, {
        name: "tiny",
        model: {
          name: "Tiny-MoE",
          layers: 2,
          experts: 4,
          topK: 2,
          sharedExperts: 0,
          router: "softmax",
          renormalize: false,
        },
      });
      expect(run.model.config).toMatchObject({ name: "Tiny-MoE", layers: 2, experts: 4, topK: 2 });
      expect(run.model.presetId).toBeNull();
      const bad = createRunBodySchema.safeParse({ name: "x", model: { name: "Bad", layers: 2, experts: 4, topK: 5 } });
      expect(bad.success).toBe(false);
      expect(
        bad.error?.issues.some((i) => i.path.join(".") === "model.topK" && /exceeds experts 4/.test(i.message)),
      ).toBe(true);
    } finally {
      await db.close();
    }
  });
});
