import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getRun } from "@/lib/db/queries/runs";
import { ingestUpload } from "@/lib/ingest/ingest-upload";
import { createRunFromBody } from "@/lib/runs/create-run";
import { computePlacement } from "@/lib/runs/compute-placement";
import { runSimulation } from "@/lib/runs/run-simulation";
import { chunked } from "./support/snapshot-run";
import { openTestDatabase } from "./support/test-db";

type TestDb = Awaited<ReturnType<typeof openTestDatabase>>;
const tiny = {
  name: "Tiny",
  layers: 1,
  experts: 4,
  topK: 2,
  sharedExperts: 0,
  router: "softmax" as const,
  renormalize: true,
};

describe("routing simulations over stored events (A6)", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDatabase("pglite");
  });
  afterAll(async () => {
    await t?.drop();
  });

  const upload = async (lines: object[]) => {
    const run = await createRunFromBody(t.db, { name: "sim", model: tiny });
    await ingestUpload(
      t.db,
      run,
      chunked(new TextEncoder().encode(lines.map((l) => JSON.stringify(l)).join("\n"))),
      {},
    );
    return (await getRun(t.db, run.id))!;
  };

  it("C2R with T = 1 re-routes each token to its argmax and that expert's strongest collaborator", async () => {
    // Tokens 1-3 co-activate 3 with 2; token 4 routes {3, 0}: C2R (T = 1) makes it {3, 2}.
    const ev = (experts: number[], logits: number[]) => ({ layer: 0, experts, logits });
    const run = await upload([
      ev([3, 2], [0, 1, 2, 3]),
      ev([3, 2], [0, 1, 2, 3]),
      ev([3, 2], [0, 1, 2, 3]),
      ev([3, 0], [2, 1, 0, 3]),
    ]);
    const r = await runSimulation(t.db, run, { kind: "c2r", topT: 1 }, 2);
    expect(r.events).toBe(4);
    expect(r.layers[0].flipRate).toBe(0.25);
    expect(r.layers[0].simulated.load).toEqual([0, 0, 4, 4]);
    expect(r.layers[0].original.load).toEqual([1, 0, 3, 4]);
    // contiguous on 2 devices {0,1},{2,3}: originally {3,0} spans both; after C2R every token one device
    expect(r.layers[0].original.ct).toBeCloseTo(1.25, 12);
    expect(r.layers[0].simulated.ct).toBe(1);
    const p = [2, 1, 0, 3].map((x) => Math.exp(x) / [2, 1, 0, 3].reduce((s, y) => s + Math.exp(y), 0));
    const q = [0, 1, 2, 3].map((x) => Math.exp(x) / [0, 1, 2, 3].reduce((s, y) => s + Math.exp(y), 0));
    // Strategies side by side, placements from the original co-activation (C_32 = 3, C_30 = 1):
    // round-robin {0,2},{1,3} splits both pairs; greedy groups {2,3} like contiguous does.
    const by = Object.fromEntries(r.strategies.map((x) => [x.strategy, x]));
    expect(by["round-robin"]).toMatchObject({ ctOriginal: 2, ctSimulated: 2 });
    expect(by.greedy.ctOriginal).toBeCloseTo(1.25, 12);
    expect(by.greedy.ctSimulated).toBe(1);
    // C2R with T = 1 leaves every expert a single collaborator: collaboration entropy 0.
    expect(r.mean.entropySimulated).toBe(0);
    expect(r.mean.entropyOriginal).toBeGreaterThan(0);
    expect(r.layers[0].massRetained).toBeCloseTo(
      (3 * (q[3] + q[2]) + p[3] + p[2]) / (3 * (q[3] + q[2]) + p[3] + p[0]),
      12,
    );
  });

  it("counts C_T on the raw events beyond top-2, and says so when only aggregates exist", async () => {
    const wide = { ...tiny, experts: 8, topK: 4 };
    const run = await createRunFromBody(t.db, { name: "top4", model: wide });
    const lines = [
      { layer: 0, experts: [0, 1, 2, 3] },
      { layer: 0, experts: [0, 1, 4, 5] },
    ]
      .map((l) => JSON.stringify(l))
      .join("\n");
    await ingestUpload(t.db, run, chunked(new TextEncoder().encode(lines)), {});
    const r = await computePlacement(t.db, (await getRun(t.db, run.id))!, 2, "contiguous");
    expect(r.exact).toBe(true);
    expect(r.ctPerLayer[0]).toBe(1.5);
    expect(r.deviceLoad[0]).toEqual([2, 1]);
    const agg = await createRunFromBody(t.db, { name: "top4 agg", model: wide });
    const doc = { format: "moe-atlas.aggregate.v1", layers: [{ layer: 0, tokens: 2, load: [2, 2, 1, 1, 1, 1, 0, 0] }] };
    await ingestUpload(t.db, agg, chunked(new TextEncoder().encode(JSON.stringify(doc))), {});
    const ra = await computePlacement(t.db, (await getRun(t.db, agg.id))!, 2, "greedy");
    expect(ra.exact).toBe(false);
    expect(ra.ctPerLayer[0]).toBeNull();
    expect(ra.note).toMatch(/needs the raw events/);
  });

  it("says clearly that runs without logits cannot be simulated", async () => {
    const run = await upload([{ layer: 0, experts: [0, 1] }]);
    await expect(runSimulation(t.db, run, { kind: "drop", experts: [[3]] }, 2)).rejects.toMatchObject({
      status: 422,
      code: "no_logits",
      message: expect.stringMatching(/cannot be simulated from top-k ids alone/),
    });
    await expect(runSimulation(t.db, run, { kind: "drop", experts: [[0, 1, 2]] }, 2)).rejects.toMatchObject({
      status: 400,
      where: "experts[0]",
    });
  });
});
