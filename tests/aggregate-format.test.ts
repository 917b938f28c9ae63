import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorResponse } from "@/lib/api/handler";
import { DomainError } from "@/lib/errors";
import { getLabelLoads, getLayerAggregate } from "@/lib/db/queries/layer-aggregates";
import { getRun, type RunWithModel } from "@/lib/db/queries/runs";
import { ingestUpload } from "@/lib/ingest/ingest-upload";
import { collaboration, meanCollaborationEntropy } from "@/lib/analysis/collaboration";
import { createRunFromBody } from "@/lib/runs/create-run";
import { computePlacement } from "@/lib/runs/compute-placement";
import { getExpertsView } from "@/lib/runs/get-experts-view";
import { llamaMoeAggregate } from "./support/llama-moe-aggregate";
import { SHARED_DATA, sharedFile } from "./support/shared-data";
import { chunked, snapshotRun } from "./support/snapshot-run";
import { openTestDatabase } from "./support/test-db";

type TestDb = Awaited<ReturnType<typeof openTestDatabase>>;
const enc = (doc: unknown) => new TextEncoder().encode(JSON.stringify(doc));

describe("aggregate JSON (moe-atlas.aggregate.v1)", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDatabase("postgres");
  });
  afterAll(async () => {
    await t?.drop();
  });
  const newRun = (preset: string) => createRunFromBody(t.db, { name: `agg ${preset}`, model: { preset } });
  const upload = (run: RunWithModel, doc: unknown) => ingestUpload(t.db, run, chunked(enc(doc), 4096), {});

  it("takes the real LLaMA-MoE co-activation data and reads every layer back exactly", async () => {
    const { matrices: base, doc } = llamaMoeAggregate(SHARED_DATA);
    const run = await newRun("llama-moe-3.5b-2of8");
    const res = await upload(run, doc);
    expect(res.format).toBe("aggregate");
    expect(res.tokens).toBe(204800);
    for (let l = 0; l < 32; l++) {
      const agg = await getLayerAggregate(t.db, run.id, l, 8);
      expect(agg.tokens).toBe(204800);
      expect(Array.from({ length: 8 }, (_, i) => Array.from(agg.coactivation.subarray(i * 8, i * 8 + 8)))).toEqual(
        base[l],
      );
    }
    // The experts view reads A3 off the stored matrices.
    const view = await getExpertsView(t.db, (await getRun(t.db, run.id))!, 0, 2);
    expect(view.meanCollaborationEntropy).toBeCloseTo(meanCollaborationEntropy(base[0].flat(), 8)!, 12);
    expect(view.experts[0].topCollaborators.map((c) => c.expert)).toEqual(
      collaboration(base[0].flat(), 8, 2)[0].topCollaborators.map((c) => c.expert),
    );
    expect(view.nextLayerPredictability).toBeNull(); // no transitions in this data
    // Placement (A5) on the stored data: the published contiguous and greedy C_T.
    const stored = (await getRun(t.db, run.id))!;
    const contiguous = await computePlacement(t.db, stored, 4, "contiguous");
    const greedy = await computePlacement(t.db, stored, 4, "greedy");
    const optimized = await computePlacement(t.db, stored, 4, "optimized");
    expect(contiguous.ctMean).toBeCloseTo(1.87, 2);
    expect(greedy.ctMean).toBeCloseTo(1.53, 2);
    optimized.ctPerLayer.forEach((ct, l) => expect(ct!).toBeLessThanOrEqual(greedy.ctPerLayer[l]! + 1e-12));
    expect(optimized.exact).toBe(true);
    expect(optimized.placement[0].flat().sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    await expect(computePlacement(t.db, stored, 3, "greedy")).rejects.toMatchObject({
      status: 400,
      code: "invalid_devices",
      where: "devices",
    });
    // The same shard again, even with other numbers, is refused, not added.
    const before = await snapshotRun(t.db, run.id);
    const again = { ...doc, layers: doc.layers.slice(0, 1) };
    const err = await upload(run, again).catch((e) => e);
    expect(err).toMatchObject({ kind: "conflict", code: "duplicate_upload" });
    expect(errorResponse(err).status).toBe(409);
    expect(err.message).toMatch(/shard "c2r-base"/);
    expect(await snapshotRun(t.db, run.id)).toBe(before);
  });

  it("takes the real OLMoE per-domain counts for a subset of layers, with labels", async () => {
    const real = JSON.parse(fs.readFileSync(sharedFile("real/olmoe-mixtral-domain-expert-counts.json"), "utf8"));
    const counts: Record<string, number[][]> = real.counts.olmoe;
    const domains = Object.keys(counts);
    const run = await newRun("olmoe-1b-7b");
    const layers = (real.layers as number[]).map((layer, i) => ({
      layer,
      load: counts[domains[0]][i].map((_, e) => domains.reduce((s, d) => s + counts[d][i][e], 0)),
      labels: Object.fromEntries(domains.map((d) => [d, counts[d][i]])),
    }));
    await upload(run, { format: "moe-atlas.aggregate.v1", shard: "olmoe-domains", layers });
    const stored = await getLabelLoads(t.db, run.id);
    expect(stored.map((s) => s.label)).toEqual([...domains].sort());
    for (const s of stored) {
      (real.layers as number[]).forEach((layer, i) =>
        expect(Array.from(s.load.subarray(layer * 64, layer * 64 + 64))).toEqual(counts[s.label][i]),
      );
      expect(Array.from(s.load.subarray(64, 128)).every((x) => x === 0)).toBe(true);
    }
    expect((await getRun(t.db, run.id))?.labels).toEqual([...domains].sort());
    const view = await getExpertsView(t.db, (await getRun(t.db, run.id))!, 7, 3);
    const mix = Object.values(view.experts[5].labelMix!);
    expect(mix.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(view.experts[5].labelKl).toBeGreaterThanOrEqual(0);
  });

  it("sums physical replicas into their logical experts", async () => {
    const run = await newRun("mixtral-8x7b");
    const map = [0, 1, 2, 3, 4, 5, 6, 7, 0, 5]; // slots 8 and 9 replicate experts 0 and 5
    const C = Array.from({ length: 10 }, () => new Array(10).fill(0));
    const link = (a: number, b: number, v: number) => ((C[a][b] = v), (C[b][a] = v));
    link(8, 5, 3); // replica of 0 with 5
    link(0, 9, 2); // 0 with replica of 5
    link(1, 2, 4);
    await upload(run, {
      format: "moe-atlas.aggregate.v1",
      physicalToLogical: [map],
      layers: [{ layer: 4, tokens: 100, load: [5, 4, 4, 0, 0, 3, 0, 0, 5, 2], coactivation: C }],
    });
    const agg = await getLayerAggregate(t.db, run.id, 4, 8);
    expect(Array.from(agg.load)).toEqual([10, 4, 4, 0, 0, 5, 0, 0]);
    expect(agg.coactivation[0 * 8 + 5]).toBe(5);
    expect(agg.coactivation[5 * 8 + 0]).toBe(5);
    expect(agg.coactivation[1 * 8 + 2]).toBe(4);
  });

  const E8 = (v: number) => new Array(8).fill(v);
  const sym = () => Array.from({ length: 8 }, () => E8(0));
  it.each([
    [
      "a non-symmetric coactivation",
      {
        coactivation: (() => {
          const c = sym();
          c[1][2] = 3;
          return c;
        })(),
      },
      "asymmetric_coactivation",
      /layers\[0\] \(layer 2\)\.coactivation\[1\]\[2\]/,
    ],
    ["a negative count", { load: [1, -2, 0, 0, 0, 0, 0, 0] }, "negative_count", /\.load\[1\]$/],
    ["a fractional count", { load: [1.5, 0, 0, 0, 0, 0, 0, 0] }, "invalid_count", /\.load\[0\]$/],
    ["a load of the wrong length", { load: [1, 2, 3] }, "shape_mismatch", /\.load$/],
    ["a load above the token count", { tokens: 3, load: [4, 0, 0, 0, 0, 0, 0, 0] }, "load_exceeds_tokens", /\.load$/],
    [
      "a non-zero diagonal",
      {
        coactivation: (() => {
          const c = sym();
          c[3][3] = 1;
          return c;
        })(),
      },
      "invalid_coactivation",
      /coactivation\[3\]\[3\]/,
    ],
    ["a layer beyond the model", { layer: 32 }, "layer_out_of_range", /layers\[0\]\.layer/],
    ["a missing load", { load: undefined }, "missing_field", /\.load$/],
  ])("refuses %s, naming the place, and stores nothing", async (_what, patch, code, where) => {
    const run = await newRun("mixtral-8x7b");
    await upload(run, { format: "moe-atlas.aggregate.v1", layers: [{ layer: 0, tokens: 10, load: E8(1) }] });
    const before = await snapshotRun(t.db, run.id);
    const layer = { layer: 2, tokens: 10, load: E8(1), ...patch };
    const err = await upload(run, { format: "moe-atlas.aggregate.v1", layers: [layer] }).catch((e) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ kind: "invalid", code });
    expect(errorResponse(err).status).toBe(400);
    expect(err.where).toMatch(where);
    expect(await snapshotRun(t.db, run.id)).toBe(before);
  });
});
