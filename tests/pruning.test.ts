import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { sharedFile } from "./support/shared-data";
import { callRoute, postJson, useRouteDatabase } from "./support/route-calls";

describe("pruning runs through the route handlers (§5)", () => {
  useRouteDatabase("pglite");

  it("imports the MC-Suite tables as they are transcribed, citing the paper, and filters them", async () => {
    const imp = await import("@/app/api/pruning-runs/import/route");
    const list = await import("@/app/api/pruning-runs/route");
    const text = fs.readFileSync(sharedFile("papers/mc-suite-mixtral.json"), "utf8");
    const res = await callRoute(imp.POST, "/api/pruning-runs/import", { method: "POST", body: text });
    expect(res.status).toBe(201);
    expect(res.body.created).toHaveLength(12);
    const minEan = res.body.created.filter(
      (r: { label: string; schedule: string }) => r.label === "Min-EAN" && r.schedule === "iterative",
    );
    expect(minEan).toHaveLength(2); // Table 2 (base) and Table 3
    expect(minEan[0].source).toMatch(/^Finding Fantastic Experts in MoEs.*arXiv 2504\.05586, Table [23]$/);
    expect(minEan[0].model.preset).toBe("mixtral-8x7b");
    const random = res.body.created.find(
      (r: { label: string; schedule: string }) => r.label === "Random" && r.schedule === "one-shot",
    );
    expect(random.steps.map((s: { metrics: { c4_perplexity: number } }) => s.metrics.c4_perplexity)).toEqual([
      11.25, 12.74, 13.89, 17.08, 30.41, 36.92,
    ]);
    expect(random.dense).toEqual({ c4_perplexity: 7.44 });

    const q = async (query: string) =>
      (await callRoute(list.GET, `/api/pruning-runs?${query}`)).body.pruningRuns.length;
    expect(await q("model=mixtral-8x7b")).toBe(12);
    expect(await q("criterion=Min-EGE")).toBe(3);
    expect(await q("criterion=EAN&schedule=lottery")).toBe(2);
    expect(await q("model=olmoe-1b-7b")).toBe(0);
  });

  it("imports CSV (one row per step, dense at 0%) and refuses a bad file whole, saying where", async () => {
    const imp = await import("@/app/api/pruning-runs/import/route");
    const list = await import("@/app/api/pruning-runs/route");
    const before = (await callRoute(list.GET, "/api/pruning-runs")).body.pruningRuns.length;
    const csv = [
      'criterion,schedule,dropped_percent,experts_dropped_per_layer,wikitext_ppl,"arc, easy"',
      "Max-EUF,one-shot,0,,5.1,80",
      "Max-EUF,one-shot,12.5,1,5.9,78.5",
      "Max-EUF,one-shot,25,2,7.2,74",
    ].join("\n");
    const ok = await callRoute(imp.POST, "/api/pruning-runs/import?model=mixtral-8x7b", { method: "POST", body: csv });
    expect(ok.status).toBe(201);
    const [r] = ok.body.created;
    expect(r).toMatchObject({
      criterion: "EUF",
      direction: "max",
      schedule: "one-shot",
      dense: { wikitext_ppl: 5.1, "arc, easy": 80 },
    });
    expect(r.steps[1]).toEqual({
      droppedPercent: 25,
      expertsDroppedPerLayer: 2,
      dropped: null,
      metrics: { wikitext_ppl: 7.2, "arc, easy": 74 },
    });

    const bad = ["criterion,schedule,dropped_percent,ppl", "EUF,one-shot,12.5,6.1", "EUF,one-shot,25,oops"].join("\n");
    const err = await callRoute(imp.POST, "/api/pruning-runs/import?model=mixtral-8x7b", { method: "POST", body: bad });
    expect(err.status).toBe(400);
    expect(err.body.error).toMatchObject({ code: "invalid_field", where: "line 3, column ppl" });
    // A dropped list for the wrong shape, in the second run of a JSON list: nothing of the file is stored.
    const step = (dropped: number[][]) => ({ droppedPercent: 12.5, dropped, metrics: {} });
    const json = JSON.stringify([
      {
        model: "mixtral-8x7b",
        criterion: "EUF",
        schedule: "one-shot",
        steps: [step(Array.from({ length: 32 }, () => [0]))],
      },
      {
        model: "mixtral-8x7b",
        criterion: "EUF",
        schedule: "iterative",
        steps: [step(Array.from({ length: 32 }, () => [9]))],
      },
    ]);
    const shape = await callRoute(imp.POST, "/api/pruning-runs/import", { method: "POST", body: json });
    expect(shape.status).toBe(400);
    expect(shape.body.error).toMatchObject({
      code: "expert_out_of_range",
      where: "pruningRuns[1].steps[0].dropped[0]",
    });
    expect((await callRoute(list.GET, "/api/pruning-runs")).body.pruningRuns.length).toBe(before + 1);
    const unknown = await callRoute(imp.POST, "/api/pruning-runs/import", {
      method: "POST",
      body: JSON.stringify({ model: "GPT-5", criterion: "EUF", schedule: "one-shot", steps: [{ droppedPercent: 10 }] }),
    });
    expect(unknown.body.error).toMatchObject({ code: "unknown_preset", where: "pruningRuns[0].model" });
  });
});

