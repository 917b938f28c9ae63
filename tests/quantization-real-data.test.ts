import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { averageBits } from "@/lib/analysis/quantization";
import { allocationFor } from "@/lib/demo/seed-paper-results";
import { findPreset } from "@/lib/models/presets";
import { sharedFile } from "./support/shared-data";

// A10 against QuantMoE-Bench's Mixtral-8x7B setups (../shared/data/papers/quantmoe-bench.json).
const bench: { mixtralConfigs: { name: string; avgBits: number }[] } = JSON.parse(
  fs.readFileSync(sharedFile("papers/quantmoe-bench.json"), "utf8"),
);
const mixtral = findPreset("mixtral-8x7b")!;
const L = mixtral.layers;
const E = mixtral.experts;
// Any load works for the average: which experts are "most used" does not change the bit count.
const load = Array.from({ length: L }, (_, l) => Array.from({ length: E }, (_, e) => (e * 5 + l * 3) % E));

describe("QuantMoE-Bench Mixtral-8x7B average bits", () => {
  it("has the six setups", () => {
    expect(bench.mixtralConfigs).toHaveLength(6);
  });
  for (const cfg of bench.mixtralConfigs) {
    it(cfg.name, () => {
      const got = averageBits(mixtral.params!, L, E, allocationFor(cfg.name, load)!).avgBits;
      expect(Math.abs(got - cfg.avgBits)).toBeLessThan(0.005);
    });
  }
});
