import { expect, test, type APIRequestContext } from "@playwright/test";
import { screenshot } from "./support";

const SERIES = "demo-olmoe-pretraining";

/** The demo series once all six checkpoints have committed (seeded in the background at first start). */
async function demoSeries(request: APIRequestContext) {
  let runs: { id: string; step: number; name: string }[] = [];
  await expect
    .poll(
      async () => {
        const body = await (await request.get(`/api/runs?series=${SERIES}`)).json();
        runs = body.runs.filter((r: { events: number }) => r.events > 0);
        return runs.length;
      },
      { timeout: 90_000 },
    )
    .toBe(6);
  return runs.sort((a, b) => a.step - b.step);
}

test("the series page draws every metric against step, a layer x step heatmap and saturation rising to 1", async ({
  page,
  request,
}) => {
  const runs = await demoSeries(request);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`/series/${SERIES}`);
  // The page names the last readable step as the run a share is anchored to.
  await expect(page).toHaveURL(new RegExp(`run=${runs[5].id}`));
  await expect(page.getByRole("heading", { name: `Series ${SERIES}` })).toBeVisible();
  await expect(page.getByTestId("saturation-chart")).toBeVisible();
  await expect(page.getByTestId("series-chart-gini")).toBeVisible();
  await expect(page.getByTestId("series-chart-predictability")).toBeVisible();
  await expect(page.getByTestId("step-heatmap-canvas")).toHaveAttribute("data-drawn", /[1-9]/);
  await expect(page.locator("p[role=alert]")).toHaveCount(0);
  // Six points on the saturation curve, the last at 1.
  await expect(page.getByTestId("saturation-chart").locator("circle")).toHaveCount(6);
  await expect(page.getByTestId("saturation-chart").locator("circle title").last()).toHaveText("step 160,000: 1");
  const compare = page.getByTestId("compare-series");
  await expect(compare).toHaveAttribute("href", `/compare?runs=${runs.map((r) => r.id).join(",")}`);
  await screenshot(page, "series-page");

  // The heatmap shows any metric per layer: saturation, on [0, 1].
  await page.getByLabel("heatmap metric").selectOption("saturation");
  await expect(page).toHaveURL(/heatmap=saturation/);
  await expect(page.getByText("router saturation per layer and step").first()).toBeVisible();
  const canvas = page.getByTestId("step-heatmap-canvas");
  await canvas.scrollIntoViewIfNeeded();
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width - 2, box.y + 2);
  await expect(page.getByTestId("step-heatmap-tooltip")).toHaveText("layer 0, step 160,000: 1");
  await screenshot(page, "series-heatmap-saturation");

  // C_T under another placement is asked for and drawn.
  await page.getByLabel("placement").selectOption("greedy");
  await expect(page).toHaveURL(/placement=greedy/);
  await expect(page.getByTestId("series-chart-ct")).toBeVisible();

  // Shared: the snapshot draws the same picture from what was pinned.
  await page.getByRole("button", { name: "Share snapshot" }).click();
  const url = (await page.getByTestId("share-url").textContent())!;
  const live: string[] = [];
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith("/api/series")) live.push(u.pathname);
  });
  await page.goto(url);
  await expect(page.getByTestId("snapshot-banner")).toBeVisible();
  await expect(page.getByTestId("saturation-chart").locator("circle")).toHaveCount(6);
  await expect(page.getByTestId("step-heatmap-canvas")).toHaveAttribute("data-drawn", /[1-9]/);
  await page.waitForLoadState("networkidle");
  expect(live).toEqual([]);
  await screenshot(page, "series-share");
});

test("series and step are set from the new-run form and shown on the run overview with a link to the series", async ({
  page,
  request,
}) => {
  const runs = await demoSeries(request);
  await page.goto(`/runs/${runs[2].id}`);
  await expect(page.getByTestId("run-series")).toHaveText(`Step 20,000 of series ${SERIES}`);

  await page.goto("/runs/new");
  await page.getByLabel("run name").fill("e2e checkpoint");
  await page.getByLabel("series").fill("e2e-series");
  await page.getByLabel("step").fill("300");
  await page.getByRole("button", { name: "Create run" }).click();
  await page.waitForURL((u) => /^\/runs\/\w+$/.test(u.pathname) && u.pathname !== "/runs/new");
  await expect(page.getByTestId("run-series")).toHaveText("Step 300 of series e2e-series");
  await page.getByRole("button", { name: "Edit run" }).click();
  await page.getByLabel("step").fill("400");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByTestId("run-series")).toHaveText("Step 400 of series e2e-series");
  await screenshot(page, "series-run-overview");
  await page.getByTestId("run-series").getByRole("link").click();
  await expect(page.getByRole("heading", { name: "Series e2e-series" })).toBeVisible();
});

test("the layer explorer's step scrubber keeps layer, normalization and ordering, and can share one colour scale", async ({
  page,
  request,
}) => {
  const runs = await demoSeries(request);
  await page.goto(`/runs/${runs[1].id}/layers/3?norm=lift&order=load`);
  await expect(page.getByTestId("scrubber-step")).toHaveText("10,000 (2 of 6)");
  // Settled first: under a loaded CI machine a change made while the page still hydrates was lost.
  await page.waitForLoadState("networkidle");
  await page.getByRole("slider", { name: "step" }).fill("4");
  await page.waitForURL(new RegExp(`/runs/${runs[4].id}/layers/3\\?norm=lift&order=load$`));
  await expect(page.getByTestId("scrubber-step")).toHaveText("80,000 (5 of 6)");
  await expect(page.getByTestId("heatmap-canvas")).toBeVisible();
  await page.getByLabel("one colour scale across steps").check();
  await expect(page).toHaveURL(/stepScale=shared/);
  await expect(page.getByText(/one scale across the 6 steps of demo-olmoe-pretraining/)).toBeVisible();
  await screenshot(page, "series-layer-scrubber-shared");
  // Moving on keeps the shared scale too.
  await page.getByRole("slider", { name: "step" }).fill("0");
  await page.waitForURL(new RegExp(`/runs/${runs[0].id}/layers/3\\?.*stepScale=shared`));
  await expect(page.getByText(/one scale across the 6 steps/)).toBeVisible();
});
