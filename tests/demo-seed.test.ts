import { ANONYMOUS_OPEN } from "@/lib/auth/viewer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { balanceMetrics } from "@/lib/analysis/balance";
import { getLayerAggregate } from "@/lib/db/queries/layer-aggregates";
import { getRun, listRuns } from "@/lib/db/queries/runs";
import { DEMO_RUNS, DEMO_SERIES, seedDemoRuns } from "@/lib/demo/seed-demo-runs";
import { getSeriesView } from "@/lib/runs/get-series-view";
import { planStructure } from "@/lib/demo/synthetic-trace";
import quantBench from "@/lib/demo/papers/quantmoe-bench.json";
import { seedPaperResults } from "@/lib/demo/seed-paper-results";
import { listPruningRuns } from "@/lib/db/queries/pruning-runs";
import { listQuantResults } from "@/lib/db/queries/quant-results";
import { openTestDatabase } from "./support/test-db";
import { meanCollaborationEntropy } from "@/lib/analysis/collaboration";
import { getComparison } from "@/lib/runs/compare-runs";

type TestDb = Awaited<ReturnType<typeof openTestDatabase>>;

// The first start on an empty embedded database: demo runs go in through the real ingest path.
describe("demo seeding on PGlite", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDatabase("pglite");
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("seeds once, and the analyses find the planted hot and dead experts", async () => {
    const seeded = await seedDemoRuns(t.db);
    // Then the papers' results: MC-Suite's 12 pruning runs and QuantMoE-Bench's 6 settings, with
    // average bits as the paper states them, the usage-based ones counted on the demo Mixtral run.
    await seedPaperResults(t.db, seeded[0]);
    await seedPaperResults(t.db, seeded[0]);
    expect(await listPruningRuns(t.db, ANONYMOUS_OPEN)).toHaveLength(12);
    const quant = await listQuantResults(t.db, ANONYMOUS_OPEN);
    expect(quant).toHaveLength(6);
    for (const q of quant)
      expect(Math.abs(q.avgBits - quantBench.mixtralConfigs.find((c) => c.name === q.name)!.avgBits)).toBeLessThan(
        0.005,
      );
    expect(quant.filter((q) => q.runId === seeded[0].id)).toHaveLength(2);
    expect(quant[0].source).toMatch(/QuantMoE|Quantization for Mixture-of-Experts/);
    expect(seeded.slice(0, DEMO_RUNS.length).map((r) => r.name)).toEqual(DEMO_RUNS.map((d) => d.name));
    expect(await seedDemoRuns(t.db)).toEqual([]);
    expect((await listRuns(t.db, {}, { open: false, tokenId: null, tokenName: null, admin: false })).runs.length).toBe(
      DEMO_RUNS.length + DEMO_SERIES.steps.length,
    );

    const mixtral = seeded[0];
    const cfg = mixtral.model.config;
    expect(mixtral.events).toBe(DEMO_RUNS[0].tokens * cfg.layers);
    expect(mixtral.labels).toEqual(["code", "math", "prose"]);
    const plan = planStructure({
      model: cfg,
      tokens: DEMO_RUNS[0].tokens,
      seed: DEMO_RUNS[0].seed,
      labels: ["code", "math", "prose"],
    });
    for (let l = 0; l < cfg.layers; l++) {
      const m = balanceMetrics((await getLayerAggregate(t.db, mixtral.id, l, cfg.experts)).load);
      expect(m.dead).toEqual([...plan.dead[l]].sort((a, b) => a - b));
      const top = [...m.loadShare.keys()].sort((a, b) => m.loadShare[b] - m.loadShare[a]);
      for (const h of plan.hot[l]) expect(top.slice(0, 3)).toContain(h);
    }
  });

  it("holds a vanilla and a C2R run of the same tokens, so Compare pairs every event on first start", async () => {
    const { runs } = await listRuns(t.db, {}, ANONYMOUS_OPEN);
    const vanilla = runs.find((r) => r.name === DEMO_RUNS[0].name)!;
    const c2r = runs.find((r) => r.name === DEMO_RUNS[3].name)!;
    expect(c2r.policy).toBe("c2r:T=2");
    const cmp = await getComparison(t.db, (await getRun(t.db, vanilla.id))!, (await getRun(t.db, c2r.id))!, {
      paired: true,
    });
    expect(cmp.paired).toMatchObject({ matchedEvents: 3000 * 32, unmatchedA: 0, unmatchedB: 0 });
    expect(cmp.meanFlipRate).toBeGreaterThan(0.05);
    expect(cmp.meanFlipRate).toBeLessThan(1);
    // C2R's point: experts collaborate with fewer others (mean collaboration entropy drops at every layer).
    for (let l = 0; l < 32; l++) {
      const h = async (id: string) =>
        meanCollaborationEntropy((await getLayerAggregate(t.db, id, l, 8)).coactivation, 8)!;
      expect(await h(c2r.id)).toBeLessThan(await h(vanilla.id));
    }
  });

  it("holds a series of checkpoints over the same tokens: balance improves, an expert dies, groups form, saturation reaches 1", async () => {
    const view = await getSeriesView(t.db, DEMO_SERIES.name, ANONYMOUS_OPEN, {
      placement: "contiguous",
      devices: 8,
      topT: 8,
    });
    const steps = view.steps;
    expect(steps.map((s) => s.step)).toEqual([...DEMO_SERIES.steps]);
    expect(steps.every((s) => s.events === DEMO_SERIES.tokens * 16)).toBe(true);
    const each = (m: "gini" | "dead" | "collaborationEntropy" | "topCoverage") => steps.map((s) => s[m]!);
    const gini = each("gini");
    for (let i = 1; i < gini.length; i++) expect(gini[i]).toBeLessThan(gini[i - 1]);
    // One expert dies: none dead at first, exactly one in every layer at the last two steps.
    expect(each("dead")[0]).toBe(0);
    expect(steps.at(-1)!.perLayer.dead).toEqual(Array(16).fill(1));
    expect(steps.at(-2)!.perLayer.dead).toEqual(Array(16).fill(1));
    // Groups form: experts collaborate with fewer others, their Top-T take more of their co-activation.
    expect(each("collaborationEntropy").at(-1)!).toBeLessThan(each("collaborationEntropy")[0] - 0.5);
    expect(each("topCoverage").at(-1)!).toBeGreaterThan(each("topCoverage")[0] + 0.1);
    const sat = view.routerSaturation.map((s) => s.mean!);
    for (let i = 1; i < sat.length; i++) expect(sat[i]).toBeGreaterThan(sat[i - 1]);
    expect(sat[0]).toBeLessThan(0.3);
    expect(sat.at(-1)).toBe(1);
    expect(view.routerSaturation.at(-1)!.perLayer).toEqual(Array(16).fill(1));
  });
});
