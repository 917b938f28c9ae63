import { ANONYMOUS_OPEN } from "@/lib/auth/viewer";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getRun, type RunWithModel } from "@/lib/db/queries/runs";
import { ingestUpload } from "@/lib/ingest/ingest-upload";
import { getComparison } from "@/lib/runs/compare-runs";
import { createRunFromBody } from "@/lib/runs/create-run";
import { getExpertView } from "@/lib/runs/get-expert-view";
import { getExpertsView } from "@/lib/runs/get-experts-view";
import { getLayerGroups } from "@/lib/runs/get-layer-groups";
import { llamaMoeAggregate } from "./support/llama-moe-aggregate";
import { runPython } from "./support/python";
import { SHARED_DATA, sharedFile } from "./support/shared-data";
import { chunked } from "./support/snapshot-run";
import { openTestDatabase } from "./support/test-db";

type TestDb = Awaited<ReturnType<typeof openTestDatabase>>;

/**
 * Issue 4's "done when": the real co-activation data and the real per-domain expert counts, uploaded
 * as aggregates through the ingest path, give collaboration entropies and domain specialization equal
 * to numpy's (tests/fixtures/reference_analyses.py), read back through the views' own functions.
 */
describe("real aggregates through storage, against numpy", () => {
  let t: TestDb;
  let ref: {
    entropy: Record<string, number[][]>;
    specialization: Record<string, { layer: number; labels: string[]; mix: number[]; kl: number[] }[]>;
  };
  beforeAll(async () => {
    t = await openTestDatabase("pglite");
    ref = JSON.parse(runPython(path.join(__dirname, "fixtures/reference_analyses.py"), [SHARED_DATA]));
  });
  afterAll(async () => {
    await t?.drop();
  });
  const upload = async (preset: string, name: string, doc: unknown): Promise<RunWithModel> => {
    const run = await createRunFromBody(t.db, { name, model: { preset } });
    await ingestUpload(t.db, run, chunked(new TextEncoder().encode(JSON.stringify(doc)), 1 << 16), {});
    return (await getRun(t.db, run.id))!;
  };

  it("LLaMA-MoE: entropies per expert and layer equal numpy's; the C2R-trained model's are lower; A11 sees the difference", async () => {
    const base = await upload("llama-moe-3.5b-2of8", "released", llamaMoeAggregate(SHARED_DATA, "base").doc);
    const c2r = await upload("llama-moe-3.5b-2of8", "C2R T=1", llamaMoeAggregate(SHARED_DATA, "topt_1").doc);
    const meanOf = async (run: RunWithModel, variant: string) => {
      let sum = 0;
      for (let l = 0; l < 32; l++) {
        const view = await getExpertsView(t.db, run, l, 2);
        view.experts.forEach((e, i) => expect(e.collaborationEntropy).toBeCloseTo(ref.entropy[variant][l][i], 12));
        sum += view.meanCollaborationEntropy!;
      }
      return sum / 32;
    };
    const released = await meanOf(base, "base");
    const constrained = await meanOf(c2r, "topt_1");
    expect(released).toBeCloseTo(1.21, 2);
    expect(constrained).toBeCloseTo(0.15, 2);
    // One expert across layers (V4) reads the same numbers.
    const e3 = await getExpertView(t.db, base, 3, 2, ANONYMOUS_OPEN);
    e3.perLayer.forEach((p, l) => expect(p.collaborationEntropy).toBeCloseTo(ref.entropy.base[l][3], 12));
    // Groups exist on the lift graph of every layer (A4).
    const g = await getLayerGroups(t.db, base, 0);
    expect(g.order.slice().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // A11: the two models route differently in every layer.
    const cmp = await getComparison(t.db, base, c2r, { layer: 0 });
    expect(cmp.perLayer.every((l) => l.jsd !== null && l.coactivationRelative! > 0.1)).toBe(true);
  });

  it("OLMoE and Mixtral per-domain counts: label mix and KL per expert equal numpy's", async () => {
    const real = JSON.parse(fs.readFileSync(sharedFile("real/olmoe-mixtral-domain-expert-counts.json"), "utf8"));
    for (const [model, preset, E] of [
      ["olmoe", "olmoe-1b-7b", 64],
      ["mistral", "mixtral-8x7b", 8],
    ] as const) {
      const counts: Record<string, number[][]> = real.counts[model];
      const domains = Object.keys(counts);
      const layers = (real.layers as number[]).map((layer, i) => ({
        layer,
        load: Array.from({ length: E }, (_, e) => domains.reduce((s, d) => s + counts[d][i][e], 0)),
        labels: Object.fromEntries(domains.map((d) => [d, counts[d][i]])),
      }));
      const run = await upload(preset, `${model} domains`, {
        format: "moe-atlas.aggregate.v1",
        shard: `${model}-domains`,
        layers,
      });
      for (const want of ref.specialization[model]) {
        const view = await getExpertsView(t.db, run, want.layer, 3);
        want.labels.forEach((label, l) => expect(view.labelMix![label]).toBeCloseTo(want.mix[l], 12));
        want.kl.forEach((kl, e) => expect(view.experts[e].labelKl).toBeCloseTo(kl, 12));
      }
    }
  });
});
