import { queryOptions, useQuery } from "@tanstack/react-query";
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { ANONYMOUS_OPEN } from "@/lib/auth/viewer";
import { createApiToken } from "@/lib/db/queries/api-tokens";
import { getRun } from "@/lib/db/queries/runs";
import { createShare, getShare } from "@/lib/db/queries/shares";
import { getLayerView } from "@/lib/runs/get-layer-view";
import { pinView } from "@/lib/share/pin-view";
import { defineView, viewRegistry, views, VIEWS } from "@/lib/views/registry";
import { useViewLocation } from "@/components/share/view-location";
import { VIEW_COMPONENTS, type ViewComponent } from "@/components/views/view-components";
import { readShare, SnapshotView } from "@/components/views/view-page";
import { callRoute, useRouteDatabase } from "./support/route-calls";

describe("share links through the route handlers (V12)", () => {
  const t = useRouteDatabase("pglite");

  const json = { "content-type": "application/json" };
  const tiny = { name: "Tiny", layers: 2, experts: 4, topK: 2 };
  const line = (layer: number, experts: number[], logits?: number[]) =>
    JSON.stringify({ layer, experts, ...(logits ? { logits } : {}) });

  it("pins the layer view, the overview and the placement lab: the snapshot is unchanged after more data arrives", async () => {
    const runs = await import("@/app/api/runs/route");
    const traces = await import("@/app/api/runs/[id]/traces/route");
    const layer = await import("@/app/api/runs/[id]/layers/[layer]/route");
    const shares = await import("@/app/api/shares/route");
    const share = await import("@/app/api/shares/[id]/route");

    const run = (
      await callRoute(runs.POST, "/api/runs", {
        method: "POST",
        headers: json,
        body: JSON.stringify({ name: "s", model: tiny }),
      })
    ).body;
    const upload = (body: string) =>
      callRoute(traces.POST, `/api/runs/${run.id}/traces`, { method: "POST", body, params: { id: run.id } });
    expect((await upload([line(0, [0, 1], [3, 2, 1, 0]), line(1, [2, 3], [0, 1, 3, 2])].join("\n"))).status).toBe(200);

    const made = await callRoute(shares.POST, "/api/shares", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ path: `/runs/${run.id}/layers/0?norm=lift&scale=log` }),
    });
    expect(made.status).toBe(201);
    expect(made.body.url).toBe(`http://atlas.test/s/${made.body.id}`);
    expect(made.body.path).toBe(`/runs/${run.id}/layers/0?norm=lift&scale=log`);

    // More data arrives: the live layer changes, the snapshot does not.
    expect((await upload(line(0, [2, 3], [0, 1, 3, 2]))).status).toBe(200);
    const live = await callRoute(layer.GET, `/api/runs/${run.id}/layers/0?normalization=lift`, {
      params: { id: run.id, layer: "0" },
    });
    expect(live.body.load).toEqual([1, 1, 1, 1]);
    const pinned = await callRoute(share.GET, `/api/shares/${made.body.id}`, { params: { id: made.body.id } });
    expect(pinned.status).toBe(200);
    const q = pinned.body.snapshot.queries;
    // The heatmap's layer answer and the expert table's (issue 14), both as they were.
    expect(q).toHaveLength(2);
    expect(q[0].key).toEqual(["runs", run.id, "layers", 0, "lift"]);
    expect(q[0].data.load).toEqual([1, 1, 0, 0]);
    expect(q[0].data.tokens).toBe(1);
    expect(q[1].key).toEqual(["runs", run.id, "experts-of-layer", 0, 3]);
    expect(q[1].data.experts.map((e: { load: number }) => e.load)).toEqual([1, 1, 0, 0]);
    expect(pinned.body.snapshot.run.events).toBe(2);

    const overview = await callRoute(shares.POST, "/api/shares", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ path: `http://localhost:3000/runs/${run.id}?metric=gini` }),
    });
    expect(overview.status).toBe(201);
    const o = (await callRoute(share.GET, "", { params: { id: overview.body.id } })).body;
    expect(o.state).toMatchObject({ kind: "overview", search: "?metric=gini" });
    expect(o.snapshot.props.balance.layers).toHaveLength(2);

    const lab = await callRoute(shares.POST, "/api/shares", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ path: `/runs/${run.id}/placement?devices=2&sim=c2r&topT=1` }),
    });
    expect(lab.status).toBe(201);
    const l = (await callRoute(share.GET, "", { params: { id: lab.body.id } })).body;
    // Four strategies and the simulation, under the keys the lab asks for.
    expect(l.snapshot.queries.map((x: { key: unknown[] }) => x.key[2])).toEqual([
      "placement",
      "placement",
      "placement",
      "placement",
      "simulation",
    ]);
    expect(l.snapshot.queries[4].data.events).toBe(3);

    // With the serving planner on, both plans are pinned under the keys the planner section asks for.
    const planned = await callRoute(shares.POST, "/api/shares", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ path: `/runs/${run.id}/placement?devices=2&pgpus=2&pslots=6` }),
    });
    expect(planned.status).toBe(201);
    const pl = (await callRoute(share.GET, "", { params: { id: planned.body.id } })).body;
    const plans = pl.snapshot.queries.filter((x: { key: unknown[] }) => x.key[2] === "plan");
    expect(plans.map((x: { key: unknown[] }) => x.key[3])).toEqual([
      { slots: 6, gpus: 2, strategy: "eplb" },
      { slots: 6, gpus: 2, strategy: "optimized" },
    ]);
    expect(plans[0].data.layers[0].phy2log).toHaveLength(6);
  });

  it("refuses paths that are not views, and unknown shares, in the error contract", async () => {
    const shares = await import("@/app/api/shares/route");
    const share = await import("@/app/api/shares/[id]/route");
    const bad = await callRoute(shares.POST, "/api/shares", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ path: "/api/runs" }),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: "unshareable_path", where: "path" });
    expect(
      (
        await callRoute(shares.POST, "/api/shares", {
          method: "POST",
          headers: json,
          body: JSON.stringify({ path: "/runs/nope" }),
        })
      ).status,
    ).toBe(404);
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
    const run = (
      await callRoute(runs.POST, "/api/runs", {
        method: "POST",
        headers: auth(owner),
        body: JSON.stringify({ name: "secret", model: tiny, visibility: "private" }),
      })
    ).body;
    const body = JSON.stringify({ path: `/runs/${run.id}` });
    expect((await callRoute(shares.POST, "/api/shares", { method: "POST", headers: json, body })).status).toBe(401);
    expect((await callRoute(shares.POST, "/api/shares", { method: "POST", headers: auth(other), body })).status).toBe(
      404,
    );
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
    const patch = (visibility: string) =>
      callRoute(one.PATCH, `/api/runs/${run.id}`, {
        method: "PATCH",
        headers: auth(owner),
        params: { id: run.id },
        body: JSON.stringify({ visibility }),
      });
    expect((await patch("unlisted")).status).toBe(200);
    expect((await callRoute(share.GET, "", { params })).status).toBe(200);
    expect((await patch("private")).status).toBe(200);
    expect((await callRoute(share.GET, "", { params })).status).toBe(404);
  });
});

