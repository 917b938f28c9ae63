import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { collaboration, meanCollaborationEntropy } from "@/lib/analysis/collaboration";
import { contiguousPlacement, placementCost } from "@/lib/analysis/placement";
import { greedyPlacement, optimizePlacement } from "@/lib/analysis/placement-search";
import { labelSpecialization } from "@/lib/analysis/specialization";
import { runPython } from "./support/python";
import { SHARED_DATA, sharedFile } from "./support/shared-data";

// lib/analysis against numbers computed independently (numpy) from the real data.
let ref: {
  entropy: Record<string, number[][]>;
  specialization: Record<string, { layer: number; labels: string[]; mix: number[]; kl: number[] }[]>;
};
let co: Record<string, number[][][]>;
let domains: { layers: number[]; counts: Record<string, Record<string, number[][]>> };

beforeAll(() => {
  co = JSON.parse(fs.readFileSync(sharedFile("real/llama-moe-c2r-coactivation.json"), "utf8")).coactivation;
  domains = JSON.parse(fs.readFileSync(sharedFile("real/olmoe-mixtral-domain-expert-counts.json"), "utf8"));
  ref = JSON.parse(runPython(path.join(__dirname, "fixtures/reference_analyses.py"), [SHARED_DATA]));
});

describe("A3 collaboration entropy on the real LLaMA-MoE co-activation data", () => {
  it("matches numpy expert by expert, in every layer and every C2R variant", () => {
    for (const [variant, mats] of Object.entries(co)) {
      mats.forEach((m, l) => {
        const got = collaboration(m.flat(), 8, 2).map((e) => e.entropy);
        ref.entropy[variant][l].forEach((h, i) => expect(got[i]).toBeCloseTo(h, 12));
      });
    }
  });

  it("reproduces the paper's means: about 1.21 nats released, about 0.15 after C2R with T = 1", () => {
    const mean = (variant: string) =>
      co[variant].reduce((s, m) => s + meanCollaborationEntropy(m.flat(), 8)!, 0) / co[variant].length;
    expect(mean("base")).toBeCloseTo(1.21, 2);
    expect(mean("topt_1")).toBeCloseTo(0.15, 2);
    // Constraining routing to fewer collaborators lowers entropy: T = 1 < 2 < ... < released.
    const order = ["topt_1", "topt_2", "topt_3", "base"].map(mean);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});

describe("A8 domain specialization on the real OLMoE and Mixtral per-domain counts", () => {
  it("matches numpy's label mix and KL per expert", () => {
    for (const [model, layers] of Object.entries(ref.specialization)) {
      const E = model === "olmoe" ? 64 : 8;
      layers.forEach((want, i) => {
        const got = labelSpecialization(
          want.labels,
          want.labels.map((d) => domains.counts[model][d][i]),
          E,
        );
        want.mix.forEach((m, l) => expect(got.mix[want.labels[l]]).toBeCloseTo(m, 12));
        want.kl.forEach((kl, e) => expect(got.perExpert[e].kl).toBeCloseTo(kl, 12));
      });
    }
  });

  it("finds OLMoE's experts far more domain-specialized than Mixtral's, as the OLMoE paper reports", () => {
    const meanKl = (model: string, E: number) => {
      const labels = Object.keys(domains.counts[model]);
      const last = domains.layers.length - 1;
      const s = labelSpecialization(
        labels,
        labels.map((d) => domains.counts[model][d][last]),
        E,
      );
      return s.perExpert.reduce((a, e) => a + (e.kl ?? 0), 0) / E;
    };
    expect(meanKl("olmoe", 64)).toBeGreaterThan(3 * meanKl("mistral", 8));
  });
});

describe("A5 placement on the real LLaMA-MoE co-activation (4 devices x 2 experts)", () => {
  const cost = (m: number[][], p: number[][]) => {
    const flat = m.flat();
    const load = m.map((row) => row.reduce((a, b) => a + b, 0));
    return placementCost(flat, load, 204800, 2, p).ct!;
  };
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

  it("gives the published contiguous and greedy C_T, and our optimizer beats greedy on every layer", () => {
    const base = co.base;
    const contiguous = base.map((m) => cost(m, contiguousPlacement(8, 4)));
    const greedy = base.map((m) => cost(m, greedyPlacement(m.flat(), 8, 4)));
    const optimized = base.map((m) =>
      cost(m, optimizePlacement(m.flat(), 8, 4, { starts: [greedyPlacement(m.flat(), 8, 4)] })),
    );
    expect(mean(contiguous)).toBeCloseTo(1.87, 2);
    expect(mean(greedy)).toBeCloseTo(1.53, 2);
    optimized.forEach((o, l) => expect(o).toBeLessThanOrEqual(greedy[l] + 1e-12));
    expect(mean(optimized)).toBeLessThan(mean(greedy));
  });
});
