import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as createRun } from "@/app/api/runs/route";
import { POST as uploadTrace } from "@/app/api/runs/[id]/traces/route";
import { createApiToken } from "@/lib/db/queries/api-tokens";
import { openTestDatabase } from "./support/test-db";

type TestDb = Awaited<ReturnType<typeof openTestDatabase>>;

// Route handlers are called as Next calls them, with this file's database as the process's.
describe("write access through the route handlers", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDatabase("postgres");
    (globalThis as { __atlasDb?: Promise<unknown> }).__atlasDb = Promise.resolve(t);
  });
  afterAll(async () => {
    delete (globalThis as { __atlasDb?: unknown }).__atlasDb;
    await t?.drop();
  });

  const post = (headers: Record<string, string> = {}) =>
    createRun(new Request("http://x/api/runs", { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ name: "r", model: { preset: "olmoe-1b-7b" } }) }), {
      params: Promise.resolve({}),
    });

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
      uploadTrace(new Request(`http://x/api/runs/${runId}/traces`, { method: "POST", headers, body }), { params: Promise.resolve({ id: runId }) });
    expect((await upload({})).status).toBe(401);
    const ok = await upload({ authorization: `Bearer ${token}` });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ events: 1, tokens: 1 });
  });

  it("answers a bad layer or unknown run in the error contract", async () => {
    const { GET } = await import("@/app/api/runs/[id]/layers/[layer]/route");
    const res = await GET(new Request("http://x/api/runs/nope/layers/0"), { params: Promise.resolve({ id: "nope", layer: "0" }) });
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe("not_found");
  });
});
