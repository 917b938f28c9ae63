import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "@/lib/db/client";
import { removeSpoolLeftovers, spoolToFile } from "@/lib/trace/binary/spool";

const root = path.resolve(__dirname, "..");

describe("server start", () => {
  it("exits with a clear message when another process holds the embedded database, instead of answering 500s", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "atlas-start-"));
    const dataDir = path.join(dir, "db");
    const holder = await openDatabase("", dataDir);
    try {
      const child = spawnSync("npx", ["tsx", "tests/support/start-child.ts"], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: "", ATLAS_DATA_DIR: dataDir, ATLAS_DEMO: "0", ATLAS_TMP_DIR: dir },
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(child.status).toBe(1);
      expect(child.stdout).not.toContain("started");
      expect(child.stderr).toMatch(
        new RegExp(`cannot open the database: the embedded database .* is open in process ${process.pid}`),
      );
    } finally {
      await holder.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("removes the spool folders of killed uploads, and only those", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "atlas-spool-"));
    process.env.ATLAS_TMP_DIR = dir;
    try {
      // A dead process's folder, one from before owners were named, another live process's (our parent's), and one of ours in use.
      for (const name of [
        "atlas-upload-999999999.1700000000000-abc",
        "atlas-upload-Xy12Zq",
        `atlas-upload-${process.ppid}.1700000000000-def`,
        "unrelated",
      ]) {
        fs.mkdirSync(path.join(dir, name));
        fs.writeFileSync(path.join(dir, name, "upload.npz"), "x");
      }
      const ours = await spoolToFile(
        (async function* () {
          yield new Uint8Array([1, 2, 3]);
        })(),
        ".npz",
      );
      expect(await removeSpoolLeftovers()).toBe(2);
      expect(fs.readdirSync(dir).sort()).toEqual(
        [path.basename(path.dirname(ours.file)), `atlas-upload-${process.ppid}.1700000000000-def`, "unrelated"].sort(),
      );
      await ours.remove();
    } finally {
      delete process.env.ATLAS_TMP_DIR;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
