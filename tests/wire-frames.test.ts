import { beforeAll, describe, expect, it } from "vitest";
import { decodeLayerFrame } from "@/lib/wire/layer-frame";
import { FRAME_CONTENT_TYPE } from "@/lib/wire/frame";
import { getRoute, tinyRun, useRouteDatabase } from "./support/route-calls";

// The binary layer frame the views read, against the JSON answer API users read.
describe("layer frames over the API", () => {
  useRouteDatabase("pglite");
  let id: string;
  beforeAll(async () => {
    id = await tinyRun(
      "w",
      [
        [0, [0, 1]],
        [1, [0, 1]],
        [0, [0, 2]],
        [1, [2, 3]],
        [0, [2, 3]],
        [1, [1, 3]],
      ].map(([layer, experts], i) => ({ seq: 0, position: Math.floor(i / 2), layer, experts, weights: [0.7, 0.3] })),
    );
  });
  const get = getRoute;

  it("hold the JSON answer's values, every normalization, value for value", async () => {
    const frameRoute = await import("@/app/api/runs/[id]/layers/[layer]/frame/route");
    const jsonRoute = await import("@/app/api/runs/[id]/layers/[layer]/route");
    for (const norm of ["raw", "conditional", "jaccard", "lift"]) {
      const json = await (
        await get(jsonRoute.GET, `/api/runs/${id}/layers/0?normalization=${norm}`, { id, layer: "0" })
      ).json();
      const res = await get(frameRoute.GET, `/api/runs/${id}/layers/0/frame?normalization=${norm}`, { id, layer: "0" });
      expect(res.headers.get("content-type")).toBe(FRAME_CONTENT_TYPE);
      const f = decodeLayerFrame(await res.arrayBuffer());
      const { load, weightSum, coactivation, normalized, ...meta } = f;
      expect(meta).toEqual({
        layer: json.layer,
        modelLayer: json.modelLayer,
        experts: json.experts,
        tokens: json.tokens,
        balance: json.balance,
        normalization: norm,
      });
      expect(Array.from(load)).toEqual(json.load);
      expect(Array.from(weightSum)).toEqual(json.weightSum);
      expect(Array.from(coactivation)).toEqual(json.coactivation.flat());
      expect(Array.from(normalized!)).toEqual(json.normalized.flat());
    }
  });

  it("carry transitions when asked, null on the last layer, and the API's errors", async () => {
    const { GET } = await import("@/app/api/runs/[id]/layers/[layer]/frame/route");
    const jsonRoute = await import("@/app/api/runs/[id]/layers/[layer]/route");
    const json = await (
      await get(jsonRoute.GET, `/api/runs/${id}/layers/0?include=transitions`, { id, layer: "0" })
    ).json();
    const f = decodeLayerFrame(
      await (await get(GET, `/api/runs/${id}/layers/0/frame?include=transitions`, { id, layer: "0" })).arrayBuffer(),
    );
    expect(Array.from(f.transitions!)).toEqual(json.transitions.flat());
    expect(f.normalized).toBeUndefined();
    const last = decodeLayerFrame(
      await (await get(GET, `/api/runs/${id}/layers/1/frame?include=transitions`, { id, layer: "1" })).arrayBuffer(),
    );
    expect(last.transitions).toBeNull();
    const bad = await get(GET, `/api/runs/${id}/layers/0/frame?normalization=nope`, { id, layer: "0" });
    expect(bad.status).toBe(400);
    const out = await get(GET, `/api/runs/${id}/layers/2/frame`, { id, layer: "2" });
    expect(out.status).toBe(404);
    expect((await out.json()).error.code).toBe("layer_out_of_range");
  });

  it("carry the comparison of two runs with its layer's matrices as arrays, the rest as the JSON answer", async () => {
    const runs = await import("@/app/api/runs/route");
    const traces = await import("@/app/api/runs/[id]/traces/route");
    const model = {
      name: "Tiny",
      layers: 2,
      experts: 4,
      topK: 2,
      sharedExperts: 0,
      router: "softmax",
      renormalize: true,
    };
    const b = (
      await (
        await runs.POST(
          new Request("http://x/api/runs", { method: "POST", body: JSON.stringify({ name: "w2", model }) }),
          { params: Promise.resolve({}) },
        )
      ).json()
    ).id;
    const lines = [
      JSON.stringify({ seq: 0, position: 0, layer: 0, experts: [1, 2] }),
      JSON.stringify({ seq: 0, position: 0, layer: 1, experts: [0, 3] }),
    ];
    expect(
      (
        await traces.POST(new Request(`http://x/api/runs/${b}/traces`, { method: "POST", body: lines.join("\n") }), {
          params: Promise.resolve({ id: b }),
        })
      ).status,
    ).toBe(200);
    const { GET } = await import("@/app/api/compare/frame/route");
    const jsonRoute = await import("@/app/api/compare/route");
    const { decodeCompareFrame } = await import("@/lib/wire/compare-frame");
    const q = `?a=${id}&b=${b}&layer=0&paired=1`;
    const json = await (await get(jsonRoute.GET, `/api/compare${q}`, {})).json();
    const f = decodeCompareFrame<typeof json>(await (await get(GET, `/api/compare/frame${q}`, {})).arrayBuffer());
    const { perTokenA, perTokenB, diff, ...detail } = f.layerDetail!;
    const { perTokenA: ja, perTokenB: jb, diff: jd, ...jsonDetail } = json.layerDetail;
    expect(detail).toEqual(jsonDetail);
    expect({ ...f, layerDetail: null }).toEqual({ ...json, layerDetail: null });
    expect(Array.from(perTokenA)).toEqual(ja.flat());
    expect(Array.from(perTokenB)).toEqual(jb.flat());
    expect(Array.from(diff)).toEqual(jd.flat());
    const missing = await get(GET, `/api/compare/frame?a=${id}`, {});
    expect(missing.status).toBe(400);
    expect((await missing.json()).error.where).toBe("query parameter b");
  });
});
