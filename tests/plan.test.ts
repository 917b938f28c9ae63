import { beforeAll, describe, expect, it } from "vitest";
import { parseExport } from "@/lib/analysis/plan-export";
import { createApiToken } from "@/lib/db/queries/api-tokens";
import { callRoute, postJson, tinyRun, useRouteDatabase, type RouteHandler } from "./support/route-calls";

// POST /api/runs/{id}/plan, called as Next calls it, every answer checked against the contract.
describe("serving placement planner endpoint (A14)", () => {
  const t = useRouteDatabase("pglite");
  let id: string;
  let plan: RouteHandler;
  // Layer 0: {0,1} x3 then {2,3} x1 (loads 3, 3, 1, 1); layer 1: {0,2} x2, {1,3} x2. Then the same again,
  // so the run holds two windows of 4 tokens per layer.
  const layer0 = [
    [0, 1],
    [0, 1],
    [0, 1],
    [2, 3],
  ];
  const layer1 = [
    [0, 2],
    [0, 2],
    [1, 3],
    [1, 3],
  ];
  beforeAll(async () => {
    plan = (await import("@/app/api/runs/[id]/plan/route")).POST as RouteHandler;
    const events = [0, 1].flatMap((w) =>
      layer0.flatMap((experts, i) => [
        { seq: w, position: i, layer: 0, experts },
        { seq: w, position: i, layer: 1, experts: layer1[i] },
      ]),
    );
    id = await tinyRun("plan", events);
  });
  const call = (body: unknown, runId = id, headers: Record<string, string> = {}) =>
    callRoute(plan, `/api/runs/${runId}/plan`, { ...postJson(body, headers), params: { id: runId } });

  it("plans EPLB by hand: replicas of the two heaviest experts, packed to equal GPU loads", async () => {
    const { status, body } = await call({ slots: 6, gpus: 2, strategy: "eplb" });
    expect(status).toBe(200);
    // 1 group on 1 node: EPLB's hierarchical path (which is its global one here).
    expect(body.policy).toBe("hierarchical");
    const l0 = body.layers[0];
    // Loads over both windows: 6, 6, 2, 2. Slots 4, 5 replicate experts 0 and 1; slots weigh 3, 3, 2, 2, 3, 3;
    // packed heaviest first to the lightest GPU with room: GPU 0 gets slots 0, 4, 2; GPU 1 slots 1, 5, 3.
    expect(l0.phy2log).toEqual([0, 0, 2, 1, 1, 3]);
    expect(l0.logcnt).toEqual([2, 2, 1, 1]);
    expect(l0.log2phy).toEqual([
      [0, 1],
      [3, 4],
      [2, -1],
      [5, -1],
    ]);
    expect(l0.gpuLoad).toEqual([8, 8]);
    expect(l0.balancedness).toBe(1);
    // {0,1}: expert 0 lives on GPU 0 only, expert 1 on GPU 1 only: 2 GPUs; {2,3}: 2 GPUs.
    expect(l0.ctGpu).toBe(2);
    expect(l0.ctNode).toBe(1);
    expect(body.ctSource).toBe("events");
    // Before: slot p holds expert p mod 4: GPU 0 = 0, 1, 2; GPU 1 = 3, 0, 1.
    expect(l0.before.ctGpu).toBeCloseTo((6 * 1.5 + 2 * 2) / 8, 12);
  });

  it("optimizes C_T at no cost in balance, and says how replicas split tokens", async () => {
    const eplb = (await call({ slots: 6, gpus: 2, strategy: "eplb" })).body;
    const { status, body } = await call({ slots: 6, gpus: 2, strategy: "optimized" });
    expect(status).toBe(200);
    expect(body.split).toMatch(/evenly/);
    for (let l = 0; l < 2; l++) {
      expect(Math.max(...body.layers[l].gpuLoad)).toBeLessThanOrEqual(Math.max(...eplb.layers[l].gpuLoad));
      expect(body.layers[l].plannedMaxGpuLoad).toBe(Math.max(...body.layers[l].gpuLoad));
      expect(body.layers[l].ctGpu).toBeLessThanOrEqual(eplb.layers[l].ctGpu);
    }
    // Layer 0: experts 0 and 1 each split over both GPUs ({0,1} reaches GPU g with 1 − 1/4): 1.5; {2,3}: 2.
    expect(body.layers[0].ctGpu).toBeCloseTo((6 * 1.5 + 2 * 2) / 8, 12);
    expect([...body.layers[0].phy2log].sort()).toEqual([0, 0, 1, 1, 2, 3]);
  });

  it("plans on one window and evaluates on the next, with the staleness series", async () => {
    const { status, body } = await call({ slots: 6, gpus: 2, strategy: "eplb", window: { tokens: 4 } });
    expect(status).toBe(200);
    expect(body.window).toEqual({ tokens: 4, index: 0, count: 2 });
    expect(body.layers[0].gpuLoad).toEqual([4, 4]);
    expect(body.windows).toHaveLength(1);
    expect(body.windows[0].stale).toEqual(body.windows[0].fresh);
    const bad = await call({ slots: 6, gpus: 2, strategy: "eplb", window: { tokens: 4, index: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.where).toBe("window.index");
  });

  it("uses EPLB's global policy when the nodes do not divide the groups", async () => {
    const { body } = await call({ slots: 8, gpus: 4, nodes: 2, groups: 1, strategy: "eplb" });
    expect(body.policy).toBe("global");
  });

  it("estimates dispatch + combine time from the cost settings", async () => {
    const { body } = await call({
      slots: 8,
      gpus: 4,
      nodes: 2,
      groups: 2,
      strategy: "eplb",
      cost: { hidden: 1000, dtypeBytes: 2, nvlinkGBps: 100, ibGBps: 10, tokensPerGpu: 1000 },
    });
    expect(body.policy).toBe("hierarchical");
    const l = body.layers[0];
    // 2 · tokens · bytes · (ctNode · (N−1)/N / IB + ctGpu · (1 − N/G) / NVLink)
    const expected = 2 * 1000 * 2000 * ((l.ctNode * 0.5) / 10e9 + (l.ctGpu * 0.5) / 100e9);
    expect(l.seconds).toBeCloseTo(expected, 15);
    expect(body.cost).toEqual({ hidden: 1000, dtypeBytes: 2, nvlinkGBps: 100, ibGBps: 10, tokensPerGpu: 1000 });
  });

  it("returns each engine's file, which reads back into the same plan", async () => {
    for (const format of ["sglang", "vllm", "trtllm"] as const) {
      const { body } = await call({ slots: 6, gpus: 2, strategy: "optimized", export: format, layerOffset: 1 });
      const back = parseExport(body.file.content, format, 4, 1);
      expect(back.phy2log).toEqual(body.layers.map((l: { phy2log: number[] }) => l.phy2log));
      expect(back.logcnt).toEqual(body.layers.map((l: { logcnt: number[] }) => l.logcnt));
    }
  });

  it("refuses bad shapes with a 400 naming the field", async () => {
    const cases: [object, string][] = [
      [{ slots: 3, gpus: 1, strategy: "eplb" }, "slots"],
      [{ slots: 6, gpus: 4, strategy: "eplb" }, "gpus"],
      [{ slots: 8, gpus: 4, nodes: 3, strategy: "eplb" }, "nodes"],
      [{ slots: 8, gpus: 4, groups: 3, strategy: "eplb" }, "groups"],
      [{ slots: 8, gpus: 4, strategy: "greedy" }, "strategy"],
      [{ slots: 8, gpus: 4, strategy: "eplb", maxLoadRatio: 1.2 }, "maxLoadRatio"],
      [{ slots: 8, gpus: 4, strategy: "eplb", window: { tokens: 0 } }, "window.tokens"],
      [{ slots: 8, gpus: 4, strategy: "eplb", export: "onnx" }, "export"],
      [{ slots: 8, gpus: 4, strategy: "eplb", cost: { dtypeBytes: 3 } }, "cost.dtypeBytes"],
      [{ slots: 8, gpus: 4, strategy: "eplb", extra: 1 }, "body"],
    ];
    for (const [body, where] of cases) {
      const r = await call(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.where, JSON.stringify(body)).toBe(where);
    }
  });

  it("keeps a private run's plan private: 404 for others, 200 for the owner", async () => {
    const runs = (await import("@/app/api/runs/route")).POST as RouteHandler;
    const { token } = await createApiToken(t.db, "planner-owner");
    const auth = { authorization: `Bearer ${token}` };
    const created = await callRoute(
      runs,
      "/api/runs",
      postJson({ name: "secret plan", model: { preset: "mixtral-8x7b" }, visibility: "private" }, auth),
    );
    expect(created.status).toBe(201);
    const secret = created.body.id;
    const anon = await call({ slots: 8, gpus: 4, strategy: "eplb" }, secret);
    expect(anon.status).toBe(404);
    expect((await call({ slots: 8, gpus: 4, strategy: "eplb" }, secret, auth)).status).toBe(200);
    expect((await call({ slots: 8, gpus: 4, strategy: "eplb" }, "nope")).status).toBe(404);
  });
});
