import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getRun } from "@/lib/db/queries/runs";
import { ingestUpload } from "@/lib/ingest/ingest-upload";
import { getComparison } from "@/lib/runs/compare-runs";
import { createRunFromBody } from "@/lib/runs/create-run";
import { chunked } from "./support/snapshot-run";
import { openTestDatabase } from "./support/test-db";
import { sharedFile } from "./support/shared-data";
import fs from "node:fs";

type TestDb = Awaited<ReturnType<typeof openTestDatabase>>;
const tiny = {
  name: "Tiny",
  layers: 2,
  experts: 4,
  topK: 2,
  sharedExperts: 0,
  router: "softmax" as const,
  renormalize: true,
};

describe("run comparison over stored runs (A11)", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDatabase("pglite");
  });
  afterAll(async () => {
    await t?.drop();
  });

  const run = async (name: string, events: [number, number, number, number[]][]) => {
    const r = await createRunFromBody(t.db, { name, model: tiny });
    const body = events
      .map(([seq, position, layer, experts]) => JSON.stringify({ seq, position, layer, experts }))
      .join("\n");
    await ingestUpload(t.db, r, chunked(new TextEncoder().encode(body)), {});
    return (await getRun(t.db, r.id))!;
  };

  it("pairs tokens on (sequence, position, layer) and counts order-insensitive top-k flips per layer", async () => {
    const a = await run("a", [
      [0, 0, 0, [0, 1]],
      [0, 1, 0, [2, 3]],
      [0, 0, 1, [0, 1]],
    ]);
    const b = await run("b", [
      [0, 0, 0, [1, 0]], // same set
      [0, 1, 0, [2, 1]], // flipped
      [0, 0, 1, [0, 2]], // flipped
      [0, 5, 0, [0, 1]], // not in a
    ]);
    const c = await getComparison(t.db, a, b, { paired: true, layer: 0 });
    expect(c.perLayer.map((l) => [l.pairedTokens, l.flipRate])).toEqual([
      [2, 0.5],
      [1, 1],
    ]);
    expect(c.meanFlipRate).toBe(0.75);
    expect(c.paired).toEqual({ matchedEvents: 3, unmatchedA: 0, unmatchedB: 1, repeatedA: 0, repeatedB: 0 });
    // Layer 0 loads: a = [1,1,1,1] over 2 tokens, b = [3,2,1,0] over 3 tokens.
    const p = [0.25, 0.25, 0.25, 0.25];
    const q = [3 / 6, 2 / 6, 1 / 6, 0];
    const m = p.map((x, i) => (x + q[i]) / 2);
    const kl = (u: number[]) => u.reduce((s, x, i) => (x > 0 ? s + x * Math.log2(x / m[i]) : s), 0);
    expect(c.perLayer[0].jsd).toBeCloseTo(Math.sqrt((kl(p) + kl(q)) / 2), 12);
    // Per-token co-activation difference at layer 0: a has C01 = C23 = 1 over 2 tokens, b C01 = 2, C12 = 1 over 3.
    expect(c.layerDetail!.diff[0][1]).toBeCloseTo(1 / 2 - 2 / 3, 12);
    expect(c.layerDetail!.diff[2][3]).toBeCloseTo(1 / 2, 12);
    expect(c.layerDetail!.diff[1][2]).toBeCloseTo(-1 / 3, 12);
  });

  it("pairs repeated positions in upload order, symmetrically, and refuses other shapes", async () => {
    const a = await run("rep", [
      [0, 0, 0, [0, 1]],
      [0, 0, 0, [2, 3]],
    ]);
    const b = await run("one", [[0, 0, 0, [0, 1]]]);
    const c = await getComparison(t.db, a, b, { paired: true });
    expect(c.paired).toEqual({ matchedEvents: 1, unmatchedA: 1, unmatchedB: 0, repeatedA: 1, repeatedB: 0 });
    expect(c.perLayer[0].flipRate).toBe(0);
    const back = await getComparison(t.db, b, a, { paired: true });
    expect(back.paired).toEqual({ matchedEvents: 1, unmatchedA: 0, unmatchedB: 1, repeatedA: 0, repeatedB: 1 });
    const other = await createRunFromBody(t.db, { name: "wide", model: { ...tiny, experts: 8 } });
    await expect(getComparison(t.db, a, other)).rejects.toMatchObject({ status: 400, code: "model_mismatch" });
  });

  it("finds nothing only in A or only in B for a run with itself or the same real file in another run", async () => {
    const bytes = new Uint8Array(fs.readFileSync(sharedFile("real/mixtral-humaneval-routing.jsonl")));
    const upload = async (name: string) => {
      const r = await createRunFromBody(t.db, { name, model: { preset: "mixtral-8x7b" } });
      await ingestUpload(t.db, r, chunked(bytes), {});
      return (await getRun(t.db, r.id))!;
    };
    const [x, y] = [await upload("humaneval 1"), await upload("humaneval 2")];
    for (const [a, b] of [
      [x, x],
      [x, y],
      [y, x],
    ]) {
      const c = await getComparison(t.db, a, b, { paired: true });
      // The decode steps all log position 0: 6,777 events, most of them repeated keys.
      expect(c.paired).toMatchObject({ matchedEvents: 6777, unmatchedA: 0, unmatchedB: 0 });
      expect(c.paired!.repeatedA).toBe(c.paired!.repeatedB);
      expect(c.paired!.repeatedA).toBeGreaterThan(1000);
      expect(c.meanFlipRate).toBe(0);
    }
  });
});
