import { beforeAll, describe, expect, it } from "vitest";
import { getRoute, tinyRun, useRouteDatabase } from "./support/route-calls";

// The analysis endpoints behind the views, called as Next calls them.
describe("analysis endpoints", () => {
  useRouteDatabase("pglite");
  let id: string;
  beforeAll(async () => {
    // Token-major: each token's layer 0 then layer 1, so transitions are recorded.
    id = await tinyRun(
      "v",
      [
        [0, [0, 1]],
        [1, [0, 1]],
        [0, [0, 1]],
        [1, [2, 3]],
        [0, [2, 3]],
        [1, [2, 3]],
      ].map(([layer, experts], i) => ({ seq: 0, position: Math.floor(i / 2), layer, experts })),
    );
  });
  const get = getRoute;

  it("serves a layer's matrices as little-endian float64 with their shape, equal to the JSON", async () => {
    const { GET } = await import("@/app/api/runs/[id]/layers/[layer]/matrix/route");
    const layer = await import("@/app/api/runs/[id]/layers/[layer]/route");
    const json = await (await get(layer.GET, `/api/runs/${id}/layers/0?normalization=lift`, { id, layer: "0" })).json();
    const raw = await get(GET, `/api/runs/${id}/layers/0/matrix?name=coactivation&normalization=lift`, {
      id,
      layer: "0",
    });
    expect(raw.headers.get("content-type")).toBe("application/octet-stream");
    expect(raw.headers.get("x-matrix-shape")).toBe("4,4");
    const values = new Float64Array(await raw.arrayBuffer());
    // JSON carries 7 significant digits; the binary answer is exact.
    expect(Array.from(values, (v) => Number(v.toPrecision(7)))).toEqual(json.normalized.flat());
    const t0 = new Float64Array(
      await (await get(GET, `/api/runs/${id}/layers/0/matrix?name=transitions`, { id, layer: "0" })).arrayBuffer(),
    );
    // Tokens 0, 1: {0,1} → {0,1} and {0,1} → {2,3}; token 2: {2,3} → {2,3}.
    expect(Array.from(t0)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1]);
    const bad = await get(GET, `/api/runs/${id}/layers/0/matrix?name=load&normalization=lift`, { id, layer: "0" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.where).toBe("query parameter normalization");
  });

  it("answers flow, expert and groups views", async () => {
    const flow = await (
      await get((await import("@/app/api/runs/[id]/flow/route")).GET, `/api/runs/${id}/flow`, { id })
    ).json();
    // Layer 0 → 1: experts 0 and 1 each most likely continue to 0 (tie with 1, 2, 3: the lowest id), 1 of 2 times; 2 and 3 continue to 2 (1 of 1).
    expect(flow.layers[0].predictability).toBeCloseTo((1 + 1 + 1 + 1) / (2 + 2 + 1 + 1), 12);
    expect(flow.layers[1].predictability).toBeNull();
    expect(flow.chance).toBe(0.5);
    const expert = await (
      await get((await import("@/app/api/runs/[id]/experts/[expert]/route")).GET, `/api/runs/${id}/experts/0?topT=1`, {
        id,
        expert: "0",
      })
    ).json();
    expect(expert.perLayer.map((p: { load: number }) => p.load)).toEqual([2, 1]);
    expect(expert.perLayer[0].topCollaborators).toEqual([{ expert: 1, count: 2, share: 1 }]);
    expect(expert.perLayer[0].rank).toBe(1);
    // Load share is load / Σ load (sums to 1 over experts), token share load / N (sums to k).
    const layer0 = await (
      await get((await import("@/app/api/runs/[id]/layers/[layer]/route")).GET, `/api/runs/${id}/layers/0`, {
        id,
        layer: "0",
      })
    ).json();
    const total = (layer0.load as number[]).reduce((s, v) => s + v, 0);
    expect(expert.perLayer[0].loadShare).toBeCloseTo(2 / total, 12);
    expect(expert.perLayer[0].tokenShare).toBeCloseTo(2 / layer0.tokens, 12);
    expect(total).toBe(2 * layer0.tokens);
    const missing = await get(
      (await import("@/app/api/runs/[id]/experts/[expert]/route")).GET,
      `/api/runs/${id}/experts/9`,
      { id, expert: "9" },
    );
    expect(missing.status).toBe(404);
    const groups = await (
      await get(
        (await import("@/app/api/runs/[id]/layers/[layer]/groups/route")).GET,
        `/api/runs/${id}/layers/0/groups`,
        { id, layer: "0" },
      )
    ).json();
    // {0,1} and {2,3} co-activate, never across: two groups, seriated as blocks.
    expect(groups.community).toEqual([0, 0, 1, 1]);
    expect(groups.groups).toBe(2);
  });

  it("refuses a comparison without its runs, saying which", async () => {
    const { GET } = await import("@/app/api/compare/route");
    const res = await get(GET, `/api/compare?a=${id}`, {});
    expect(res.status).toBe(400);
    expect((await res.json()).error.where).toBe("query parameter b");
    const nope = await get(GET, `/api/compare?a=${id}&b=nope`, {});
    expect(nope.status).toBe(404);
    expect((await nope.json()).error.where).toBe("query parameter b");
  });
});
