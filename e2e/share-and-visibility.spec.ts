import fs from "node:fs";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { GUARDED_PORT, GUARDED_TOKEN_FILE } from "../playwright.config";
import { LayerExplorerPage } from "./pages/layer-explorer-page";
import { screenshot, sharedFile } from "./support";

const lines = fs.readFileSync(sharedFile("real/mixtral-humaneval-routing.jsonl"), "utf8").trim().split("\n");

async function runWith(
  request: APIRequestContext,
  base: string,
  body: object,
  trace: string,
  headers: Record<string, string> = {},
) {
  const run = await (await request.post(`${base}/api/runs`, { data: body, headers })).json();
  const up = await request.post(`${base}/api/runs/${run.id}/traces`, { data: Buffer.from(trace), headers });
  expect(up.status()).toBe(200);
  return run.id as string;
}

test("a share link pins the picture: more data changes the live view, not the snapshot", async ({ page, request }) => {
  // The first half of the real humaneval trace, then the rest after sharing.
  const half = Math.floor(lines.length / 2);
  const runId = await runWith(
    request,
    "",
    { name: "e2e share", model: { preset: "mixtral-8x7b" } },
    lines.slice(0, half).join("\n"),
  );
  const explorer = new LayerExplorerPage(page);
  await explorer.goto(runId, 3, "?norm=lift&scale=log");
  const before = await explorer.canvas().screenshot();
  await page.getByRole("button", { name: "Share snapshot" }).click();
  const link = page.getByTestId("share-url");
  await expect(link).toHaveText(/\/s\/[a-z0-9]{10}$/);
  const url = (await link.textContent())!;

  expect(
    (await request.post(`/api/runs/${runId}/traces`, { data: Buffer.from(lines.slice(half).join("\n")) })).status(),
  ).toBe(200);
  await explorer.goto(runId, 3, "?norm=lift&scale=log");
  expect(Buffer.compare(await explorer.canvas().screenshot(), before)).not.toBe(0);

  // The snapshot draws from what it pinned: no request for the run's live data.
  const live: string[] = [];
  page.on("request", (r) => r.url().includes(`/api/runs/${runId}`) && live.push(r.url()));
  await page.goto(url);
  await explorer.waitDrawn();
  await expect(page.getByTestId("snapshot-banner")).toBeVisible();
  await expect(explorer.layerNumber()).toHaveText("3");
  await expect(page.getByLabel("normalization")).toHaveValue("lift");
  await expect(page.getByLabel("normalization")).toBeDisabled();
  expect(Buffer.compare(await explorer.canvas().screenshot(), before)).toBe(0);
  expect(live).toEqual([]);
  // Arrow keys do not move a pinned view.
  await page.locator("body").press("ArrowRight");
  await expect(explorer.layerNumber()).toHaveText("3");
  await screenshot(page, "share-layer-snapshot");
  await page.getByRole("link", { name: "Open the live view" }).click();
  await expect(page).toHaveURL(new RegExp(`/runs/${runId}/layers/3\\?norm=lift&scale=log$`));
});

