import { describe, expect, it } from "vitest";
import { POST as createRun } from "@/app/api/runs/route";
import { POST as uploadTrace } from "@/app/api/runs/[id]/traces/route";
import { createApiToken } from "@/lib/db/queries/api-tokens";
import { callRoute, useRouteDatabase } from "./support/route-calls";

// Route handlers are called as Next calls them, with this file's database as the process's.
describe("write access through the route handlers", () => {
  const t = useRouteDatabase("postgres");

  const post = (headers: Record<string, string> = {}) =>
    createRun(
      new Request("http://x/api/runs", {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ name: "r", model: { preset: "olmoe-1b-7b" } }),
      }),
      {
        params: Promise.resolve({}),
      },
    );

  it("is open until the first token exists, then needs a valid bearer token", async () => {
    const open = await post();
    expect(open.status).toBe(201);
    const runId = (await open.json()).id;

    const { token } = await createApiToken(t.db, "ci");
    const missing = await post();
    expect(missing.status).toBe(401);
    expect((await missing.json()).error).toMatchObject({ code: "unauthorized", where: "header Authorization" });
    const wrong = await post({ authorization: "Bearer mat_wrong" });
    expect(wrong.status).toBe(403);
    expect((await post({ authorization: `Bearer ${token}` })).status).toBe(201);

    const body = '{"layer": 0, "experts": [0, 1, 2, 3, 4, 5, 6, 7]}\n';
    const upload = (headers: Record<string, string>) =>
      uploadTrace(new Request(`http://x/api/runs/${runId}/traces`, { method: "POST", headers, body }), {
        params: Promise.resolve({ id: runId }),
      });
    expect((await upload({})).status).toBe(401);
    const ok = await upload({ authorization: `Bearer ${token}` });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ events: 1, tokens: 1 });
  });

  it("answers a bad layer or unknown run in the error contract", async () => {
    const { GET } = await import("@/app/api/runs/[id]/layers/[layer]/route");
    const res = await GET(new Request("http://x/api/runs/nope/layers/0"), {
      params: Promise.resolve({ id: "nope", layer: "0" }),
    });
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe("not_found");
  });
});

describe("visibility through the route handlers", () => {
  const t = useRouteDatabase("pglite");

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it("keeps a private run to its owner's token, lists it only to them, and lets only them change visibility", async () => {
    const runs = await import("@/app/api/runs/route");
    const one = await import("@/app/api/runs/[id]/route");
    const layer = await import("@/app/api/runs/[id]/layers/[layer]/route");
    const session = await import("@/app/api/session/route");
    const { token: owner } = await createApiToken(t.db, "owner");
    const { token: other } = await createApiToken(t.db, "other");
    const json = { "content-type": "application/json" };
    const created = await callRoute(runs.POST, "/api/runs", {
      method: "POST",
      headers: { ...json, ...bearer(owner) },
      body: JSON.stringify({ name: "secret", model: { preset: "mixtral-8x7b" }, visibility: "private" }),
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const params = { id };

    // Anonymous and another token: not found (the id does not leak), on the run and its analyses.
    expect((await callRoute(one.GET, `/api/runs/${id}`, { params })).status).toBe(404);
    expect((await callRoute(one.GET, `/api/runs/${id}`, { params, headers: bearer(other) })).status).toBe(404);
    expect((await callRoute(layer.GET, `/api/runs/${id}/layers/0`, { params: { id, layer: "0" } })).status).toBe(404);
    expect((await callRoute(one.GET, `/api/runs/${id}`, { params, headers: bearer(owner) })).status).toBe(200);
    expect(
      (await callRoute(layer.GET, `/api/runs/${id}/layers/0`, { params: { id, layer: "0" }, headers: bearer(owner) }))
        .status,
    ).toBe(200);
    // A mistyped token is an error, not an anonymous read.
    expect((await callRoute(one.GET, `/api/runs/${id}`, { params, headers: bearer("mat_typo") })).status).toBe(403);

    const names = async (headers: Record<string, string> = {}) =>
      (await callRoute(runs.GET, "/api/runs", { headers })).body.runs.map((r: { name: string }) => r.name);
    expect(await names()).not.toContain("secret");
    expect(await names(bearer(other))).not.toContain("secret");
    expect(await names(bearer(owner))).toContain("secret");

    // The browser's session cookie counts as the token.
    const signIn = await callRoute(session.POST, "/api/session", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ token: owner }),
    });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers.get("set-cookie")!.split(";")[0];
    expect(signIn.headers.get("set-cookie")).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await callRoute(one.GET, `/api/runs/${id}`, { params, headers: { cookie } })).status).toBe(200);
    expect(
      (
        await callRoute(session.POST, "/api/session", {
          method: "POST",
          headers: json,
          body: JSON.stringify({ token: "mat_typo" }),
        })
      ).status,
    ).toBe(403);

    const patch = (headers: Record<string, string>, body: object) =>
      callRoute(one.PATCH, `/api/runs/${id}`, {
        method: "PATCH",
        params,
        headers: { ...json, ...headers },
        body: JSON.stringify(body),
      });
    expect((await patch(bearer(other), { visibility: "public" })).status).toBe(404);
    expect((await patch(bearer(owner), { visibility: "sideways" })).status).toBe(400);
    const unlisted = await patch(bearer(owner), { visibility: "unlisted" });
    expect(unlisted.status).toBe(200);
    expect(unlisted.body.visibility).toBe("unlisted");
    // Unlisted: readable by id, by anyone; still off other people's lists.
    expect((await callRoute(one.GET, `/api/runs/${id}`, { params })).status).toBe(200);
    expect(await names()).not.toContain("secret");
    expect((await patch(bearer(other), { visibility: "public" })).status).toBe(403);
    expect((await patch(bearer(owner), { visibility: "public" })).body.visibility).toBe("public");
    expect(await names()).toContain("secret");
  });
});
