import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { engineLog } from "../tests/support/engine-log";
import { LayerExplorerPage } from "./pages/layer-explorer-page";
import { llamaMoeAggregate } from "../tests/support/llama-moe-aggregate";
import { SHARED_DATA, screenshot, sharedFile } from "./support";

test("create a run, upload the real Mixtral trace, explore its heatmap", async ({ page, request }) => {
  await page.goto("/runs/new");
  await page.getByLabel("run name").fill("e2e humaneval");
  await page.getByLabel("model preset").selectOption("mixtral-8x7b");
  await page.getByRole("button", { name: "Create run" }).click();
  await expect(page.getByTestId("run-name")).toHaveText("e2e humaneval");
  const runId = page.url().split("/").pop()!;
  expect(runId).toMatch(/^[a-z0-9]{12}$/);

  await page.getByLabel("trace file").setInputFiles(sharedFile("real/mixtral-humaneval-routing.jsonl"));
  await page.getByRole("button", { name: "Upload" }).click();
  const report = page.getByTestId("upload-report");
  await expect(report).toContainText("Ingested 6,777 events");
  await expect(report.locator('[data-warning="repeated_positions"]')).toBeVisible();
  await expect(page.getByTestId("stat-events")).toHaveText("6,777");
  await expect(page.getByTestId("balance-chart")).toBeVisible();
  await screenshot(page, "run-overview");

  await page.getByRole("link", { name: /Explore co-activation/ }).click();
  const explorer = new LayerExplorerPage(page);
  await explorer.waitDrawn();
  await expect(explorer.layerNumber()).toHaveText("0");

  // The tooltip shows the value the API serves for that cell.
  const layer0 = await (await request.get(`/api/runs/${runId}/layers/0`)).json();
  await explorer.hoverCell(0, 1, 8);
  await expect(explorer.tooltip()).toHaveAttribute("data-row", "0");
  await expect(explorer.tooltip()).toHaveAttribute("data-col", "1");
  await expect(explorer.tooltip()).toHaveAttribute("data-value", String(layer0.coactivation[0][1]));
  await expect(explorer.tooltip()).toContainText(`raw: ${layer0.coactivation[0][1]}`);
  await screenshot(page, "layer-explorer-tooltip");

  // Arrow keys move between layers; the URL carries the layer.
  await page.locator("body").press("ArrowRight");
  await expect(page).toHaveURL(new RegExp(`/runs/${runId}/layers/1$`));
  await expect(explorer.layerNumber()).toHaveText("1");
  await expect(page.getByTestId("heatmap")).toHaveAttribute("data-layer", "1");

  // View state lives in the URL and survives a reload.
  await page.getByLabel("normalization").selectOption("lift");
  await page.getByLabel("color scale").selectOption("log");
  await expect(page).toHaveURL(/norm=lift/);
  await expect(page).toHaveURL(/scale=log/);
  await page.reload();
  await explorer.waitDrawn();
  await expect(page.getByLabel("normalization")).toHaveValue("lift");
  await expect(page.getByTestId("color-legend")).toContainText("lift (log scale)");
  const layer1 = await (await request.get(`/api/runs/${runId}/layers/1?normalization=lift`)).json();
  await explorer.hoverCell(2, 5, 8);
  const shown = Number(await explorer.tooltip().getAttribute("data-value"));
  expect(shown).toBeCloseTo(layer1.normalized[2][5], 12);
  await screenshot(page, "layer-explorer-lift-log");
});

test("a malformed upload is refused with its place and leaves the run as it was", async ({ page, request }) => {
  const created = await request.post("/api/runs", {
    data: { name: "e2e malformed", model: { preset: "mixtral-8x7b" } },
  });
  expect(created.status()).toBe(201);
  const { id } = await created.json();
  await page.goto(`/runs/${id}`);
  await page.getByLabel("trace file").setInputFiles({
    name: "bad.jsonl",
    mimeType: "application/x-ndjson",
    buffer: Buffer.from('{"layer": 0, "experts": [1, 2]}\n{"layer": 0, "experts": [1, 9]}\n'),
  });
  await page.getByRole("button", { name: "Upload" }).click();
  const error = page.getByTestId("upload-error");
  await expect(error).toContainText("expert id 9 at experts[1] is outside [0, 8)");
  await expect(error).toContainText("where: line 2 (byte 32)");
  await screenshot(page, "upload-error");
  const run = await (await request.get(`/api/runs/${id}`)).json();
  expect(run.events).toBe(0);
  expect(run.uploads).toEqual([]);
});

