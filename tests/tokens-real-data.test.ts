import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runPython } from "./support/python";
import { sharedFile } from "./support/shared-data";
import { callRoute, postJson, useRouteDatabase, type RouteHandler } from "./support/route-calls";

// Real token ids: FLAME-MoE-290M's encoder dumps (2,048 tokens of its pretraining stream, 8 MoE
// layers of 64 experts, top-6), read by tests/fixtures/reference_tokens.py with numpy alone.
describe("token statistics on real data (FLAME-MoE-290M) equal numpy's", () => {
  useRouteDatabase("pglite");
  let id: string;
  let ref: {
    tokens: number;
    layers: {
      experts: { expert: number; counts: Record<string, number>; evtc: number; specialization: number | null }[];
      vocabulary: number;
      meanTokenSpecialization: number;
    }[];
  };
  beforeAll(async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "atlas-tokens-"));
    runPython(path.join(__dirname, "fixtures/reference_tokens.py"), [sharedFile("real/flame-moe-290m"), out]);
    ref = JSON.parse(fs.readFileSync(path.join(out, "reference.json"), "utf8"));
    const runs = (await import("@/app/api/runs/route")).POST as RouteHandler;
    const traces = (await import("@/app/api/runs/[id]/traces/route")).POST as RouteHandler;
    const model = {
      name: "FLAME-MoE-290M",
      layers: 8,
      experts: 64,
      topK: 6,
      sharedExperts: 2,
      router: "softmax",
      renormalize: false,
    };
    const { body: run } = await callRoute(runs, "/api/runs", postJson({ name: "flame", model }));
    id = run.id;
    const up = await callRoute(traces, `/api/runs/${id}/traces?format=npz`, {
      method: "POST",
      body: fs.readFileSync(path.join(out, "trace.npz")),
      params: { id },
    });
    expect(up.status, JSON.stringify(up.body)).toBe(200);
    expect(up.body.tokens).toBe(2048);
  }, 120_000);

  it("per layer: every expert's load, EVTC and token specialization; the layer's vocabulary and mean specialization", async () => {
    const { GET } = await import("@/app/api/runs/[id]/layers/[layer]/tokens/route");
    for (let layer = 0; layer < 8; layer++) {
      const r = ref.layers[layer];
      const body = (
        await callRoute(GET as RouteHandler, `/api/runs/${id}/layers/${layer}/tokens`, {
          params: { id, layer: String(layer) },
        })
      ).body;
      expect(body.vocabulary).toBe(r.vocabulary);
      expect(body.meanTokenSpecialization).toBeCloseTo(r.meanTokenSpecialization, 12);
      for (const e of r.experts) {
        const got = body.experts[e.expert];
        expect(got.load, `layer ${layer} expert ${e.expert}`).toBe(Object.values(e.counts).reduce((s, c) => s + c, 0));
        expect(got.evtc).toBe(e.evtc);
        if (e.specialization === null) expect(got.specialization).toBeNull();
        else expect(got.specialization).toBeCloseTo(e.specialization, 12);
      }
    }
  });

  it("an expert's token counts equal numpy's, token for token", async () => {
    const { GET } = await import("@/app/api/runs/[id]/experts/[expert]/tokens/route");
    for (let layer = 0; layer < 8; layer++)
      for (const expert of [0, 17, 42, 63]) {
        const body = (
          await callRoute(GET as RouteHandler, `/api/runs/${id}/experts/${expert}/tokens?layer=${layer}&limit=1000`, {
            params: { id, expert: String(expert) },
          })
        ).body;
        const want = ref.layers[layer].experts[expert].counts;
        expect(
          Object.fromEntries(body.tokens.map((t: { tokenId: number; count: number }) => [String(t.tokenId), t.count])),
        ).toEqual(want);
        expect(body.coverage.evtc).toBe(ref.layers[layer].experts[expert].evtc);
        expect(body.tokensAtLayer).toBe(2048);
      }
  });
});
