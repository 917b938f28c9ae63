import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getRun } from "@/lib/db/queries/runs";
import { ingestUpload } from "@/lib/ingest/ingest-upload";
import { createRunFromBody } from "@/lib/runs/create-run";
import { computePlacement } from "@/lib/runs/compute-placement";
import { runSimulation } from "@/lib/runs/run-simulation";
import { chunked } from "./support/snapshot-run";
import { openTestDatabase } from "./support/test-db";

type TestDb = Awaited<ReturnType<typeof openTestDatabase>>;

/** Seeded top-k events over L layers: each token draws from one of a few overlapping clusters. */
function events(seed: number, L: number, E: number, k: number, tokens: number, withLogits = false) {
  let x = seed;
  const r = () => (x = (x * 48271) % 2147483647) / 2147483647;
  const out: { layer: number; experts: number[]; logits?: number[] }[] = [];
  for (let t = 0; t < tokens; t++) {
    for (let l = 0; l < L; l++) {
      const c = Math.floor(r() * 6);
      const set = new Set<number>();
      while (set.size < k) set.add(r() < 0.75 ? (c * 3 + l * 5 + Math.floor(r() * 5)) % E : Math.floor(r() * E));
      const experts = [...set];
      out.push({
        layer: l,
        experts,
        ...(withLogits ? { logits: Array.from({ length: E }, (_, e) => (set.has(e) ? 3 + r() : r())) } : {}),
      });
    }
  }
  return out;
}

/** Σ_t |devices| / tokens, counted here on the uploaded events, independently of the app. */
function ctOn(evs: { layer: number; experts: number[] }[], layer: number, placement: number[][]) {
  const dev = new Map<number, number>();
  placement.forEach((g, d) => g.forEach((e) => dev.set(e, d)));
  const mine = evs.filter((e) => e.layer === layer);
  return mine.reduce((s, e) => s + new Set(e.experts.map((x) => dev.get(x))).size, 0) / mine.length;
}

describe("placement beyond top-2 on the raw events (A5)", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDatabase("pglite");
  });
  afterAll(async () => {
    await t?.drop();
  });

  const upload = async (model: Parameters<typeof createRunFromBody>[1]["model"], lines: object[]) => {
    const run = await createRunFromBody(t.db, { name: "placement", model });
    await ingestUpload(
      t.db,
      run,
      chunked(new TextEncoder().encode(lines.map((l) => JSON.stringify(l)).join("\n"))),
      {},
    );
    return (await getRun(t.db, run.id))!;
  };

  it("top-4: optimized is never worse than greedy on any layer and swap-locally optimal, C_T counted on the events", async () => {
    const model = {
      name: "Top4",
      layers: 3,
      experts: 24,
      topK: 4,
      sharedExperts: 0,
      router: "softmax" as const,
      renormalize: true,
      hidden: 1024,
    };
    const evs = events(11, 3, 24, 4, 700);
    const run = await upload(model, evs);
    for (const devices of [4, 6]) {
      const greedy = await computePlacement(t.db, run, devices, "greedy");
      const opt = await computePlacement(t.db, run, devices, "optimized");
      expect(opt.objective).toBe("events");
      expect(opt.note).toMatch(/top-4 is counted on the run's 2,100 raw events .*minimizes that count itself/);
      expect(opt.note).not.toMatch(/top-2/);
      let strictly = 0;
      for (let l = 0; l < 3; l++) {
        const cg = ctOn(evs, l, greedy.placement[l]);
        const co = ctOn(evs, l, opt.placement[l]);
        expect(greedy.ctPerLayer[l]).toBeCloseTo(cg, 12);
        expect(opt.ctPerLayer[l]).toBeCloseTo(co, 12);
        expect(co).toBeLessThanOrEqual(cg + 1e-12);
        if (co < cg - 1e-12) strictly++;
        // No single swap of two experts on different devices lowers C_T on the events.
        const p = opt.placement[l];
        for (let a = 0; a < devices; a++)
          for (let b = a + 1; b < devices; b++)
            for (const x of p[a])
              for (const y of p[b]) {
                const q = p.map((g) => g.map((e) => (e === x ? y : e === y ? x : e)));
                expect(ctOn(evs, l, q)).toBeGreaterThanOrEqual(co - 1e-12);
              }
        // A5 bytes: 2 · Σ_t |devices| · hidden · dtype size (bf16, 2 bytes).
        expect(opt.bytesPerLayer[l]).toBeCloseTo(2 * co * 700 * 1024 * 2, 3);
      }
      expect(strictly).toBeGreaterThan(0);
      expect(opt.hidden).toBe(1024);
      expect(opt.dtype).toBe("bf16");
    }
  });

  it("says what it minimizes for aggregate-only runs, and states k = 1 without '(top-2)'", async () => {
    const wide = {
      name: "Top4agg",
      layers: 1,
      experts: 8,
      topK: 4,
      sharedExperts: 0,
      router: "softmax" as const,
      renormalize: true,
    };
    const run = await createRunFromBody(t.db, { name: "agg", model: wide });
    const doc = { format: "moe-atlas.aggregate.v1", layers: [{ layer: 0, tokens: 2, load: [2, 2, 1, 1, 1, 1, 0, 0] }] };
    await ingestUpload(t.db, run, chunked(new TextEncoder().encode(JSON.stringify(doc))), {});
    const r = await computePlacement(t.db, (await getRun(t.db, run.id))!, 2, "optimized");
    expect(r.objective).toBe("colocation-proxy");
    expect(r.note).toMatch(/maximizes co-located co-activation .* a proxy for C_T, not C_T itself/);
    const top1 = await upload(
      {
        name: "Switch",
        layers: 1,
        experts: 4,
        topK: 1,
        sharedExperts: 0,
        router: "softmax" as const,
        renormalize: false,
      },
      [
        { layer: 0, experts: [1] },
        { layer: 0, experts: [2] },
      ],
    );
    const one = await computePlacement(t.db, top1, 2, "optimized");
    expect(one.note).not.toMatch(/top-2/);
    expect(one.note).toMatch(/Top-1: every token reaches exactly one device/);
    expect(one.ctPerLayer[0]).toBe(1);
    const two = await upload(
      { name: "Mix", layers: 1, experts: 4, topK: 2, sharedExperts: 0, router: "softmax" as const, renormalize: true },
      [{ layer: 0, experts: [1, 2] }],
    );
    expect((await computePlacement(t.db, two, 2, "optimized")).note).toMatch(/maximum-weight perfect matching/);
  });

  it("C2R with T < k − 1 is refused with a 400 naming T", async () => {
    const model = {
      name: "Top4logits",
      layers: 1,
      experts: 8,
      topK: 4,
      sharedExperts: 0,
      router: "softmax" as const,
      renormalize: true,
    };
    const run = await upload(model, events(3, 1, 8, 4, 20, true));
    await expect(runSimulation(t.db, run, { kind: "c2r", topT: 2 }, 2)).rejects.toMatchObject({
      status: 400,
      where: "topT",
      message: expect.stringMatching(/T = 2 is fewer than 3 candidates/),
    });
    await expect(runSimulation(t.db, run, { kind: "c2r", topT: 8 }, 2)).rejects.toMatchObject({
      status: 400,
      where: "topT",
    });
    const ok = await runSimulation(t.db, run, { kind: "c2r", topT: 3 }, 2);
    expect(ok.layers[0].simulated.load.reduce((s, x) => s + x, 0)).toBe(20 * 4);
  });
});