test("the real LLaMA-MoE co-activation, uploaded as an aggregate, shows as a heatmap", async ({ page, request }) => {
  const { matrices: base, doc } = llamaMoeAggregate(SHARED_DATA);
  const created = await request.post("/api/runs", {
    data: { name: "e2e LLaMA-MoE base (C2R data)", model: { preset: "llama-moe-3.5b-2of8" } },
  });
  const { id } = await created.json();
  await page.goto(`/runs/${id}`);
  await page.getByLabel("trace file").setInputFiles({
    name: "llama-moe-base.aggregate.json",
    mimeType: "application/json",
    buffer: Buffer.from(JSON.stringify(doc)),
  });
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(page.getByTestId("upload-report")).toContainText("format aggregate");
  await expect(page.getByTestId("stat-tokens")).toHaveText("204,800");
  await page.goto(`/runs/${id}/layers/0?norm=conditional`);
  const explorer = new LayerExplorerPage(page);
  await explorer.waitDrawn();
  await explorer.hoverCell(0, 1, 8);
  // conditional P(1 | 0) = C_01 / load_0
  const row0 = base[0][0];
  // The API sends normalized values to 7 significant digits.
  expect(Number(await explorer.tooltip().getAttribute("data-value"))).toBeCloseTo(
    row0[1] / row0.reduce((a, b) => a + b, 0),
    6,
  );
  await screenshot(page, "llama-moe-aggregate-layer0");

  // The placement lab shows the published C_T: contiguous about 1.870, greedy about 1.53, ours at most greedy.
  await page.goto(`/runs/${id}`);
  await page.getByRole("link", { name: /Placement & C2R lab/ }).click();
  await expect(page.getByTestId("ct-mean-contiguous")).toHaveText(/^1\.87/);
  await expect(page.getByTestId("ct-mean-greedy")).toHaveText(/^1\.5[23]/);
  const greedy = Number(await page.getByTestId("ct-mean-greedy").textContent());
  await expect(page.getByTestId("ct-mean-optimized")).not.toHaveText("…");
  expect(Number(await page.getByTestId("ct-mean-optimized").textContent())).toBeLessThanOrEqual(greedy);
  await page.getByLabel("layer", { exact: true }).fill("5");
  await expect(page).toHaveURL(/layer=5/);
  await expect(page.getByTestId("device-grid")).toContainText("layer 5");
  // The released model's mean collaboration entropy, as the C2R paper reports it (≈ 1.21 nats).
  await expect(page.getByTestId("lab-entropy")).toContainText("1.21");
  await screenshot(page, "placement-lab-llama-moe");

  // The C2R-trained model (T = 1) from the same file, as a second run: far lower entropy, and the
  // comparison view shows how its routing differs layer by layer.
  const c2r = await (
    await request.post("/api/runs", {
      data: { name: "e2e LLaMA-MoE C2R T=1", model: { preset: "llama-moe-3.5b-2of8" } },
    })
  ).json();
  expect(
    (
      await request.post(`/api/runs/${c2r.id}/traces`, {
        data: Buffer.from(JSON.stringify(llamaMoeAggregate(SHARED_DATA, "topt_1").doc)),
      })
    ).status(),
  ).toBe(200);
  await page.goto(`/runs/${c2r.id}/placement?devices=4`);
  await expect(page.getByTestId("lab-entropy")).toContainText("0.15");
  await screenshot(page, "placement-lab-llama-moe-c2r");
  await page.goto(`/runs/${id}/graph?layer=0&minLift=1`);
  await expect(page.getByTestId("collaboration-graph").locator("[data-expert]")).toHaveCount(8);
  await screenshot(page, "collaboration-graph-llama-moe");
  await page.goto(`/compare?a=${id}&b=${c2r.id}&layer=0`);
  await expect(page.getByTestId("mean-jsd")).toHaveText(/^0\.\d+$/);
  await screenshot(page, "compare-llama-moe-released-vs-c2r");
});

test("an engine log with a profiling pass: warned with its extent, and left out when asked", async ({ page }) => {
  const { text, realEvents } = engineLog();
  const file = path.join("test-results", "vllm-engine-log.jsonl");
  fs.mkdirSync("test-results", { recursive: true });
  fs.writeFileSync(file, text);
  for (const exclude of [false, true]) {
    await page.goto("/runs/new");
    await page.getByLabel("run name").fill(exclude ? "e2e engine log, warm-up excluded" : "e2e engine log");
    await page.getByLabel("model preset").selectOption("mixtral-8x7b");
    await page.getByRole("button", { name: "Create run" }).click();
    await expect(page.getByTestId("run-name")).toBeVisible();
    await page.getByLabel("trace file").setInputFiles(file);
    if (exclude) await page.getByLabel("Leave out warm-up passes").check();
    await page.getByRole("button", { name: "Upload" }).click();
    const report = page.getByTestId("upload-report");
    const events = exclude ? realEvents : realEvents + 512 * 32;
    await expect(report).toContainText(`Ingested ${events.toLocaleString("en-US")} events`);
    await expect(report.locator('[data-warning="warmup_routing"]')).toContainText(
      "32 layers (0–31): events 1–512 of the layer",
    );
    await expect(report.locator('[data-warning="metadata_lines"]')).toBeVisible();
    await expect(page.getByTestId("warmup-hint")).toHaveCount(exclude ? 0 : 1);
    await screenshot(page, exclude ? "upload-warmup-excluded" : "upload-warmup-counted");
  }
});
