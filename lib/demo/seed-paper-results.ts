import { count, sql } from "drizzle-orm";
import { suggestByBlock, suggestByUsage, type BitAllocation } from "@/lib/analysis/quantization";
import { ANONYMOUS_OPEN, type Viewer } from "@/lib/auth/viewer";
import type { Db } from "@/lib/db/client";
import { getAllLayerAggregates } from "@/lib/db/queries/layer-aggregates";
import type { RunWithModel } from "@/lib/db/queries/runs";
import { pruningRuns, quantResults } from "@/lib/db/schema";
import { createPruningRuns } from "@/lib/pruning/create-pruning-run";
import { parsePruningImport } from "@/lib/pruning/import-pruning";
import { createQuantResults } from "@/lib/quant/quant-results";
import mcSuite from "./papers/mc-suite-mixtral.json";
import quantBench from "./papers/quantmoe-bench.json";

const SEEDER: Viewer = ANONYMOUS_OPEN;

/**
 * The papers' numbers as demo results, cited (copies of ../shared/data/papers, so a fresh machine
 * has them): MC-Suite's Mixtral-8x7B expert-dropping tables as pruning runs, and QuantMoE-Bench's
 * Mixtral settings as quantization results. Usage-based settings take "most used" from the demo
 * Mixtral run's trace (the paper's own calibration trace is not in the data), which is said in
 * their source. Seeds once, under a table lock.
 */
export async function seedPaperResults(db: Db, mixtralRun: RunWithModel | null) {
  await db.transaction(async (tx) => {
    await tx.execute(sql`lock table pruning_runs in share row exclusive mode`);
    const [{ n }] = await tx.select({ n: count() }).from(pruningRuns);
    if (n > 0) return;
    const bodies = parsePruningImport(JSON.stringify(mcSuite), "json", {});
    await createPruningRuns(
      tx,
      bodies.map((b) => ({ ...b, tags: ["paper", "mc-suite"] })),
      SEEDER,
    );
  });
  await db.transaction(async (tx) => {
    await tx.execute(sql`lock table quant_results in share row exclusive mode`);
    const [{ n }] = await tx.select({ n: count() }).from(quantResults);
    if (n > 0) return;
    const loads = mixtralRun
      ? (await getAllLayerAggregates(tx, mixtralRun.id, 32, 8)).map((a) => Array.from(a.load))
      : null;
    const bodies = quantBench.mixtralConfigs.flatMap((cfg) => {
      const alloc = allocationFor(cfg.name, loads);
      if (!alloc) return [];
      const usage = /most used/.test(cfg.name);
      return [
        {
          name: cfg.name,
          model: { preset: "mixtral-8x7b" },
          method: "GPTQ",
          groupSize: 128,
          bits: alloc,
          metrics: {},
          source: `${quantBench.paper}: setting and average bits (paper: ${cfg.avgBits})${usage ? "; most used experts counted on the demo Mixtral run" : ""}`,
          runId: usage && mixtralRun ? mixtralRun.id : null,
          tags: ["paper", "quantmoe-bench"],
        },
      ];
    });
    await createQuantResults(tx, bodies, SEEDER);
  });
}

/** The allocation a QuantMoE-Bench setting name describes; usage settings need loads. */
export function allocationFor(name: string, loads: number[][] | null): BitAllocation | null {
  let m = /^attention (\d+) bits, top-(\d+) most used experts per layer (\d+) bits, other experts (\d+) bits$/.exec(
    name,
  );
  if (m) return loads ? suggestByUsage(loads, { attention: +m[1], topPerLayer: +m[2], high: +m[3], low: +m[4] }) : null;
  m = /^attention (\d+) bits, all experts (\d+) bits$/.exec(name);
  if (m) return suggestByBlock(32, 8, { attention: +m[1], firstBlocks: 0, high: +m[2], low: +m[2] });
  m = /^attention (\d+) bits, first (\d+) MoE blocks' experts (\d+) bits, rest (\d+) bits$/.exec(name);
  if (m) return suggestByBlock(32, 8, { attention: +m[1], firstBlocks: +m[2], high: +m[3], low: +m[4] });
  return null;
}
