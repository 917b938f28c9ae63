import { expect, test } from "@playwright/test";

test("health, presets and the OpenAPI document", async ({ request }) => {
  const health = await (await request.get("/api/health")).json();
  expect(health).toMatchObject({ ok: true, database: "pglite" });
  const { presets } = await (await request.get("/api/models/presets")).json();
  expect(presets.map((p: { id: string }) => p.id)).toEqual([
    "mixtral-8x7b",
    "qwen1.5-moe-a2.7b",
    "deepseek-moe-16b",
    "llama-moe-3.5b-2of8",
    "llama-moe-3.5b-4of16",
    "olmoe-1b-7b",
    "qwen3-30b-a3b",
    "deepseek-v3",
    "switch-base-128",
  ]);
  const doc = await (await request.get("/api/openapi.json")).json();
  expect(doc.openapi).toBe("3.1.0");
  expect(Object.keys(doc.paths)).toContain("/api/runs/{id}/traces");
});

test("errors follow the one contract", async ({ request }) => {
  const bad = await request.post("/api/runs", { data: { name: "x", model: { preset: "nope" } } });
  expect(bad.status()).toBe(400);
  expect(await bad.json()).toEqual({
    error: { code: "unknown_preset", message: expect.stringContaining("mixtral-8x7b"), where: "model.preset" },
  });
  const missing = await request.get("/api/runs/doesnotexist");
  expect(missing.status()).toBe(404);
  const notJson = await request.post("/api/runs", {
    data: Buffer.from("{nope"),
    headers: { "content-type": "application/json" },
  });
  expect(notJson.status()).toBe(400);
  expect((await notJson.json()).error.code).toBe("malformed_json");
});
