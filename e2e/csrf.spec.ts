import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { GUARDED_PORT, GUARDED_TOKEN_FILE } from "../playwright.config";
import { LayerExplorerPage } from "./pages/layer-explorer-page";

/**
 * A signed-in browser visits a page on another port of the same host (same site, another origin):
 * that page's form post and fetch carry the session cookie, and must not write anything.
 */
test("a page on another origin cannot write with the signed-in browser's cookie", async ({ page, request }) => {
  const base = `http://127.0.0.1:${GUARDED_PORT}`;
  const token = fs.readFileSync(GUARDED_TOKEN_FILE, "utf8").trim();
  const auth = { authorization: `Bearer ${token}` };
  const victim = await (
    await request.post(`${base}/api/runs`, {
      data: { name: "e2e csrf victim", model: { preset: "mixtral-8x7b" } },
      headers: auth,
    })
  ).json();

  await page.goto(`${base}/`);
  await page.getByTestId("sign-in").click();
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("session")).toContainText("e2e-owner");
  // The app's own page writes with the cookie (same origin).
  const own = await page.evaluate(
    async () =>
      (
        await fetch("/api/runs", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ name: "e2e csrf own page", model: { preset: "mixtral-8x7b" } }),
        })
      ).status,
  );
  expect(own).toBe(201);

  const evil = `<!doctype html><title>evil</title>
<form id="f" method="POST" action="${base}/api/runs" enctype="text/plain"><input name='{"name":"e2e csrf form","model":{"preset":"mixtral-8x7b"},"x":"' value='"}'></form>
<script>
  const line = '{"layer": 0, "experts": [0, 1]}\\n';
  Promise.allSettled([
    fetch("${base}/api/runs", { method: "POST", mode: "no-cors", credentials: "include", headers: { "content-type": "text/plain" }, body: JSON.stringify({ name: "e2e csrf fetch", model: { preset: "mixtral-8x7b" } }) }),
    fetch("${base}/api/runs/${victim.id}/traces", { method: "POST", mode: "no-cors", credentials: "include", body: line }),
  ]).then(() => document.getElementById("f").submit());
</script>`;
  const server = http.createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(evil));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const evilUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  try {
    const formAnswer = page.waitForResponse((r) => r.url() === `${base}/api/runs` && r.request().isNavigationRequest());
    await page.goto(evilUrl);
    expect((await formAnswer).status()).toBe(403);
    await page.waitForURL(`${base}/api/runs`);
    expect(JSON.parse((await page.locator("body").textContent())!).error.code).toBe("cross_origin");
  } finally {
    server.close();
  }

  const names = (await (await request.get(`${base}/api/runs`, { headers: auth })).json()).runs.map(
    (r: { name: string }) => r.name,
  );
  expect(names).toContain("e2e csrf own page");
  expect(names.filter((n: string) => n.startsWith("e2e csrf form") || n.startsWith("e2e csrf fetch"))).toEqual([]);
  expect((await (await request.get(`${base}/api/runs/${victim.id}`, { headers: auth })).json()).events).toBe(0);
});

test("pages and API answers carry the security headers; oversized headers get the JSON error", async ({
  request,
  page,
}) => {
  const res = await request.get("/");
  const csp = res.headers()["content-security-policy"];
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(csp).toContain("frame-ancestors 'none'");
  expect(res.headers()["x-frame-options"]).toBe("DENY");
  expect(res.headers()["x-content-type-options"]).toBe("nosniff");
  const api = await request.get("/api/health");
  expect(api.headers()["x-content-type-options"]).toBe("nosniff");
  expect(api.headers()["content-security-policy"]).toContain("default-src 'none'");

  // The app runs under its policy: no script is refused on a page that draws.
  const violations: string[] = [];
  page.on("console", (m) => /Content Security Policy|Refused to/.test(m.text()) && violations.push(m.text()));
  let runId: string | undefined;
  await expect
    .poll(
      async () =>
        (runId = (await (await request.get("/api/runs?tag=demo")).json()).runs.find(
          (r: { events: number }) => r.events > 0,
        )?.id),
      { timeout: 30_000 },
    )
    .toBeTruthy();
  // Hydration, queries and the canvas all need the app's scripts: a drawn heatmap means they ran.
  const explorer = new LayerExplorerPage(page);
  await explorer.goto(runId!, 0);
  await explorer.waitDrawn();
  await page.locator("body").press("ArrowRight");
  await expect(explorer.layerNumber()).toHaveText("1");
  expect(violations).toEqual([]);

  const baseURL = test.info().project.use.baseURL!;
  const big = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
    const req = http.get(`${baseURL}/api/health`, { headers: { "x-big": "x".repeat(20_000) } }, (r) => {
      let body = "";
      r.on("data", (d) => (body += d));
      r.on("end", () => resolve({ status: r.statusCode!, type: String(r.headers["content-type"]), body }));
    });
    req.on("error", reject);
  });
  expect(big.status).toBe(431);
  expect(big.type).toBe("application/json");
  expect(JSON.parse(big.body).error.code).toBe("headers_too_large");
});