describe("the view registry: a view added as one entry is recognized, pinned and drawn from its snapshot", () => {
  const t = useRouteDatabase("pglite");
  const json = { "content-type": "application/json" };
  afterEach(() => vi.restoreAllMocks());

  // A fake view: the token count of one layer. Its query factory, as lib/query would hold it; the
  // component reads its state through useViewLocation and its answer through the query cache, as
  // every view does. The fetcher is a live request: it must never run on a share.
  const liveRequests: string[] = [];
  const tokensQuery = (runId: string, layer: number) =>
    queryOptions({
      queryKey: ["runs", runId, "fake-tokens", layer],
      queryFn: async () => {
        liveRequests.push(`/api/runs/${runId}/fake-tokens/${layer}`);
        return { tokens: -1 };
      },
    });
  const stateSchema = z.object({ layer: z.coerce.number().int().min(0).catch(0) });
  const fake = defineView({
    kind: "fake-tokens",
    path: "/runs/:runId/fake-tokens",
    params: z.object({ runId: z.string().regex(/^[a-z0-9]+$/) }),
    state: {
      schema: stateSchema,
      parse: (s: URLSearchParams) => stateSchema.parse({ layer: s.get("layer") ?? undefined }),
    },
    runId: (p) => p.runId,
    answers: ({ db, run, state }) => ({
      queries: [
        {
          key: tokensQuery(run.id, state.layer).queryKey,
          answer: async () => ({ tokens: (await getLayerView(db, run, state.layer)).tokens }),
        },
      ],
      props: { title: async () => `${run.name}, layer ${state.layer}` },
    }),
  });
  function FakeBody({ runId, offKey }: { runId: string; offKey?: boolean }) {
    const { search, frozen } = useViewLocation();
    const layer = Number(search.get("layer"));
    const { data } = useQuery(tokensQuery(runId, offKey ? layer + 1 : layer));
    return createElement("p", { "data-frozen": String(frozen) }, data ? `tokens=${data.tokens}` : "loading");
  }
  const fakeComponent =
    (offKey = false): ViewComponent =>
    (f) => ({
      header: createElement("h1", null, `${String(f.props.title)}${f.snapshot ? " (snapshot)" : ""}`),
      body: createElement(FakeBody, { runId: f.run.id, offKey }),
    });

  it("is shareable only once registered, pins its answers under its keys, and renders from them with no live request", async () => {
    const runs = await import("@/app/api/runs/route");
    const traces = await import("@/app/api/runs/[id]/traces/route");
    const tiny = { name: "Tiny", layers: 2, experts: 4, topK: 2 };
    const run = (
      await callRoute(runs.POST, "/api/runs", {
        method: "POST",
        headers: json,
        body: JSON.stringify({ name: "fake", model: tiny }),
      })
    ).body;
    const upload = (body: string) =>
      callRoute(traces.POST, `/api/runs/${run.id}/traces`, { method: "POST", body, params: { id: run.id } });
    const line = (layer: number, experts: number[]) => JSON.stringify({ layer, experts });
    expect((await upload([line(0, [0, 1]), line(1, [2, 3]), line(0, [1, 2]), line(1, [0, 3])].join("\n"))).status).toBe(
      200,
    );

    const path = `/runs/${run.id}/fake-tokens?layer=1`;
    // The app's registry does not know it; the registry with one more entry does.
    expect(views.recognize(path)).toBeNull();
    const registry = viewRegistry([...VIEWS, fake]);
    const view = registry.recognize(path)!;
    expect(view).toMatchObject({
      kind: "fake-tokens",
      runId: run.id,
      pathname: `/runs/${run.id}/fake-tokens`,
      search: "?layer=1",
    });
    // The app's own views are recognized by the same registry as before.
    expect(registry.recognize(`/runs/${run.id}/layers/1?norm=lift`)).toMatchObject({
      kind: "layer",
      params: { layer: 1 },
    });

    // Pinned as the share route pins (nothing in lib/share names the view), then stored.
    const row = (await getRun(t.db, run.id))!;
    const pinned = await pinView(t.db, row, view, ANONYMOUS_OPEN, registry);
    expect(pinned.queries).toEqual([{ key: ["runs", run.id, "fake-tokens", 1], data: { tokens: 2 } }]);
    expect(pinned.props).toEqual({ title: "fake, layer 1" });
    const share = await createShare(t.db, {
      path: view.pathname + view.search,
      runId: run.id,
      runIds: pinned.runIds,
      state: { kind: view.kind },
      snapshot: pinned,
    });

    // More data arrives: the live answer changes; the snapshot is not recomputed.
    expect((await upload([line(0, [0, 3]), line(1, [1, 2])].join("\n"))).status).toBe(200);
    expect((await getLayerView(t.db, (await getRun(t.db, run.id))!, 1)).tokens).toBe(3);

    const stored = (await getShare(t.db, share.id, ANONYMOUS_OPEN))!;
    const read = readShare(registry, stored)!;
    expect(read.view.kind).toBe("fake-tokens");
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    const draw = (offKey: boolean) =>
      renderToString(
        createElement(SnapshotView, {
          component: fakeComponent(offKey),
          share: stored,
          view: read.view,
          pinned: read.pinned,
          requestSearch: new URLSearchParams(),
        }),
      );
    const html = draw(false);
    expect(html).toContain("fake, layer 1 (snapshot)");
    expect(html).toContain("tokens=2");
    expect(html).toContain('data-frozen="true"');
    expect(liveRequests).toEqual([]);
    expect(fetchSpy).not.toHaveBeenCalled();
    // Control: a component asking under another key than the one pinned finds nothing in the snapshot's cache.
    expect(draw(true)).toContain("loading");
    // The app's /s page reads shares with the app's registry: a path it does not know is not a share it can draw.
    expect(readShare(views, stored)).toBeNull();
  });

  it("every registered view has a component, a path pattern its own paths match, and a path names one view", () => {
    expect(Object.keys(VIEW_COMPONENTS).sort()).toEqual(VIEWS.map((v) => v.kind).sort());
    const samples: Record<string, string> = {
      overview: "/runs/r1",
      layer: "/runs/r1/layers/2?norm=lift",
      placement: "/runs/r1/placement?devices=2",
      expert: "/runs/r1/experts/5?topT=2",
      graph: "/runs/r1/graph",
      flow: "/runs/r1/flow?layer=1",
      specialization: "/runs/r1/specialization",
      compare: "/compare?a=r1&b=r2&layer=1",
      // The same path, told apart by its state; the base run is the share's run.
      "compare-many": "/compare?runs=r2,r1,r3&base=r1&layer=1",
      series: "/series/olmoe%20pretrain?run=r1&heatmap=saturation",
      tokens: "/runs/r1/tokens?seq=0&layer=1",
    };
    expect(Object.keys(samples).sort()).toEqual(VIEWS.map((v) => v.kind).sort());
    for (const [kind, path] of Object.entries(samples))
      expect(views.recognize(path), path).toMatchObject({ kind, runId: "r1" });
    for (const bad of [
      "/runs/r1/layers/x",
      "/runs/r1/layers",
      "/compare?a=r1",
      "/compare?runs=r1",
      "/compare?runs=r1,r1",
      "/series/olmoe-pretrain",
      "/runs",
      "/api/runs/r1",
      "/runs/r1/experts/-1",
      "/pruning",
    ])
      expect(views.recognize(bad), bad).toBeNull();
    expect(() => viewRegistry([...VIEWS, VIEWS[0]])).toThrow(/twice/);
  });
});