test("every registered view opens from its share without a live request, drawn from what was pinned", async ({
  page,
  request,
}) => {
  // Two runs of the same model (alternate lines of the real humaneval trace: both hold the same layers) so the comparison has a run B.
  const model = { preset: "mixtral-8x7b" };
  const part = (r: number) => lines.filter((_, i) => i % 2 === r && i < 3200).join("\n");
  const a = await runWith(request, "", { name: "e2e views A", model }, part(0));
  const b = await runWith(request, "", { name: "e2e views B", model }, part(1));
  // One path per view of lib/views/registry.ts, and what it draws once ready.
  const views: [string, string, string][] = [
    ["overview", `/runs/${a}?metric=gini`, "balance-chart"],
    ["layer", `/runs/${a}/layers/2?norm=lift&order=group`, "heatmap-canvas"],
    ["expert", `/runs/${a}/experts/3?layer=1&topT=2`, "top-collaborators"],
    ["graph", `/runs/${a}/graph?layer=1`, "collaboration-graph"],
    ["flow", `/runs/${a}/flow?layer=1&links=20`, "flow-diagram"],
    ["specialization", `/runs/${a}/specialization?layer=1`, "label-shares-chart"],
    ["placement", `/runs/${a}/placement?devices=2&layer=1`, "strategy-table"],
    ["compare", `/compare?a=${a}&b=${b}&layer=1`, "divergence-chart"],
    // The real trace has no token ids: the token view says so.
    ["tokens", `/runs/${a}/tokens?seq=0&layer=1`, "no-token-ids"],
    ["compare-many", `/compare?runs=${a},${b}&layer=1`, "jsd-matrix"],
  ];
  const live: string[] = [];
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith("/api/")) live.push(`${r.method()} ${u.pathname}${u.search}`);
  });
  for (const [kind, path, drawn] of views) {
    const made = await request.post("/api/shares", { data: { path } });
    expect(made.status(), `${kind}: ${await made.text()}`).toBe(201);
    const share = await made.json();
    expect(share.kind).toBe(kind);
    live.length = 0;
    await page.goto(`/s/${share.id}`);
    await expect(page.getByTestId("snapshot-banner")).toBeVisible();
    await expect(page.getByTestId(drawn).first()).toBeVisible();
    await page.waitForLoadState("networkidle");
    await expect(page.locator("p[role=alert]")).toHaveCount(0);
    if (kind === "placement") await expect(page.getByTestId("ct-mean-optimized")).not.toHaveText("…");
    expect(live, kind).toEqual([]);
    await screenshot(page, `share-view-${kind}`);

    // The live page prefetches what the entry marks for it, under the keys the view asks for: the
    // browser asks only for the answers left to it (placement searches, comparisons).
    live.length = 0;
    await page.goto(path);
    await expect(page.getByTestId(drawn).first()).toBeVisible();
    await page.waitForLoadState("networkidle");
    // (GET /api/runs: the list of runs a form offers to pick from, not an answer the view draws.)
    const left: Record<string, RegExp> = {
      placement: new RegExp(`^(POST /api/runs/${a}/placement|GET /api/runs)$`),
      compare: /^GET \/api\/(runs|compare(\/frame)?\?.*)$/,
      // A sequence's routes come from a scan of the raw events: left to the browser.
      tokens: new RegExp(`^GET /api/runs/${a}/sequences/0$`),
      "compare-many": new RegExp(
        `^GET /api/(compare\\?runs=.*|runs/(${a}|${b})/layers/1/frame\\?normalization=conditional)$`,
      ),
    };
    if (left[kind]) expect(live.length, kind).toBeGreaterThan(0);
    // Only requests for a view's answers count (the overview's upload panel asks the server's limits).
    for (const r of live.filter((x) => /^\w+ \/api\/(runs|compare)\b/.test(x)))
      expect(r, kind).toMatch(left[kind] ?? /^$/);
  }
});

test("a private run, and its share links, are reachable only with its owner's token", async ({
  page,
  browser,
  request,
}) => {
  const base = `http://127.0.0.1:${GUARDED_PORT}`;
  const token = fs.readFileSync(GUARDED_TOKEN_FILE, "utf8").trim();
  expect(token).toMatch(/^mat_/);
  const auth = { authorization: `Bearer ${token}` };
  const runId = await runWith(
    request,
    base,
    { name: "e2e private", visibility: "private", model: { preset: "mixtral-8x7b" } },
    lines.slice(0, 800).join("\n"),
    auth,
  );

  // Anonymous: the API and the pages answer as if the run did not exist; the index does not list it.
  expect((await request.get(`${base}/api/runs/${runId}`)).status()).toBe(404);
  expect((await request.get(`${base}/api/runs/${runId}/layers/0`)).status()).toBe(404);
  expect((await page.goto(`${base}/runs/${runId}`))!.status()).toBe(404);
  expect((await page.goto(`${base}/runs/${runId}/layers/0`))!.status()).toBe(404);
  await page.goto(`${base}/`);
  await expect(page.getByText("e2e private")).toHaveCount(0);

  // The owner signs in with the token: the run, its explorer and the index entry appear.
  await page.getByTestId("sign-in").click();
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("session")).toContainText("e2e-owner");
  await expect(page.getByRole("link", { name: "e2e private" })).toBeVisible();
  await page.goto(`${base}/runs/${runId}/layers/0`);
  await new LayerExplorerPage(page).waitDrawn();
  await page.getByRole("button", { name: "Share snapshot" }).click();
  const url = (await page.getByTestId("share-url").textContent())!;
  // The link names the host the owner reached, not a localhost default.
  expect(url.startsWith(`${base}/s/`)).toBe(true);
  // The owner opens it.
  await page.goto(url);
  await new LayerExplorerPage(page).waitDrawn();
  await expect(page.getByTestId("snapshot-banner")).toBeVisible();

  // A stranger (fresh browser context, no cookie) gets nothing: the snapshot is as private as its run.
  const stranger = await browser.newPage();
  expect((await stranger.goto(url))!.status()).toBe(404);
  expect((await stranger.goto(`${base}/runs/${runId}/layers/0`))!.status()).toBe(404);
  // Made unlisted by its owner, the run's link opens for anyone who has it.
  expect(
    (await request.patch(`${base}/api/runs/${runId}`, { data: { visibility: "unlisted" }, headers: auth })).status(),
  ).toBe(200);
  await stranger.goto(url);
  await new LayerExplorerPage(stranger).waitDrawn();
  await expect(stranger.getByTestId("snapshot-banner")).toBeVisible();
  await screenshot(stranger, "share-unlisted-snapshot");
  await stranger.close();
});
