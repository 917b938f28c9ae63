import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sharedFile } from "./support/shared-data";
import { openTestDatabase } from "./support/test-db";

type TestDb = Awaited<ReturnType<typeof openTestDatabase>>;
type Handler = (req: Request, ctx: { params: Promise<never> }) => Promise<Response>;

describe("pruning runs through the route handlers (§5)", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDatabase("pglite");
    (globalThis as { __atlasDb?: Promise<unknown> }).__atlasDb = Promise.resolve(t);
  });
  afterAll(async () => {
    delete (globalThis as { __atlasDb?: unknown }).__atlasDb;
    await t?.drop();
  });
  const call = async (handler: Handler, url: string, init: RequestInit & { params?: Record<string, string> } = {}) => {
    const res = await handler(new Request(`http://x${url}`, init), { params: Promise.resolve(init.params ?? {}) as Promise<never> });
    return { status: res.status, body: await res.json() };
  };

  it("imports the MC-Suite tables as they are transcribed, citing the paper, and filters them", async () => {
    const imp = await import("@/app/api/pruning-runs/import/route");
    const list = await import("@/app/api/pruning-runs/route");
    const text = fs.readFileSync(sharedFile("papers/mc-suite-mixtral.json"), "utf8");
    const res = await call(imp.POST, "/api/pruning-runs/import", { method: "POST", body: text });
    expect(res.status).toBe(201);
    expect(res.body.created).toHaveLength(12);
    const minEan = res.body.created.filter((r: { label: string; schedule: string }) => r.label === "Min-EAN" && r.schedule === "iterative");
    expect(minEan).toHaveLength(2); // Table 2 (base) and Table 3
    expect(minEan[0].source).toMatch(/^Finding Fantastic Experts in MoEs.*arXiv 2504\.05586, Table [23]$/);
    expect(minEan[0].model.preset).toBe("mixtral-8x7b");
    const random = res.body.created.find((r: { label: string; schedule: string }) => r.label === "Random" && r.schedule === "one-shot");
    expect(random.steps.map((s: { metrics: { c4_perplexity: number } }) => s.metrics.c4_perplexity)).toEqual([11.25, 12.74, 13.89, 17.08, 30.41, 36.92]);
    expect(random.dense).toEqual({ c4_perplexity: 7.44 });

    const q = async (query: string) => (await call(list.GET, `/api/pruning-runs?${query}`)).body.pruningRuns.length;
    expect(await q("model=mixtral-8x7b")).toBe(12);
    expect(await q("criterion=Min-EGE")).toBe(3);
    expect(await q("criterion=EAN&schedule=lottery")).toBe(2);
    expect(await q("model=olmoe-1b-7b")).toBe(0);
  });

  it("imports CSV (one row per step, dense at 0%) and refuses a bad file whole, saying where", async () => {
    const imp = await import("@/app/api/pruning-runs/import/route");
    const list = await import("@/app/api/pruning-runs/route");
    const before = (await call(list.GET, "/api/pruning-runs")).body.pruningRuns.length;
    const csv = ["criterion,schedule,dropped_percent,experts_dropped_per_layer,wikitext_ppl,\"arc, easy\"", "Max-EUF,one-shot,0,,5.1,80", "Max-EUF,one-shot,12.5,1,5.9,78.5", "Max-EUF,one-shot,25,2,7.2,74"].join("\n");
    const ok = await call(imp.POST, "/api/pruning-runs/import?model=mixtral-8x7b", { method: "POST", body: csv });
    expect(ok.status).toBe(201);
    const [r] = ok.body.created;
    expect(r).toMatchObject({ criterion: "EUF", direction: "max", schedule: "one-shot", dense: { wikitext_ppl: 5.1, "arc, easy": 80 } });
    expect(r.steps[1]).toEqual({ droppedPercent: 25, expertsDroppedPerLayer: 2, dropped: null, metrics: { wikitext_ppl: 7.2, "arc, easy": 74 } });

    const bad = ["criterion,schedule,dropped_percent,ppl", "EUF,one-shot,12.5,6.1", "EUF,one-shot,25,oops"].join("\n");
    const err = await call(imp.POST, "/api/pruning-runs/import?model=mixtral-8x7b", { method: "POST", body: bad });
    expect(err.status).toBe(400);
    expect(err.body.error).toMatchObject({ code: "invalid_field", where: "line 3, column ppl" });
    // A dropped list for the wrong shape, in the second run of a JSON list: nothing of the file is stored.
    const step = (dropped: number[][]) => ({ droppedPercent: 12.5, dropped, metrics: {} });
    const json = JSON.stringify([
      { model: "mixtral-8x7b", criterion: "EUF", schedule: "one-shot", steps: [step(Array.from({ length: 32 }, () => [0]))] },
      { model: "mixtral-8x7b", criterion: "EUF", schedule: "iterative", steps: [step(Array.from({ length: 32 }, () => [9]))] },
    ]);
    const shape = await call(imp.POST, "/api/pruning-runs/import", { method: "POST", body: json });
    expect(shape.status).toBe(400);
    expect(shape.body.error).toMatchObject({ code: "expert_out_of_range", where: "pruningRuns[1].steps[0].dropped[0]" });
    expect((await call(list.GET, "/api/pruning-runs")).body.pruningRuns.length).toBe(before + 1);
    const unknown = await call(imp.POST, "/api/pruning-runs/import", { method: "POST", body: JSON.stringify({ model: "GPT-5", criterion: "EUF", schedule: "one-shot", steps: [{ droppedPercent: 10 }] }) });
    expect(unknown.body.error).toMatchObject({ code: "unknown_preset", where: "pruningRuns[0].model" });
  });
});
