import { expect, test, type Page } from "@playwright/test";
import { LayerExplorerPage } from "./pages/layer-explorer-page";
import { demoRun, screenshot } from "./support";

/** Every /api/ request the page makes from now on. */
function apiRequests(page: Page): string[] {
  const urls: string[] = [];
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith("/api/")) urls.push(u.pathname + u.search);
  });
  return urls;
}

test("issue 12: the explorer reads layers as binary frames, draws them, and its tooltip shows the API's values", async ({
  page,
  request,
}) => {
  const olmoe = await demoRun(request, "OLMoE-1B-7B, synthetic");
  const n = olmoe.model.experts;
  const urls = apiRequests(page);
  const explorer = new LayerExplorerPage(page);
  await explorer.goto(olmoe.id, 2, "?norm=conditional");
  // The first paint came with the page (the decoded frame prefetched into it): no layer request.
  await page.waitForLoadState("networkidle");
  expect(urls.filter((u) => u.includes("/layers/"))).toEqual([]);

  await page.keyboard.press("ArrowRight");
  await expect(page.getByTestId("heatmap")).toHaveAttribute("data-layer", "3");
  await explorer.waitDrawn();
  const layerUrls = urls.filter((u) => u.includes("/layers/3"));
  expect(layerUrls).toEqual([`/api/runs/${olmoe.id}/layers/3/frame?normalization=conditional`]);
  // Stepping through layers: the next one is fetched in the background, as a frame (layer 2 is still cached).
  await expect
    .poll(() => urls.filter((u) => /\/layers\/[24]\//.test(u)))
    .toEqual([`/api/runs/${olmoe.id}/layers/4/frame?normalization=conditional`]);

  // The tooltip's numbers are the JSON answer's, exactly (same 7-digit doubles).
  const json = await (await request.get(`/api/runs/${olmoe.id}/layers/3?normalization=conditional`)).json();
  await explorer.hoverCell(4, 9, n);
  await expect(explorer.tooltip()).toHaveAttribute("data-value", String(json.normalized[4][9]));
  await expect(explorer.tooltip()).toContainText(`co-activations C = ${json.coactivation[4][9]}`);
  await screenshot(page, "wire-explorer-frame");
  const framePixels = await explorer.canvas().evaluate((c: HTMLCanvasElement) => c.toDataURL());

  // The JSON transport (kept for the benchmark) draws the same pixels.
  await page.evaluate(() => window.localStorage.setItem("atlas.transport", "json"));
  urls.length = 0;
  await explorer.goto(olmoe.id, 2, "?norm=conditional");
  // As above: the page's key listener is armed once it has settled (a press before that is lost).
  await page.waitForLoadState("networkidle");
  await page.keyboard.press("ArrowRight");
  await expect(page.getByTestId("heatmap")).toHaveAttribute("data-layer", "3");
  await expect
    .poll(() => urls.filter((u) => u.includes("/layers/3")))
    .toEqual([`/api/runs/${olmoe.id}/layers/3?normalization=conditional`]);
  await expect.poll(() => explorer.canvas().evaluate((c: HTMLCanvasElement) => c.toDataURL())).toBe(framePixels);
  await page.evaluate(() => window.localStorage.removeItem("atlas.transport"));
});

test("issue 12: the collaboration graph and the flow view read their matrices as frames", async ({ page, request }) => {
  const olmoe = await demoRun(request, "OLMoE-1B-7B, synthetic");
  const urls = apiRequests(page);
  await page.goto(`/runs/${olmoe.id}/graph?layer=1&minLift=1.5`);
  await expect(page.getByTestId("collaboration-graph").locator("[data-expert]")).toHaveCount(64);
  // The first paint's lift matrix came with the page, as a decoded frame: no layer request.
  await page.waitForLoadState("networkidle");
  expect(urls.filter((u) => u.includes("/layers/"))).toEqual([]);
  // Another layer: asked for as a frame, never as JSON.
  await page.getByLabel("layer", { exact: true }).fill("2");
  await expect
    .poll(() => urls.filter((u) => u.includes("/layers/2") && !u.endsWith("/groups")))
    .toEqual([`/api/runs/${olmoe.id}/layers/2/frame?normalization=lift`]);
  await expect(page.getByTestId("collaboration-graph").locator("[data-expert]")).toHaveCount(64);

  const mixtral = await demoRun(request, "Mixtral-8x7B, synthetic");
  urls.length = 0;
  await page.goto(`/runs/${mixtral.id}/flow?layer=3`);
  await expect(page.getByTestId("flow-diagram").locator("path")).toHaveCount(40);
  await page.waitForLoadState("networkidle");
  expect(urls.filter((u) => u.includes("/layers/"))).toEqual([]);
  await page.getByLabel("layer", { exact: true }).fill("4");
  await expect
    .poll(() => urls.filter((u) => u.includes("/layers/4")))
    .toEqual([`/api/runs/${mixtral.id}/layers/4/frame?include=transitions`]);
  await expect(page.getByTestId("flow-diagram").locator("path")).toHaveCount(40);
  await screenshot(page, "wire-flow-frame");
});

test("issue 12: the compare view reads its matrices as a frame and its tooltip shows the API's values", async ({
  page,
  request,
}) => {
  const vanilla = await demoRun(request, "Mixtral-8x7B, synthetic");
  const c2r = await demoRun(request, "under C2R");
  const urls = apiRequests(page);
  await page.goto(`/compare?a=${vanilla.id}&b=${c2r.id}&layer=3`);
  const canvas = page.getByTestId("diff-heatmap").getByTestId("heatmap-canvas");
  await expect(canvas).toHaveAttribute("data-drawn", /[1-9]/);
  expect(urls.filter((u) => u.startsWith("/api/compare"))).toEqual([
    `/api/compare/frame?a=${vanilla.id}&b=${c2r.id}&layer=3`,
  ]);
  const json = await (await request.get(`/api/compare?a=${vanilla.id}&b=${c2r.id}&layer=3`)).json();
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + 1.5 * (box.width / 8), box.y + 0.5 * (box.width / 8));
  const tip = page.getByTestId("compare-tooltip");
  await expect(tip).toContainText("expert 0 × expert 1");
  // formatValue for a non-negative value below 1000 (what the tooltip prints): 3 decimals, trailing zeros off.
  const fmt = (v: number) =>
    Number.isInteger(v)
      ? v.toLocaleString("en-US")
      : v >= 0.001
        ? v.toFixed(3).replace(/\.?0+$/, "")
        : String(Number(v.toPrecision(3)));
  await expect(tip).toContainText(
    `per token: A ${fmt(json.layerDetail.perTokenA[0][1])}, B ${fmt(json.layerDetail.perTokenB[0][1])}`,
  );
  await screenshot(page, "wire-compare-frame");
});
