import fs from "node:fs";
import path from "node:path";

/**
 * The real LLaMA-MoE (2/8) co-activation data of ../shared/data/real as an aggregate shard:
 * k = 2, so each row of C sums to that expert's load; 204,800 tokens per layer.
 */
export function llamaMoeAggregate(sharedData: string, variant = "base", shard = `c2r-${variant}`) {
  const file = path.join(sharedData, "real/llama-moe-c2r-coactivation.json");
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: these tests read the real data in ../shared/data`);
  const matrices: number[][][] = JSON.parse(fs.readFileSync(file, "utf8")).coactivation[variant];
  return {
    matrices,
    doc: {
      format: "moe-atlas.aggregate.v1",
      shard,
      layers: matrices.map((c, layer) => ({
        layer,
        tokens: 204800,
        load: c.map((row) => row.reduce((a, b) => a + b, 0)),
        coactivation: c,
      })),
    },
  };
}
