/**
 * bench/series: a series page of 50 steps of a 58-layer x 256-expert, top-8 model (DeepSeek-V3's
 * shape), on the embedded database (or Postgres with ATLAS_TEST_PG). Measures:
 *  - the server answer (getSeriesView, what GET /api/series/{series} returns): cold (every step
 *    computed from its matrices and events, and kept) and warm (the kept answers);
 *  - the page's render: React rendering the series view's body (every chart, the heatmap element)
 *    to HTML from the answer, and the layer x step heatmap's raster (the canvas pass), side by side
 *    with a reference: JSON.stringify + JSON.parse of the same answer (what the wire costs anyway).
 *
 *   npx tsx bench/series/run.ts [steps=50] [tokens=64]
 */
import { performance } from "node:perf_hooks";
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { ANONYMOUS_OPEN } from "@/lib/auth/viewer";
import { ingestUpload } from "@/lib/ingest/ingest-upload";
import { createRunFromBody } from "@/lib/runs/create-run";
import { getSeriesView } from "@/lib/runs/get-series-view";
import { Prng } from "@/lib/demo/prng";
import { seriesQuery } from "@/lib/query/series-queries";
import { makeColorScale } from "@/components/viz/color-scale";
import { SeriesBody } from "@/components/series/series-view";
import { gridDomain, rasterizeStepGrid } from "@/components/series/draw-step-grid";
import { parseSeriesViewState } from "@/lib/url/series-view-state";
import { openTestDatabase } from "@/tests/support/test-db";

const STEPS = Number(process.argv[2] ?? 50);
const TOKENS = Number(process.argv[3] ?? 64);
const L = 58;
const E = 256;
const K = 8;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function* trace(step: number) {
  const rng = new Prng(step + 1, 3);
  const enc = new TextEncoder();
  for (let t = 0; t < TOKENS; t++) {
    const lines: string[] = [];
    for (let l = 0; l < L; l++) {
      const ids = new Set<number>();
      while (ids.size < K) ids.add(rng.int(E));
      lines.push(JSON.stringify({ seq: 0, token: t, layer: l, experts: [...ids] }));
    }
    yield enc.encode(lines.join("\n") + "\n");
  }
}
async function* asAsync(it: Iterable<Uint8Array>) {
  yield* it;
}

async function main() {
  const kind = process.env.ATLAS_TEST_PG ? "postgres" : "pglite";
  const t = await openTestDatabase(kind);
  try {
    const t0 = performance.now();
    for (let s = 0; s < STEPS; s++) {
      const run = await createRunFromBody(t.db, {
        name: `bench step ${s}`,
        model: { preset: "deepseek-v3" },
        series: "bench",
        step: s * 1000,
      });
      await ingestUpload(t.db, run, asAsync(trace(s)), { fileName: `s${s}.jsonl`, format: "jsonl" });
    }
    console.error(
      `[bench/series] setup: ${STEPS} steps × ${TOKENS} tokens × ${L} layers in ${((performance.now() - t0) / 1000).toFixed(1)} s (${kind})`,
    );
    const opts = { placement: "contiguous" as const, devices: 8, topT: 2 };
    let c = performance.now();
    const answer = await getSeriesView(t.db, "bench", ANONYMOUS_OPEN, opts);
    const cold = performance.now() - c;
    const warm: number[] = [];
    for (let i = 0; i < 7; i++) {
      c = performance.now();
      await getSeriesView(t.db, "bench", ANONYMOUS_OPEN, opts);
      warm.push(performance.now() - c);
    }
    const json = JSON.stringify(answer);
    const wire: number[] = [];
    const render: number[] = [];
    const raster: number[] = [];
    const state = parseSeriesViewState(new URLSearchParams("heatmap=gini"));
    for (let i = 0; i < 7; i++) {
      c = performance.now();
      const data = JSON.parse(JSON.stringify(answer));
      wire.push(performance.now() - c);
      const client = new QueryClient();
      client.setQueryData(seriesQuery("bench", "contiguous", 8, 2).queryKey, data);
      c = performance.now();
      renderToString(createElement(QueryClientProvider, { client }, createElement(SeriesBody, { data, state })));
      render.push(performance.now() - c);
      c = performance.now();
      const values = data.steps.map((s: { perLayer: { gini: (number | null)[] } }) => s.perLayer.gini);
      rasterizeStepGrid({
        values,
        rows: L,
        color: makeColorScale(gridDomain(values), "linear"),
        cellWidth: 14,
        cellHeight: 6,
      });
      raster.push(performance.now() - c);
    }
    const out = {
      kind,
      steps: STEPS,
      layers: L,
      experts: E,
      topK: K,
      tokensPerStep: TOKENS,
      answerBytes: json.length,
      serverColdMs: Math.round(cold),
      serverWarmMedianMs: Math.round(median(warm)),
      renderMedianMs: Math.round(median(render)),
      heatmapRasterMedianMs: Number(median(raster).toFixed(2)),
      referenceJsonRoundTripMedianMs: Math.round(median(wire)),
      warmTotalMs: Math.round(median(warm) + median(render) + median(raster)),
      renderOverJsonRoundTrip: Number((median(render) / median(wire)).toFixed(2)),
    };
    console.log(JSON.stringify(out));
  } finally {
    await t.drop();
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