describe("A9 from a trace, saved as a pruning run, compared, exported as a keep-mask", () => {
  useRouteDatabase("pglite");

  it("drops the least used experts step by step and reports what re-routing does, by hand", async () => {
    const runs = await import("@/app/api/runs/route");
    const traces = await import("@/app/api/runs/[id]/traces/route");
    const prune = await import("@/app/api/runs/[id]/pruning/route");
    const model = {
      name: "Tiny",
      layers: 1,
      experts: 4,
      topK: 2,
      sharedExperts: 0,
      router: "softmax",
      renormalize: true,
    };
    const run = (await callRoute(runs.POST, "/api/runs", postJson({ name: "p", model }))).body;
    // loads: expert 0: 3, 1: 2, 2: 1, 3: 0
    const events = [
      { experts: [0, 1], logits: [3, 2, 0, -1] },
      { experts: [0, 1], logits: [3, 2, -1, 0] },
      { experts: [0, 2], logits: [3, 0, 2, -1] },
    ].map((e) => JSON.stringify({ layer: 0, ...e }));
    expect(
      (
        await callRoute(traces.POST, `/api/runs/${run.id}/traces`, {
          method: "POST",
          body: events.join("\n"),
          params: { id: run.id },
        })
      ).status,
    ).toBe(200);

    const res = await callRoute(prune.POST, `/api/runs/${run.id}/pruning`, {
      ...postJson({ criterion: "EUF", schedule: "one-shot", steps: 2 }),
      params: { id: run.id },
    });
    expect(res.status).toBe(200);
    expect(res.body.simulated).toBe(true);
    expect(res.body.steps.map((s: { dropped: number[][] }) => s.dropped)).toEqual([[[3]], [[2, 3]]]);
    // Step 1 drops an unused expert: nothing moves.
    expect(res.body.steps[0].metrics).toMatchObject({ flip_rate: 0, routing_mass_retained: 1 });
    // Step 2: token 3 goes from {0, 2} to {0, 1}; mass = Σ new top-k scores / Σ old, over all tokens.
    const p = (l: number[]) => l.map((x) => Math.exp(x) / l.reduce((s, y) => s + Math.exp(y), 0));
    const [a, b, c] = [p([3, 2, 0, -1]), p([3, 2, -1, 0]), p([3, 0, 2, -1])];
    const mass = (a[0] + a[1] + b[0] + b[1] + c[0] + c[1]) / (a[0] + a[1] + b[0] + b[1] + c[0] + c[2]);
    expect(res.body.steps[1].metrics.flip_rate).toBeCloseTo(1 / 3, 12);
    expect(res.body.steps[1].metrics.routing_mass_retained).toBeCloseTo(mass, 12);
    expect(res.body.steps[1].droppedPercent).toBe(50);

    const iterative = await callRoute(prune.POST, `/api/runs/${run.id}/pruning`, {
      ...postJson({ criterion: "EUF", schedule: "iterative", steps: 2 }),
      params: { id: run.id },
    });
    expect(iterative.body.steps.map((s: { dropped: number[][] }) => s.dropped)).toEqual([[[3]], [[2, 3]]]);
    const ecc = await callRoute(prune.POST, `/api/runs/${run.id}/pruning`, {
      ...postJson({ criterion: "ECC", mode: "max", schedule: "one-shot", steps: 1 }),
      params: { id: run.id },
    });
    // The most co-activated pair is (0, 1) with C = 2; expert 1 has the lower load.
    expect(ecc.body.steps[0].dropped).toEqual([[1]]);
    const noMode = await callRoute(prune.POST, `/api/runs/${run.id}/pruning`, {
      ...postJson({ criterion: "ECC", schedule: "one-shot", steps: 1 }),
      params: { id: run.id },
    });
    expect(noMode.body.error).toMatchObject({ code: "missing_field", where: "mode" });

    // Saved as pruning runs, tied to the trace; compared; exported as a keep-mask.
    const create = await import("@/app/api/pruning-runs/route");
    const save = async (r: typeof res.body, schedule: string) =>
      (
        await callRoute(
          create.POST,
          "/api/pruning-runs",
          postJson({
            model,
            criterion: r.criterion,
            direction: r.mode,
            schedule,
            runId: run.id,
            steps: r.steps,
            source: "computed by MoE Atlas",
          }),
        )
      ).body;
    const s1 = await save(res.body, "one-shot");
    const s2 = await save(ecc.body, "one-shot");
    expect(s1.runId).toBe(run.id);
    const cmp = await callRoute(
      (await import("@/app/api/pruning-runs/compare/route")).GET,
      `/api/pruning-runs/compare?ids=${s1.id},${s2.id}`,
    );
    expect(cmp.body.dropStep[s1.id]).toEqual([[0, 0, 2, 1]]);
    // Final sets {2, 3} and {1}: no overlap.
    expect(cmp.body.jaccard).toEqual([{ a: s1.id, b: s2.id, mean: 0, perLayer: [0] }]);
    const mask = await callRoute(
      (await import("@/app/api/pruning-runs/[id]/keep-mask/route")).GET,
      `/api/pruning-runs/${s1.id}/keep-mask`,
      { params: { id: s1.id } },
    );
    expect(mask.body.keep).toEqual([[true, true, false, false]]);
    const first = await callRoute(
      (await import("@/app/api/pruning-runs/[id]/keep-mask/route")).GET,
      `/api/pruning-runs/${s1.id}/keep-mask?step=0`,
      { params: { id: s1.id } },
    );
    expect(first.body.keep).toEqual([[true, true, true, false]]);
    // The expert page (V4) knows which runs dropped it and when.
    const expertRoute = await import("@/app/api/runs/[id]/experts/[expert]/route");
    const e2 = await callRoute(expertRoute.GET, `/api/runs/${run.id}/experts/2`, {
      params: { id: run.id, expert: "2" },
    });
    expect(e2.body.pruning).toEqual([
      { id: s1.id, name: s1.name, label: "EUF", schedule: "one-shot", stepPerLayer: [2] },
    ]);
    const e0 = await callRoute(expertRoute.GET, `/api/runs/${run.id}/experts/0`, {
      params: { id: run.id, expert: "0" },
    });
    expect(e0.body.pruning).toEqual([]);
  });
});
