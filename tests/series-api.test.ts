import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import * as runsRoute from "@/app/api/runs/route";
import * as balanceRoute from "@/app/api/runs/[id]/balance/route";
import * as flowRoute from "@/app/api/runs/[id]/flow/route";
import * as tracesRoute from "@/app/api/runs/[id]/traces/route";
import * as seriesRoute from "@/app/api/series/[series]/route";
import * as seriesLayerRoute from "@/app/api/series/[series]/layers/[layer]/route";
import { meanOf } from "@/lib/analysis/stats";
import { createApiToken } from "@/lib/db/queries/api-tokens";
import { callRoute, postJson, useRouteDatabase } from "./support/route-calls";

const tiny = { name: "tiny", layers: 2, experts: 4, topK: 2 };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** One sequence of three tokens: [layer 0 top-2, layer 1 top-2] per position. */
type Checkpoint = [[number, number], [number, number]][];
const trace = (c: Checkpoint) =>
  c
    .flatMap(([l0, l1], pos) => [
      JSON.stringify({ seq: 0, token: pos, layer: 0, experts: l0, weights: [0.6, 0.4] }),
      JSON.stringify({ seq: 0, token: pos, layer: 1, experts: l1, weights: [0.6, 0.4] }),
    ])
    .join("\n") + "\n";

const FINAL: Checkpoint = [
  [
    [0, 1],
    [0, 2],
  ],
  [
    [2, 3],
    [1, 3],
  ],
  [
    [0, 1],
    [0, 2],
  ],
];
const STEP0: Checkpoint = [
  [
    [2, 3],
    [1, 3],
  ],
  [
    [2, 0],
    [1, 3],
  ],
  [
    [1, 0],
    [3, 1],
  ],
];
const STEP10: Checkpoint = [
  [
    [0, 1],
    [0, 2],
  ],
  [
    [2, 3],
    [1, 3],
  ],
  [
    [0, 2],
    [0, 2],
  ],
];

