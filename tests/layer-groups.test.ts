import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getRun, type RunWithModel } from "@/lib/db/queries/runs";
import { ingestUpload } from "@/lib/ingest/ingest-upload";
import { createRunFromBody } from "@/lib/runs/create-run";
import { getLayerGroups } from "@/lib/runs/get-layer-groups";
import { sharedFile } from "./support/shared-data";
import { chunked } from "./support/snapshot-run";
import { openTestDatabase } from "./support/test-db";

type TestDb = Awaited<ReturnType<typeof openTestDatabase>>;

// A4 groups through storage: on normalized lift (issue 11), and what a top-1 run answers.
describe("GET .../layers/{layer}/groups on normalized lift", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDatabase("pglite");
  });
  afterAll(async () => {
    await t?.drop();
  });
  const upload = async (preset: string, name: string, bytes: Uint8Array): Promise<RunWithModel> => {
    const run = await createRunFromBody(t.db, { name, model: { preset } });
    await ingestUpload(t.db, run, chunked(bytes, 1 << 16), {});
    return (await getRun(t.db, run.id))!;
  };

  it("finds groups on every layer of the real Mixtral humaneval trace, exactly, with the top-2 of 8 baseline", async () => {
    const run = await upload(
      "mixtral-8x7b",
      "humaneval",
      fs.readFileSync(sharedFile("real/mixtral-humaneval-routing.jsonl")),
    );
    for (let layer = 0; layer < 32; layer++) {
      const g = await getLayerGroups(t.db, run, layer);
      expect(g.liftBaseline).toBeCloseTo(4 / 7, 15);
      expect(g.topK).toBe(2);
      expect(g.method).toBe("exact");
      expect(g.groups, `layer ${layer}`).toBeGreaterThanOrEqual(2);
      expect(g).not.toHaveProperty("note");
    }
  });

  it("says a top-1 run has no co-activation: every expert alone, no baseline", async () => {
    const lines = Array.from({ length: 400 }, (_, t) =>
      JSON.stringify({ layer: t % 2, token_pos: t >> 1, experts: [(t * 37) % 128] }),
    ).join("\n");
    const run = await upload("switch-base-128", "top-1", new TextEncoder().encode(lines));
    const g = await getLayerGroups(t.db, run, 0);
    expect(g.tokens).toBe(200);
    expect(g.liftBaseline).toBeNull();
    expect(g.note).toMatch(/top-1 routing: no token has two experts/);
    expect([g.communities, g.groups, g.modularity]).toEqual([128, 0, 0]);
  });
});
