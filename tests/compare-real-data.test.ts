import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compareRuns, type ComparedLayer, topKFlips } from "@/lib/analysis/compare";
import { mixtralAggregates } from "./support/mixtral-routing";
import { runPython } from "./support/python";
import { SHARED_DATA, sharedFile } from "./support/shared-data";

// A11 against numpy and scipy (tests/fixtures/reference_compare.py) on the real data.
type RefLayer = { jsd: number; scipy: number; relative: number };
let ref: { llama: Record<string, RefLayer[]>; mixtral: RefLayer[]; flips: { tokens: number; flips: number }[] };
let llama: Record<string, ComparedLayer[]>;

beforeAll(() => {
  const co: Record<string, number[][][]> = JSON.parse(
    fs.readFileSync(sharedFile("real/llama-moe-c2r-coactivation.json"), "utf8"),
  ).coactivation;
  // k = 2 and no empty slots: a row of C sums to the load; 204,800 tokens per layer.
  llama = Object.fromEntries(
    Object.entries(co).map(([v, mats]) => [
      v,
      mats.map((m) => ({ tokens: 204800, load: m.map((r) => r.reduce((a, b) => a + b, 0)), coactivation: m.flat() })),
    ]),
  );
  ref = JSON.parse(runPython(path.join(__dirname, "fixtures/reference_compare.py"), [SHARED_DATA]));
});

function expectMatches(got: ReturnType<typeof compareRuns>, want: RefLayer[]) {
  expect(got.perLayer).toHaveLength(want.length);
  got.perLayer.forEach((l, i) => {
    expect(l.jsd).toBeCloseTo(want[i].jsd, 12);
    expect(l.jsd).toBeCloseTo(want[i].scipy, 12);
    expect(l.coactivationRelative).toBeCloseTo(want[i].relative, 12);
  });
}

describe("A11 on the released vs C2R-trained LLaMA-MoE (2/8) co-activation", () => {
  it("matches numpy and scipy per layer for every C2R variant", () => {
    for (const [variant, want] of Object.entries(ref.llama))
      expectMatches(compareRuns(llama[variant], llama.base, 8), want);
  });

  it("moves further from the released model the tighter the constraint (smaller T)", () => {
    const means = [1, 2, 3, 4, 5, 6].map((t) => compareRuns(llama[`topt_${t}`], llama.base, 8));
    for (let t = 1; t < 6; t++) {
      expect(means[t].meanJsd!).toBeLessThan(means[t - 1].meanJsd!);
      expect(means[t].meanCoactivationRelative!).toBeLessThan(means[t - 1].meanCoactivationRelative!);
    }
    expect(compareRuns(llama.base, llama.base, 8)).toMatchObject({ meanJsd: 0, meanCoactivationRelative: 0 });
  });
});

describe("A11 on real Mixtral routing logs", () => {
  it("compares gsm8k with humaneval per layer as numpy does", () => {
    const [a, b] = ["gsm8k", "humaneval"].map((d) => mixtralAggregates(sharedFile(`real/mixtral-${d}-routing.jsonl`)));
    expectMatches(compareRuns(a, b, 8), ref.mixtral);
  });

  it("counts top-2 set flips between consecutive layers of the same tokens as Python's sets do, batch by batch", () => {
    // The shared data has no paired runs; layers l and l + 1 of one token are real paired top-2 ids.
    const lines = fs.readFileSync(sharedFile("real/mixtral-gsm8k-routing.jsonl"), "utf8").split("\n").filter(Boolean);
    const byToken = new Map<string, Map<number, number[]>>();
    for (const line of lines) {
      const e = JSON.parse(line) as { problem_id: number; token_idx: number; layer: number; experts: number[] };
      const key = `${e.problem_id}:${e.token_idx}`;
      if (!byToken.has(key)) byToken.set(key, new Map());
      byToken.get(key)!.set(e.layer, e.experts);
    }
    ref.flips.forEach((want, layer) => {
      const pairs = [...byToken.values()].filter((t) => t.has(layer) && t.has(layer + 1));
      const ids = (l: number) => Int16Array.from(pairs.flatMap((t) => t.get(l)!));
      const [a, b] = [ids(layer), ids(layer + 1)];
      const half = pairs.length >> 1;
      const flips =
        topKFlips(2, a.subarray(0, 2 * half), b.subarray(0, 2 * half), half) +
        topKFlips(2, a.subarray(2 * half), b.subarray(2 * half), pairs.length - half);
      expect([pairs.length, flips]).toEqual([want.tokens, want.flips]);
    });
  });
});