describe("GET /api/series/{series}", () => {
  const t = useRouteDatabase("pglite");
  const create = async (body: object, c: Checkpoint, headers: Record<string, string> = {}) => {
    const run = await callRoute(runsRoute.POST, "/api/runs", postJson({ model: tiny, ...body }, headers));
    expect(run.status, JSON.stringify(run.body)).toBe(201);
    const up = await callRoute(tracesRoute.POST, `/api/runs/${run.body.id}/traces?filename=t.jsonl`, {
      method: "POST",
      params: { id: run.body.id },
      headers,
      body: trace(c),
    });
    expect(up.status, JSON.stringify(up.body)).toBe(200);
    return run.body.id as string;
  };
  const series = (name: string, query = "", headers: Record<string, string> = {}) =>
    callRoute(seriesRoute.GET, `/api/series/${encodeURIComponent(name)}${query}`, {
      params: { series: name },
      headers,
    });

  it("answers every step's metrics and the router saturation against the final step, by hand", async () => {
    // Created out of step order: the answer is in step order all the same.
    const final = await create({ name: "ckpt 20", series: "pretrain", step: 20 }, FINAL);
    const s0 = await create({ name: "ckpt 0", series: "pretrain", step: 0 }, STEP0);
    const s10 = await create({ name: "ckpt 10", series: "pretrain", step: 10 }, STEP10);
    const { status, body } = await series("pretrain", "?devices=2");
    expect(status).toBe(200);
    expect(body.steps.map((s: { step: number; runId: string }) => [s.step, s.runId])).toEqual([
      [0, s0],
      [10, s10],
      [20, final],
    ]);
    expect([body.finalStep, body.finalRunId]).toEqual([20, final]);

    // Saturation: per layer, Σ over the paired tokens |K_t ∩ K_F| / (tokens · k).
    // Step 0, layer 0: {2,3}∩{0,1}=0, {0,2}∩{2,3}=1, {0,1}∩{0,1}=2 → 3/6; layer 1: 0 + 2 + 0 → 2/6.
    // Step 10, layer 0: 2 + 2 + 1 → 5/6; layer 1: 2 + 2 + 2 → 1.
    const sat = body.routerSaturation;
    expect(sat.map((s: { step: number }) => s.step)).toEqual([0, 10, 20]);
    expect(sat[0].perLayer[0]).toBeCloseTo(1 / 2, 12);
    expect(sat[0].perLayer[1]).toBeCloseTo(1 / 3, 12);
    expect(sat[0].mean).toBeCloseTo(5 / 12, 12);
    expect(sat[1].perLayer[0]).toBeCloseTo(5 / 6, 12);
    expect(sat[1].perLayer[1]).toBe(1);
    expect(sat[2].perLayer).toEqual([1, 1]);
    expect(sat[2].mean).toBe(1);
    expect(body.saturationNote).toBeNull();

    // C_T, contiguous on 2 devices ({0,1} and {2,3}): the final step's layer 0 tokens each reach
    // one device, its layer 1 tokens ({0,2}, {1,3}, {0,2}) two.
    const last = body.steps[2];
    expect(last.perLayer.ct).toEqual([1, 2]);
    expect(last.ct).toBe(1.5);
    // Step 0, layer 1 routes only to experts 1 and 3: 0 and 2 dead, 1 and 3 hot (3 ≥ 2 · 1.5).
    expect(body.steps[0].perLayer.dead).toEqual([0, 2]);
    expect(body.steps[0].perLayer.hot).toEqual([0, 2]);
    expect(body.steps[0].dead).toBe(1);

    // The layer means are those of the run's own balance and flow answers.
    for (const s of body.steps) {
      const balance = (await callRoute(balanceRoute.GET, `/api/runs/${s.runId}/balance`, { params: { id: s.runId } }))
        .body;
      for (const m of ["gini", "cv", "normalizedEntropy", "jain", "balancedness", "maxOverMean", "imbalance"])
        expect(s[m], m).toBeCloseTo(meanOf(balance.layers.map((l: Record<string, number | null>) => l[m]))!, 12);
      const flow = (await callRoute(flowRoute.GET, `/api/runs/${s.runId}/flow`, { params: { id: s.runId } })).body;
      expect(s.predictability).toBe(flow.meanPredictability);
      expect(s.perLayer.predictability[1]).toBeNull(); // the last layer has no next layer
    }
  });

  it("gives the step scrubber its steps and one colour domain for a layer across them", async () => {
    const get = (layer: string, q = "") =>
      callRoute(seriesLayerRoute.GET, `/api/series/pretrain/layers/${layer}${q}`, {
        params: { series: "pretrain", layer },
      });
    const { status, body } = await get("1");
    expect(status).toBe(200);
    expect(body.steps.map((s: { step: number }) => s.step)).toEqual([0, 10, 20]);
    // Layer 1 raw co-activation: step 0 pairs {1,3} three times (C = 3), the others at most 2 per pair.
    expect(body.extent).toEqual([0, 3]);
    expect(body.minPositive).toBe(1);
    const lift = (await get("1", "?normalization=lift")).body;
    expect(lift.normalization).toBe("lift");
    expect((await get("2")).body.error.code).toBe("layer_out_of_range");
  });

  it("keeps each step's answer, and recomputes it once the step's or the final step's uploads change", async () => {
    const first = (await series("pretrain", "?devices=2")).body;
    const rows = async () =>
      (
        (await t.db.execute(sql`select count(*)::int as n from series_step_metrics`)) as unknown as {
          rows: { n: number }[];
        }
      ).rows[0].n;
    expect(await rows()).toBe(3);
    expect((await series("pretrain", "?devices=2")).body).toEqual(first);
    expect(await rows()).toBe(3);
    // Step 0 gets a second sequence routed as the final step's tokens are not (seq 1 is not in F).
    const s0 = first.steps[0].runId;
    const up = await callRoute(tracesRoute.POST, `/api/runs/${s0}/traces?filename=more.jsonl`, {
      method: "POST",
      params: { id: s0 },
      body: trace(FINAL).replaceAll('"seq":0', '"seq":1'),
    });
    expect(up.status, JSON.stringify(up.body)).toBe(200);
    const after = (await series("pretrain", "?devices=2")).body;
    expect(after.steps[0].events).toBe(12);
    expect(after.steps[0].gini).not.toBe(first.steps[0].gini);
    expect(after.routerSaturation[0]).toEqual(first.routerSaturation[0]); // the new tokens pair with nothing
    expect(after.steps[1]).toEqual(first.steps[1]);
    // Other parameters are other answers: one expert per device, every top-2 token reaches two.
    expect((await series("pretrain", "?devices=4")).body.steps[2].perLayer.ct).toEqual([2, 2]);
    expect(await rows()).toBe(6);
  });

  it("shows only the steps the viewer may read: another's private step is absent, and so is all it would change", async () => {
    const { token: owner } = await createApiToken(t.db, "owner");
    const { token: other } = await createApiToken(t.db, "other");
    // A private step 30 that routes exactly as step 0 did: for its owner it is the final step.
    await create({ name: "ckpt 30", series: "pretrain", step: 30, visibility: "private" }, STEP0, bearer(owner));
    const anonymous = (await series("pretrain")).body;
    const stranger = (await series("pretrain", "", bearer(other))).body;
    for (const view of [anonymous, stranger]) {
      expect(view.steps.map((s: { step: number }) => s.step)).toEqual([0, 10, 20]);
      expect(view.finalStep).toBe(20);
      expect(JSON.stringify(view)).not.toContain("ckpt 30");
    }
    const mine = (await series("pretrain", "", bearer(owner))).body;
    expect(mine.steps.map((s: { step: number }) => s.step)).toEqual([0, 10, 20, 30]);
    expect(mine.finalStep).toBe(30);
    expect(mine.routerSaturation[0].mean).toBe(1); // step 0 routes as step 30
  });

  it("refuses what it cannot answer, naming the field", async () => {
    const missing = await series("no-such-series");
    expect([missing.status, missing.body.error.code]).toEqual([404, "not_found"]);
    const devices = await series("pretrain", "?devices=3");
    expect([devices.status, devices.body.error.code, devices.body.error.where]).toEqual([
      400,
      "invalid_devices",
      "query parameter devices",
    ]);
    const placement = await series("pretrain", "?placement=optimized");
    expect(placement.status).toBe(400);
    expect(placement.body.error.message).toContain("contiguous, round-robin, greedy");
  });
});
