import fs from "node:fs";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { LayerExplorerPage } from "./pages/layer-explorer-page";
import { screenshot, sharedFile } from "./support";

/** The demo runs are seeded in the background at first start: wait for one by name. */
async function demoRun(request: APIRequestContext, name: string): Promise<{ id: string; model: { experts: number; layers: number } }> {
  let run: { id: string; model: { experts: number; layers: number } } | undefined;
  await expect
    .poll(
      async () => {
        const { runs } = await (await request.get("/api/runs?tag=demo")).json();
        run = runs.find((r: { name: string; events: number }) => r.name.includes(name) && r.events > 0);
        return run?.id;
      },
      { timeout: 30_000 },
    )
    .toBeTruthy();
  return run!;
}

async function downloadText(page: Page, button: string): Promise<{ name: string; text: string }> {
  const [dl] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: button, exact: true }).click()]);
  return { name: dl.suggestedFilename(), text: fs.readFileSync((await dl.path())!, "utf8") };
}

test("V3: order by co-activation group, export the matrix, keyboard between experts, dark mode", async ({ page, request }) => {
  const olmoe = await demoRun(request, "OLMoE");
  const explorer = new LayerExplorerPage(page);
  await explorer.goto(olmoe.id, 2, "?order=group&norm=lift");
  await expect(page.getByTestId("group-strip")).toBeVisible();
  await expect(page.getByTestId("groups-summary")).toContainText(/\d+ groups/);
  const api = await (await request.get(`/api/runs/${olmoe.id}/layers/2/groups`)).json();
  expect(api.groups).toBeGreaterThan(1);
  await screenshot(page, "layer-explorer-groups");

  // CSV of the shown matrix: 64 experts, header + 64 rows, lift values as the API serves them.
  const csv = await downloadText(page, "export co-activation layer 2 lift as CSV");
  expect(csv.name).toBe("co-activation-layer-2-lift.csv");
  const rows = csv.text.trim().split("\n");
  expect(rows).toHaveLength(65);
  const layer = await (await request.get(`/api/runs/${olmoe.id}/layers/2?normalization=lift`)).json();
  expect(Number(rows[1].split(",")[2])).toBeCloseTo(layer.normalized[0][1], 9);
  const svg = await downloadText(page, "export co-activation layer 2 lift as SVG");
  expect(svg.text.match(/<rect /g)).toHaveLength(64 * 64);
  const [png] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "export co-activation layer 2 lift as PNG", exact: true }).click()]);
  expect(fs.readFileSync((await png.path())!).subarray(1, 4).toString()).toBe("PNG");

  // Keyboard: focus the heatmap, arrows move between experts, Enter opens the row's expert.
  await explorer.canvas().focus();
  await expect(explorer.tooltip()).toBeVisible();
  const first = await explorer.tooltip().getAttribute("data-row");
  await page.keyboard.press("ArrowDown");
  await expect(explorer.tooltip()).not.toHaveAttribute("data-row", first!);
  await expect(explorer.layerNumber()).toHaveText("2");
  const row = await explorer.tooltip().getAttribute("data-row");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/runs/${olmoe.id}/experts/${row}\\?layer=2$`));

  // Dark mode: the toggle cycles system → light → dark, and the choice survives a reload.
  await page.getByTestId("theme-toggle").click();
  await page.getByTestId("theme-toggle").click();
  await expect(page.locator("html")).toHaveClass(/dark/);
  await explorer.goto(olmoe.id, 2, "?order=group&norm=lift");
  await expect(page.locator("html")).toHaveClass(/dark/);
  await expect(page.getByTestId("group-strip")).toBeVisible();
  await screenshot(page, "layer-explorer-dark");
  await page.getByTestId("theme-toggle").click();
  await expect(page.locator("html")).not.toHaveClass(/dark/);
});

test("V4: an expert across layers, moved with the keyboard, with its collaborators and label mix", async ({ page, request }) => {
  const mixtral = await demoRun(request, "Mixtral-8x7B, synthetic");
  await page.goto(`/runs/${mixtral.id}/experts/2?layer=4`);
  await expect(page.getByTestId("expert-load-chart")).toBeVisible();
  await expect(page.getByTestId("top-collaborators").locator("tbody tr")).toHaveCount(3);
  await expect(page.getByTestId("label-mix").locator("li")).toHaveCount(3);
  const api = await (await request.get(`/api/runs/${mixtral.id}/experts/2?topT=3`)).json();
  await expect(page.getByTestId("top-collaborators").locator("tbody tr").first()).toContainText(String(api.perLayer[4].topCollaborators[0].expert));
  await screenshot(page, "expert-page");
  await page.locator("body").press("ArrowRight");
  await expect(page).toHaveURL(new RegExp(`/experts/3\\?layer=4$`));
  await page.locator("body").press("]");
  await expect(page).toHaveURL(new RegExp(`/experts/3\\?layer=5$`));
  await expect(page.getByTestId("expert-detail")).toContainText("Expert 3 at layer 5");
});

test("V5: the collaboration graph follows the lift threshold, with the entropy scatter beside it", async ({ page, request }) => {
  const olmoe = await demoRun(request, "OLMoE");
  await page.goto(`/runs/${olmoe.id}/graph?layer=1&minLift=1.5`);
  const graph = page.getByTestId("collaboration-graph");
  await expect(graph.locator("[data-expert]")).toHaveCount(64);
  const edges = async () => graph.locator("line").count();
  const loose = await edges();
  expect(loose).toBeGreaterThan(0);
  await page.getByLabel("minimum lift").fill("3");
  await expect(page).toHaveURL(/minLift=3/);
  await expect.poll(edges).toBeLessThan(loose);
  await expect(page.getByTestId("entropy-scatter").locator("circle")).not.toHaveCount(0);
  await graph.locator('[data-expert="5"] circle').hover({ force: true });
  await screenshot(page, "collaboration-graph");
});

test("V7: cross-layer flow with predictability per layer", async ({ page, request }) => {
  const mixtral = await demoRun(request, "Mixtral-8x7B, synthetic");
  await page.goto(`/runs/${mixtral.id}/flow?layer=3`);
  await expect(page.getByTestId("predictability-chart")).toBeVisible();
  await expect(page.getByTestId("flow-diagram").locator("path")).toHaveCount(40);
  const flow = await (await request.get(`/api/runs/${mixtral.id}/flow`)).json();
  expect(flow.layers[3].predictability).toBeGreaterThan(flow.chance);
  await expect(page.getByTestId("next-expert-table").locator("tbody tr")).toHaveCount(8);
  await screenshot(page, "cross-layer-flow");
  await page.getByLabel("links drawn").fill("10");
  await expect(page.getByTestId("flow-diagram").locator("path")).toHaveCount(10);
});

test("V10: two real Mixtral traces side by side, their difference, and a paired comparison", async ({ page, request }) => {
  const make = async (name: string, file: string) => {
    const run = await (await request.post("/api/runs", { data: { name, model: { preset: "mixtral-8x7b" } } })).json();
    expect((await request.post(`/api/runs/${run.id}/traces`, { data: fs.readFileSync(sharedFile(file)) })).status()).toBe(200);
    return run.id as string;
  };
  const a = await make("e2e gsm8k", "real/mixtral-gsm8k-routing.jsonl");
  const b = await make("e2e humaneval (compare)", "real/mixtral-humaneval-routing.jsonl");
  await page.goto(`/compare?a=${a}&b=${b}&layer=5`);
  await expect(page.getByTestId("mean-jsd")).toHaveText(/^0\.\d+$/);
  await expect(page.getByTestId("diff-heatmap").getByTestId("heatmap-canvas")).toHaveAttribute("data-drawn", /[1-9]/);
  await expect(page.getByTestId("divergence-chart")).toBeVisible();
  // Hover a cell of the difference: both runs' values per token and their difference.
  const canvas = page.getByTestId("diff-heatmap").getByTestId("heatmap-canvas");
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + 1.5 * (box.width / 8), box.y + 0.5 * (box.width / 8));
  const tip = page.getByTestId("compare-tooltip");
  await expect(tip).toContainText("expert 0 × expert 1");
  await expect(tip).toContainText("A − B");
  await screenshot(page, "compare-runs");
  // The same trace twice, paired token by token: nothing flips.
  const twin = await make("e2e humaneval twin", "real/mixtral-humaneval-routing.jsonl");
  await page.goto(`/compare?a=${b}&b=${twin}&layer=0`);
  await page.getByLabel("paired tokens").check();
  await expect(page).toHaveURL(/paired=1/);
  await expect(page.getByTestId("mean-flip-rate")).toHaveText("0");
  await expect(page.getByTestId("mean-jsd")).toHaveText("0");
  // Every decode step logs position 0; they pair in order, so nothing is left on either side.
  const pairing = page.getByTestId("pairing-summary");
  await expect(pairing).toContainText("paired: 6,777 events · only in A 0 · only in B 0");
  // And the same the other way round.
  await page.goto(`/compare?a=${twin}&b=${b}&layer=0&paired=1`);
  await expect(page.getByTestId("pairing-summary")).toContainText("only in A 0 · only in B 0");
  await expect(page.getByTestId("diff-heatmap")).toContainText("row expert");
  await expect(page.getByTestId("diff-heatmap")).toContainText("column expert");
  await screenshot(page, "compare-self-paired");
});

test("Compare on first start: the demo's vanilla and C2R runs of the same tokens, paired", async ({ page, request }) => {
  const vanilla = await demoRun(request, "Mixtral-8x7B, synthetic");
  const c2r = await demoRun(request, "under C2R");
  await page.goto(`/compare?a=${vanilla.id}&b=${c2r.id}&layer=3&paired=1`);
  await expect(page.getByTestId("pairing-summary")).toContainText("paired: 96,000 events · only in A 0 · only in B 0");
  await expect(page.getByTestId("mean-flip-rate")).toHaveText(/^0\.\d+$/);
  await expect(page.getByTestId("diff-heatmap").getByTestId("heatmap-canvas")).toHaveAttribute("data-drawn", /[1-9]/);
  await screenshot(page, "compare-demo-vanilla-vs-c2r");
});

test("hot and dead experts read as linked ids; an out-of-range layer or expert gets a 404 that says why", async ({ page, request }) => {
  const mixtral = await demoRun(request, "Mixtral-8x7B, synthetic");
  await page.goto(`/runs/${mixtral.id}/layers/0`);
  const hot = page.getByTestId("hot-experts");
  await expect(hot.getByRole("link").first()).toHaveText(/^#\d$/);
  const first = await hot.getByRole("link").first().getAttribute("aria-label");
  expect(first).toMatch(/^expert \d$/);
  await screenshot(page, "layer-balance-expert-ids");
  for (const [path, title, detail] of [
    [`/runs/${mixtral.id}/layers/32`, "No layer 32", "has 32 MoE layers, numbered 0 to 31"],
    [`/runs/${mixtral.id}/experts/8`, "No expert 8", "has 8 routed experts per layer, numbered 0 to 7"],
    ["/runs/nosuchrun000", "Run not found", "or it is private"],
  ]) {
    const res = await page.goto(path);
    expect(res?.status()).toBe(404);
    await expect(page.getByTestId("not-found").getByRole("heading")).toHaveText(title);
    await expect(page.getByTestId("not-found")).toContainText(detail);
  }
  await page.goto(`/runs/${mixtral.id}/layers/99`);
  await screenshot(page, "not-found-layer");
  await page.getByRole("link", { name: "Layer 31 (the last)" }).click();
  await expect(page).toHaveURL(new RegExp(`/runs/${mixtral.id}/layers/31$`));
});

test("A8: the real OLMoE per-domain counts as the OLMoE paper's chart, label load share per expert against uniform", async ({ page, request }) => {
  const real = JSON.parse(fs.readFileSync(sharedFile("real/olmoe-mixtral-domain-expert-counts.json"), "utf8"));
  const counts: Record<string, number[][]> = real.counts.olmoe;
  const domains = Object.keys(counts);
  const layers = (real.layers as number[]).map((layer, i) => ({
    layer,
    load: counts[domains[0]][i].map((_, e) => domains.reduce((s, d) => s + counts[d][i][e], 0)),
    labels: Object.fromEntries(domains.map((d) => [d, counts[d][i]])),
  }));
  const run = await (await request.post("/api/runs", { data: { name: "e2e OLMoE domains", model: { preset: "olmoe-1b-7b" } } })).json();
  const up = await request.post(`/api/runs/${run.id}/traces`, { data: Buffer.from(JSON.stringify({ format: "moe-atlas.aggregate.v1", shard: "olmoe-domains", layers })) });
  expect(up.status()).toBe(200);
  await page.goto(`/runs/${run.id}`);
  await page.getByRole("link", { name: /Domain specialization/ }).click();
  await page.getByLabel("layer", { exact: true }).fill("15");
  await expect(page).toHaveURL(/layer=15/);
  const chart = page.getByTestId("label-shares-chart");
  await expect(chart.locator("[data-label]")).toHaveCount(domains.length);
  await expect(chart.locator('[data-label="github"] rect')).toHaveCount(64);
  await expect(page.getByTestId("label-kl-chart").locator("rect")).not.toHaveCount(0);
  await screenshot(page, "specialization-olmoe-layer15");
});
