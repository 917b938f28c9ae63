import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getRun } from "@/lib/db/queries/runs";
import { startApiServer } from "./support/api-server";
import { sharedFile } from "./support/shared-data";
import { openTestDatabase } from "./support/test-db";

const exec = promisify(execFile);
const CLI = path.resolve(__dirname, "../bin/moe-atlas.mjs");
type TestDb = Awaited<ReturnType<typeof openTestDatabase>>;

describe("the moe-atlas CLI", () => {
  let t: TestDb;
  let server: Awaited<ReturnType<typeof startApiServer>>;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "atlas-cli-"));
  beforeAll(async () => {
    t = await openTestDatabase("postgres");
    server = await startApiServer(t);
  });
  afterAll(async () => {
    await server?.close();
    delete (globalThis as { __atlasDb?: unknown }).__atlasDb;
    await t?.drop();
  });

  const cli = (args: string[]) =>
    exec(process.execPath, [CLI, ...args], { env: { ...process.env, MOE_ATLAS_URL: server.url } }).then(
      (r) => ({ code: 0, ...r }),
      (e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string }),
    );

  it("creates a run from a preset and ingests a folder, reporting events, warnings and duplicates", async () => {
    fs.copyFileSync(sharedFile("real/mixtral-humaneval-routing.jsonl"), path.join(dir, "humaneval.jsonl"));
    fs.copyFileSync(sharedFile("real/mixtral-gsm8k-routing.jsonl"), path.join(dir, "gsm8k.jsonl"));
    fs.writeFileSync(path.join(dir, "notes.txt"), "not a trace");
    // A real statistics document of another tool, found in the same folder.
    fs.copyFileSync(
      sharedFile("real/switch-base-128/expert_statistics_3d.json"),
      path.join(dir, "expert_statistics_3d.json"),
    );
    const r = await cli(["ingest", dir, "--new", "--model", "mixtral-8x7b", "--name", "cli run"]);
    expect(r.stderr).not.toMatch(/refused/);
    expect(r.code).toBe(0);
    const runId = /created run (\w+)/.exec(r.stdout)![1];
    expect(r.stdout).toContain("humaneval.jsonl: 6777 events");
    expect(r.stdout).toContain("gsm8k.jsonl: 7889 events");
    expect(r.stdout).toMatch(/warning: \d+ events repeat a position/);
    expect(r.stdout).toContain(
      'expert_statistics_3d.json: skipped: a JSON document that is not a MoE Atlas aggregate (its "format" is "3D_layer_expert_frequency"',
    );
    expect(r.stdout).toContain("2 file(s) ingested, 0 already there, 1 skipped, 0 refused; 14666 events");
    expect((await getRun(t.db, runId))?.events).toBe(6777 + 7889);

    const again = await cli(["ingest", path.join(dir, "gsm8k.jsonl"), "--run", runId]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("already ingested, not counted again");
    expect((await getRun(t.db, runId))?.events).toBe(6777 + 7889);

    const exported = await cli(["export", runId, "--layer", "3"]);
    expect(JSON.parse(exported.stdout).tokens).toBeGreaterThan(0);
  });

  it("leaves a warm-up pass out with --exclude-warmup, and reports it either way", async () => {
    const lines = ['{"type": "meta", "num_experts": 8, "top_k": 2}'];
    for (let t = 0; t < 300; t++)
      lines.push(
        JSON.stringify({ type: "route", layer: 0, token_pos: t, experts: [6, 1], gating_probs: [0.75, 0.25] }),
      );
    for (let t = 0; t < 20; t++)
      lines.push(
        JSON.stringify({
          type: "route",
          layer: 0,
          token_pos: t,
          experts: [t % 8, (t + 3) % 8],
          gating_probs: [0.5 + t / 100, 0.5 - t / 100],
        }),
      );
    const file = path.join(dir, "engine.jsonl");
    fs.writeFileSync(file, lines.join("\n"));
    const counted = await cli(["ingest", file, "--new", "--model", "mixtral-8x7b", "--name", "counted"]);
    expect(counted.stdout).toContain("engine.jsonl: 320 events");
    expect(counted.stdout).toMatch(/warning: 1 run of identical routing .* hold 300 events .* --exclude-warmup/);
    const excluded = await cli([
      "ingest",
      file,
      "--new",
      "--model",
      "mixtral-8x7b",
      "--name",
      "excluded",
      "--exclude-warmup",
    ]);
    expect(excluded.stdout).toContain("engine.jsonl: 20 events");
    expect(excluded.stdout).toContain("They were excluded");
  });

  it("says what was wrong and where, exits non-zero, and stores nothing", async () => {
    const bad = path.join(dir, "bad.jsonl");
    fs.writeFileSync(bad, '{"layer": 0, "experts": [0, 1]}\n{"layer": 0, "experts": [0, 0]}\n');
    const created = await cli(["ingest", bad, "--new", "--model", "mixtral-8x7b", "--name", "bad"]);
    expect(created.code).toBe(1);
    expect(created.stderr).toContain(
      "bad.jsonl: refused, nothing stored: 400 duplicate_expert: expert 0 appears twice",
    );
    expect(created.stderr).toContain("(at line 2 (byte 32))");
    const runId = /created run (\w+)/.exec(created.stdout)![1];
    expect((await getRun(t.db, runId))?.events).toBe(0);
    const unknown = await cli(["ingest", bad]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("which run?");
  });

  it("imports pruning runs and quantization results from files, and refuses a bad one whole", async () => {
    const ok = await cli(["pruning", "import", sharedFile("papers/mc-suite-mixtral.json")]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("stored 12 pruning run(s)");
    expect(ok.stdout).toMatch(/Mixtral-8x7B\tMin-EAN lottery\t6 steps/);
    const csv = path.join(dir, "quant.csv");
    fs.writeFileSync(csv, "name,method,group_size,attention_bits,expert_bits,mmlu\nw4e2,GPTQ,128,4,2,61.5\n");
    const q = await cli(["quant", "import", csv, "--model", "mixtral-8x7b"]);
    expect(q.stdout).toMatch(/2\.06 avg bits\tw4e2/);
    const bad = path.join(dir, "bad.csv");
    fs.writeFileSync(bad, "name,method,attention_bits,expert_bits\nx,GPTQ,4,two\n");
    const refused = await cli(["quant", "import", bad, "--model", "mixtral-8x7b"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("refused, nothing stored: 400 invalid_field");
    expect(refused.stderr).toContain("(at line 2, column expert_bits)");
    const list = await cli(["quant", "list"]);
    expect(list.stdout.trim().split("\n")).toHaveLength(1);
  });
  /** The CLI with `input` typed on its stdin (its confirmation prompts read it). */
  const cliTyping = (args: string[], input: string) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, MOE_ATLAS_URL: server.url } });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(input);
    });

  it("edits a run, lists it sorted with its policy, and deletes an upload and the run after asking", async () => {
    const made = await cli([
      "ingest",
      sharedFile("real/mixtral-humaneval-routing.jsonl"),
      sharedFile("real/mixtral-gsm8k-routing.jsonl"),
      "--new",
      "--model",
      "mixtral-8x7b",
      "--name",
      "zz managed",
      "--policy",
      "c2r:T=1",
    ]);
    expect(made.code).toBe(0);
    const runId = /created run (\w+)/.exec(made.stdout)![1];
    expect((await getRun(t.db, runId))?.policy).toBe("c2r:T=1");

    const up = await cli([
      "runs",
      "update",
      runId,
      "--name",
      "aa managed",
      "--tags",
      "cli, edited",
      "--visibility",
      "unlisted",
      "--policy",
      "device-limited:M=2",
      "--description",
      "from the CLI",
    ]);
    expect(up.code).toBe(0);
    expect(up.stdout).toContain(
      `updated run ${runId}: aa managed · unlisted · policy device-limited:M=2 · tags cli, edited`,
    );
    const inSeries = await cli(["runs", "update", runId, "--series", "cli-series", "--step", "40"]);
    expect(inSeries.stdout).toContain("· series cli-series step 40");
    expect((await getRun(t.db, runId))?.step).toBe(40);
    const badStep = await cli(["runs", "update", runId, "--step", "4.5"]);
    expect([badStep.code, badStep.stderr]).toEqual([
      2,
      expect.stringContaining('--step must be an integer >= 0, not "4.5"'),
    ]);
    const leaves = await cli(["runs", "update", runId, "--series", "", "--step", ""]);
    expect(leaves.code).toBe(0);
    expect((await getRun(t.db, runId))?.series).toBeNull();
    const bad = await cli(["runs", "update", runId, "--policy", "c2r"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/400 invalid_request.*c2r:T=<n>/);
    await cli(["runs", "update", runId, "--visibility", "public"]);
    const listed = await cli(["runs", "list", "--sort", "name"]);
    expect(listed.stdout.split("\n")[0]).toBe(`${runId}\tMixtral-8x7B\t14666 events\tdevice-limited:M=2\taa managed`);

    const uploads = await cli(["uploads", "list", runId]);
    const gsm = uploads.stdout
      .split("\n")
      .find((l) => l.endsWith("mixtral-gsm8k-routing.jsonl"))!
      .split("\t")[0];
    const declined = await cliTyping(["uploads", "delete", runId, gsm], "n\n");
    expect(declined.code).toBe(1);
    expect(declined.stderr).toContain(
      `Take upload ${gsm} (mixtral-gsm8k-routing.jsonl, 7889 events) out of run "aa managed"? [y/N]`,
    );
    expect(declined.stderr).toContain("not deleted");
    expect((await getRun(t.db, runId))?.events).toBe(14666);
    const gone = await cli(["uploads", "delete", runId, gsm, "--yes"]);
    expect(gone.stderr).toBe("");
    expect(gone.stdout).toContain(`run ${runId} now counts 6777 events`);
    expect((await getRun(t.db, runId))?.events).toBe(6777);

    // Without a terminal or an answer, nothing is deleted.
    expect((await cliTyping(["runs", "delete", runId], "")).code).toBe(1);
    expect(await getRun(t.db, runId)).toBeDefined();
    const deleted = await cliTyping(["runs", "delete", runId], "y\n");
    expect(deleted.code).toBe(0);
    expect(deleted.stderr).toContain(`Delete run "aa managed" (${runId}): 1 upload(s), 6777 events`);
    expect(deleted.stdout).toContain(
      `deleted run ${runId} (aa managed): 1 upload(s), 0 pruning run(s), 0 quantization result(s), 0 share(s)`,
    );
    expect(await getRun(t.db, runId)).toBeUndefined();

    const made2 = await fetch(`${server.url}/api/quant-results`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        name: "cli quant to delete",
        model: { preset: "mixtral-8x7b" },
        method: "RTN",
        bits: { attention: 4, experts: 2 },
      }),
    });
    const q = (await made2.json()).id;
    expect((await cliTyping(["quant", "delete", q], "no\n")).code).toBe(1);
    const qd = await cli(["quant", "delete", q, "--yes"]);
    expect(qd.stdout).toContain(`deleted quantization result ${q}`);
    expect((await cli(["quant", "delete", q, "--yes"])).stderr).toMatch(/404 not_found/);
  });

  it("plans a run's serving placement: a summary per layer, or an engine's file that reads back", async () => {
    const made = await cli([
      "ingest",
      sharedFile("real/mixtral-humaneval-routing.jsonl"),
      "--new",
      "--model",
      "mixtral-8x7b",
      "--name",
      "plan run",
    ]);
    expect(made.code).toBe(0);
    const runId = /created run (\w+)/.exec(made.stdout)![1];
    const summary = await cli(["plan", runId, "--slots", "12", "--gpus", "4", "--nodes", "2", "--strategy", "eplb"]);
    expect(summary.code, summary.stderr).toBe(0);
    expect(summary.stdout.split("\n")[0]).toBe("layer\tbalancedness\tctGpu\tctNode\tbefore ctNode");
    expect(summary.stdout).toMatch(/^31\t/m);
    expect(summary.stdout).toContain("(eplb, EPLB policy global, 4 GPUs x 3 slots, 2 node(s))");
    const out = path.join(dir, "moe_load_balancer.yaml");
    const file = await cli(["plan", runId, "--slots", "12", "--gpus", "4", "--format", "trtllm", "--out", out]);
    expect(file.code, file.stderr).toBe(0);
    const { parseExport } = await import("@/lib/analysis/plan-export");
    const back = parseExport(fs.readFileSync(out, "utf8"), "trtllm", 8);
    expect(back.phy2log).toHaveLength(32);
    expect(back.phy2log.every((row) => row.length === 12 && new Set(row).size === 8)).toBe(true);
    const bad = await cli(["plan", runId, "--slots", "7", "--gpus", "4"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/slots/);
  });
});
