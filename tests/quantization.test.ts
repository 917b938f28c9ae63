import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { averageBits } from "@/lib/analysis/quantization";
import { findPreset } from "@/lib/models/presets";
import { sharedFile } from "./support/shared-data";
import { callRoute, postJson, useRouteDatabase } from "./support/route-calls";

describe("quantization results through the route handlers (§5, A10)", () => {
  useRouteDatabase("pglite");

  it("the usage suggester on the real Mixtral trace picks each layer's two most used experts, and the saved config averages 2.54 bits", async () => {
    const runs = await import("@/app/api/runs/route");
    const traces = await import("@/app/api/runs/[id]/traces/route");
    const file = sharedFile("real/mixtral-humaneval-routing.jsonl");
    const run = (
      await callRoute(runs.POST, "/api/runs", postJson({ name: "humaneval", model: { preset: "mixtral-8x7b" } }))
    ).body;
    expect(
      (
        await callRoute(traces.POST, `/api/runs/${run.id}/traces`, {
          method: "POST",
          body: fs.readFileSync(file),
          params: { id: run.id },
        })
      ).status,
    ).toBe(200);

    // Counted independently: plain loops over the JSON lines.
    const count = Array.from({ length: 32 }, () => new Array(8).fill(0));
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
      if (!line) continue;
      const e = JSON.parse(line) as { layer: number; experts: number[] };
      for (const x of e.experts) count[e.layer][x]++;
    }
    const suggest = await import("@/app/api/quant-results/suggest/route");
    const s = await callRoute(
      suggest.POST,
      "/api/quant-results/suggest",
      postJson({ strategy: "usage", runId: run.id, budget: 2.55, high: 4, low: 2, attention: 4 }),
    );
    expect(s.status).toBe(200);
    s.body.bits.experts.forEach((row: number[], l: number) => {
      const high = row.flatMap((b, e) => (b === 4 ? [e] : []));
      expect(high).toHaveLength(2);
      // The two 4-bit experts carry the two largest loads of the layer (ties resolved either way).
      const top2 = [...count[l]].sort((a, b) => b - a).slice(0, 2);
      expect(high.map((e) => count[l][e]).sort((a, b) => b - a)).toEqual(top2);
    });
    expect(s.body.avgBits).toBeCloseTo(2.54, 2);
    // At the view's default 2.54 (top-2 everywhere is 2.5434, over): the whole budget up to one
    // expert's step, never over. Top-1 everywhere, then every layer's second expert but the one
    // whose second expert carries the smallest share of its layer's load.
    const d = await callRoute(
      suggest.POST,
      "/api/quant-results/suggest",
      postJson({ strategy: "usage", runId: run.id, budget: 2.54, high: 4, low: 2, attention: 4 }),
    );
    expect(d.status).toBe(200);
    expect(d.body.step).toBeCloseTo(0.007587, 6);
    expect(d.body.avgBits).toBeLessThanOrEqual(2.54);
    expect(d.body.avgBits).toBeGreaterThan(2.54 - d.body.step);
    const highs = d.body.bits.experts.map((row: number[]) => row.filter((b) => b === 4).length);
    expect(highs.reduce((a: number, b: number) => a + b, 0)).toBe(63);
    const secondShare = count.map((c) => [...c].sort((a, b) => b - a)[1] / c.reduce((a, b) => a + b, 0));
    const short = highs.indexOf(1);
    expect(highs.filter((h: number) => h === 1)).toHaveLength(1);
    expect(secondShare[short]).toBe(Math.min(...secondShare));
    const inverted = await callRoute(
      suggest.POST,
      "/api/quant-results/suggest",
      postJson({ strategy: "usage", runId: run.id, budget: 3, high: 2, low: 4 }),
    );
    expect(inverted.status).toBe(400);
    expect(inverted.body.error.where).toBe("high");

    const create = await import("@/app/api/quant-results/route");
    const saved = await callRoute(
      create.POST,
      "/api/quant-results",
      postJson({
        name: "usage top-2 at 4 bits",
        model: { preset: "mixtral-8x7b" },
        method: "GPTQ",
        groupSize: 128,
        bits: s.body.bits,
        runId: run.id,
        metrics: { wikitext_ppl: 4.9 },
      }),
    );
    expect(saved.status).toBe(201);
    const mixtral = findPreset("mixtral-8x7b")!;
    expect(saved.body.avgBits).toBe(averageBits(mixtral.params!, 32, 8, s.body.bits).avgBits);
    expect(saved.body.avgBits).toBeCloseTo(2.54, 2);
    expect(saved.body.runId).toBe(run.id);
  });

  it("takes uniform and per-layer shorthands and CSV, and refuses bad shapes saying where", async () => {
    const create = await import("@/app/api/quant-results/route");
    const imp = await import("@/app/api/quant-results/import/route");
    const list = await import("@/app/api/quant-results/route");
    const uniform = await callRoute(
      create.POST,
      "/api/quant-results",
      postJson({ name: "all 2", model: { preset: "mixtral-8x7b" }, method: "RTN", bits: { attention: 4, experts: 2 } }),
    );
    expect(uniform.body.avgBits).toBeCloseTo(2.06, 2);
    const csv = [
      "name,method,group_size,attention_bits,expert_bits,arc_e",
      '"w8, e2",GPTQ,128,8,2,71.2',
      "w4 e4,GPTQ,128,4,4,78.0",
    ].join("\n");
    const ok = await callRoute(imp.POST, "/api/quant-results/import?model=mixtral-8x7b", { method: "POST", body: csv });
    expect(ok.status).toBe(201);
    expect(ok.body.created.map((r: { avgBits: number }) => Number(r.avgBits.toFixed(2)))).toEqual([2.17, 4]);
    expect(ok.body.created[0]).toMatchObject({ name: "w8, e2", metrics: { arc_e: 71.2 } });
    const before = (await callRoute(list.GET, "/api/quant-results")).body.quantResults.length;
    const bad = await callRoute(imp.POST, "/api/quant-results/import", {
      method: "POST",
      body: JSON.stringify([
        { name: "a", model: "mixtral-8x7b", method: "GPTQ", bits: { attention: 4, experts: 2 } },
        { name: "b", model: "mixtral-8x7b", method: "GPTQ", bits: { attention: 4, experts: [2, 2] } },
      ]),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: "shape_mismatch", where: "quantResults[1].bits.experts" });
    expect((await callRoute(list.GET, "/api/quant-results")).body.quantResults.length).toBe(before);
  });
});
