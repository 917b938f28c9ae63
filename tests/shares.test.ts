import { describe, expect, it } from "vitest";
import { createApiToken } from "@/lib/db/queries/api-tokens";
import { callRoute, useRouteDatabase } from "./support/route-calls";


describe("share links through the route handlers (V12)", () => {
  const t = useRouteDatabase("pglite");

  const json = { "content-type": "application/json" };
  const tiny = { name: "Tiny", layers: 2, experts: 4, topK: 2 };
  const line = (layer: number, experts: number[], logits?: number[]) => JSON.stringify({ layer, experts, ...(logits ? { logits } : {}) });

  it("pins the layer view, the overview and the placement lab: the snapshot is unchanged after more data arrives", async () => {
    const runs = await import("@/app/api/runs/route");
    const traces = await import("@/app/api/runs/[id]/traces/route");
    const layer = await import("@/app/api/runs/[id]/layers/[layer]/route");
    const shares = await import("@/app/api/shares/route");
    const share = await import("@/app/api/shares/[id]/route");

    const run = (await callRoute(runs.POST, "/api/runs", { method: "POST", headers: json, body: JSON.stringify({ name: "s", model: tiny }) })).body;
    const upload = (body: string) => callRoute(traces.POST, `/api/runs/${run.id}/traces`, { method: "POST", body, params: { id: run.id } });
    expect((await upload([line(0, [0, 1], [3, 2, 1, 0]), line(1, [2, 3], [0, 1, 3, 2])].join("\n"))).status).toBe(200);

    const made = await callRoute(shares.POST, "/api/shares", { method: "POST", headers: json, body: JSON.stringify({ path: `/runs/${run.id}/layers/0?norm=lift&scale=log` }) });
    expect(made.status).toBe(201);
    expect(made.body.url).toBe(`http://atlas.test/s/${made.body.id}`);
    expect(made.body.path).toBe(`/runs/${run.id}/layers/0?norm=lift&scale=log`);

    // More data arrives: the live layer changes, the snapshot does not.
    expect((await upload(line(0, [2, 3], [0, 1, 3, 2]))).status).toBe(200);
    const live = await callRoute(layer.GET, `/api/runs/${run.id}/layers/0?normalization=lift`, { params: { id: run.id, layer: "0" } });
    expect(live.body.load).toEqual([1, 1, 1, 1]);
    const pinned = await callRoute(share.GET, `/api/shares/${made.body.id}`, { params: { id: made.body.id } });
    expect(pinned.status).toBe(200);
    const q = pinned.body.snapshot.queries;
    expect(q).toHaveLength(1);
    expect(q[0].key).toEqual(["runs", run.id, "layers", 0, "lift"]);
    expect(q[0].data.load).toEqual([1, 1, 0, 0]);
    expect(q[0].data.tokens).toBe(1);
    expect(pinned.body.snapshot.run.events).toBe(2);

    const overview = await callRoute(shares.POST, "/api/shares", { method: "POST", headers: json, body: JSON.stringify({ path: `http://localhost:3000/runs/${run.id}?metric=gini` }) });
    expect(overview.status).toBe(201);
    const o = (await callRoute(share.GET, "", { params: { id: overview.body.id } })).body;
    expect(o.state).toMatchObject({ kind: "overview", search: "?metric=gini" });
    expect(o.snapshot.props.balance.layers).toHaveLength(2);

    const lab = await callRoute(shares.POST, "/api/shares", { method: "POST", headers: json, body: JSON.stringify({ path: `/runs/${run.id}/placement?devices=2&sim=c2r&topT=1` }) });
    expect(lab.status).toBe(201);
    const l = (await callRoute(share.GET, "", { params: { id: lab.body.id } })).body;
    // Four strategies and the simulation, under the keys the lab asks for.
    expect(l.snapshot.queries.map((x: { key: unknown[] }) => x.key[2])).toEqual(["placement", "placement", "placement", "placement", "simulation"]);
    expect(l.snapshot.queries[4].data.events).toBe(3);
  });

  it("refuses paths that are not views, and unknown shares, in the error contract", async () => {
    const shares = await import("@/app/api/shares/route");
    const share = await import("@/app/api/shares/[id]/route");
    const bad = await callRoute(shares.POST, "/api/shares", { method: "POST", headers: json, body: JSON.stringify({ path: "/api/runs" }) });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: "unshareable_path", where: "path" });
    expect((await callRoute(shares.POST, "/api/shares", { method: "POST", headers: json, body: JSON.stringify({ path: "/runs/nope" }) })).status).toBe(404);
    expect((await callRoute(share.GET, "", { params: { id: "missing" } })).status).toBe(404);
  });

  it("a share is as visible as its run: a private run's link opens for its owner and admins only, and follows later changes", async () => {
    const runs = await import("@/app/api/runs/route");
    const one = await import("@/app/api/runs/[id]/route");
    const shares = await import("@/app/api/shares/route");
    const share = await import("@/app/api/shares/[id]/route");
    const { token: admin } = await createApiToken(t.db, "admin");
    const { token: owner } = await createApiToken(t.db, "owner");
    const { token: other } = await createApiToken(t.db, "other");
    const auth = (tk: string) => ({ ...json, authorization: `Bearer ${tk}` });
    const run = (await callRoute(runs.POST, "/api/runs", { method: "POST", headers: auth(owner), body: JSON.stringify({ name: "secret", model: tiny, visibility: "private" }) })).body;
    const body = JSON.stringify({ path: `/runs/${run.id}` });
    expect((await callRoute(shares.POST, "/api/shares", { method: "POST", headers: json, body })).status).toBe(401);
    expect((await callRoute(shares.POST, "/api/shares", { method: "POST", headers: auth(other), body })).status).toBe(404);
    const made = await callRoute(shares.POST, "/api/shares", { method: "POST", headers: auth(owner), body });
    expect(made.status).toBe(201);
    const params = { id: made.body.id };
    expect((await callRoute(share.GET, "", { params })).status).toBe(404);
    expect((await callRoute(share.GET, "", { params, headers: auth(other) })).status).toBe(404);
    for (const tk of [owner, admin]) {
      const got = await callRoute(share.GET, "", { params, headers: auth(tk) });
      expect(got.status).toBe(200);
      expect(got.body.snapshot.run.name).toBe("secret");
    }
    // Unlisted: the link opens for anyone; private again: for nobody else.
    const patch = (visibility: string) => callRoute(one.PATCH, `/api/runs/${run.id}`, { method: "PATCH", headers: auth(owner), params: { id: run.id }, body: JSON.stringify({ visibility }) });
    expect((await patch("unlisted")).status).toBe(200);
    expect((await callRoute(share.GET, "", { params })).status).toBe(200);
    expect((await patch("private")).status).toBe(200);
    expect((await callRoute(share.GET, "", { params })).status).toBe(404);
  });
});
