import { expect, test } from "@playwright/test";
import { screenshot, waitFor } from "./support";

test("V8: the MC-Suite tables load, and one chart shows one-shot, iterative and lottery for the same criterion", async ({
  page,
  request,
}) => {
  await waitFor<{ pruningRuns: unknown[] }>(
    request,
    "/api/pruning-runs?model=mixtral-8x7b",
    (b) => b.pruningRuns.length >= 12,
  );
  await page.goto("/pruning?criterion=Min-EGE");
  const table = page.getByTestId("pruning-table");
  await expect(table.locator("tbody tr")).toHaveCount(3);
  for (const schedule of ["one-shot", "iterative", "lottery"])
    await table.locator("tbody tr", { hasText: schedule }).getByRole("checkbox").check();
  await expect(page).toHaveURL(/ids=[a-z0-9]+,[a-z0-9]+,[a-z0-9]+/);
  const chart = page.getByTestId("pruning-metric-chart");
  await expect(chart.locator("[data-run]")).toHaveCount(3);
  // Dense 7.44 and six steps per run.
  await expect(chart.locator("[data-run] circle")).toHaveCount(3 * 7);
  await expect(page.getByTestId("pruning-sources")).toContainText("arXiv 2504.05586");
  await screenshot(page, "pruning-mc-suite-min-ege");
});

test("V8: experts dropped from a demo trace by usage, re-routed with the logits, saved, compared, linked to expert pages", async ({
  page,
  request,
}) => {
  await waitFor<{ runs: { name: string; events: number }[] }>(request, "/api/runs?tag=demo", (b) =>
    b.runs.some((r) => r.name.includes("Mixtral") && r.events > 0),
  );
  await page.goto("/pruning?model=mixtral-8x7b&schedule=iterative");
  const panel = page.getByTestId("prune-from-trace");
  await panel.getByLabel("trace run").selectOption({ label: "Demo · Mixtral-8x7B, synthetic routing with logits" });
  await panel.getByLabel("criterion").selectOption("EUF");
  await panel.getByLabel("schedule").selectOption("iterative");
  await panel.getByLabel("steps").fill("3");
  await panel.getByRole("button", { name: "Compute" }).click();
  const result = page.getByTestId("prune-result");
  await expect(result.locator("tbody tr")).toHaveCount(3);
  await expect(result).toContainText("mass retained");
  await panel.getByRole("button", { name: "Save as pruning run" }).click();
  await expect(panel.getByRole("button", { name: "Saved" })).toBeVisible();
  const row = page.getByTestId("pruning-table").locator("tbody tr", { hasText: "EUF" });
  await row.getByRole("checkbox").check();
  // The simulated metrics come in a sensible order, not jsonb's.
  await expect(page.getByLabel("metric", { exact: true })).toHaveValue("routing_mass_retained");
  const map = page.getByTestId("drop-step-map");
  await expect(map).toBeVisible();
  await expect(map.locator("a")).toHaveCount(32 * 3);
  await screenshot(page, "pruning-from-trace");
  await map.locator("a").first().click();
  await expect(page).toHaveURL(/\/runs\/[a-z0-9]+\/experts\/\d\?layer=0$/);
  // V4: the expert page names the pruning run that dropped it, and the bits the demo settings gave it.
  await expect(page.getByTestId("expert-stored-results")).toContainText("EUF iterative: dropped at step");
  await expect(page.getByTestId("expert-bits")).toContainText("bits in layer 0");
});

test("V9: quantization settings with average bits, an allocation heatmap, the Pareto frontier, and the usage suggester saved", async ({
  page,
  request,
}) => {
  await waitFor<{ quantResults: unknown[] }>(
    request,
    "/api/quant-results?model=mixtral-8x7b",
    (b) => b.quantResults.length >= 6,
  );
  // Two results with an accuracy, to draw the frontier (made up here, labeled as such).
  for (const [name, bits, acc] of [
    ["e2e 3 bits", 3, 60],
    ["e2e 4 bits", 4, 70],
    ["e2e 3.5 bits, worse", 3.5, 55],
  ] as const) {
    const r = await request.post("/api/quant-results", {
      data: {
        name,
        model: { preset: "mixtral-8x7b" },
        method: "RTN",
        bits: { attention: 4, experts: bits },
        metrics: { e2e_accuracy: acc },
        source: "e2e test values",
      },
    });
    expect(r.status()).toBe(201);
  }
  await page.goto("/quantization?model=mixtral-8x7b");
  const table = page.getByTestId("quant-table");
  await expect(table).toContainText("Examining Post-Training Quantization");
  await expect(
    table
      .locator("tbody tr", { hasText: "attention 4 bits, top-2 most used experts per layer 4 bits" })
      .locator("td")
      .nth(4),
  ).toHaveText("2.54");
  await expect(page.getByTestId("bit-heatmap")).toBeVisible();
  await expect(page.getByTestId("pareto-chart").locator('circle[data-pareto="1"]')).toHaveCount(2);
  await expect(page.getByTestId("pareto-chart").locator('circle[data-pareto="0"]')).toHaveCount(1);
  await screenshot(page, "quantization");

  const s = page.getByTestId("quant-suggester");
  await s.getByLabel("usage run").selectOption({ label: "Demo · Mixtral-8x7B, synthetic routing with logits" });
  await s.getByLabel("budget").fill("2.55");
  await s.getByRole("button", { name: "Suggest" }).click();
  await expect(page.getByTestId("suggested-avg-bits")).toHaveText(/^2\.54\d$/);
  // The Pareto chart's bits axis carries the heatmaps' bit-width colours (one palette).
  const heat4 = await page.getByTestId("suggestion").locator('rect[data-bits="4"]').first().getAttribute("fill");
  await expect(page.getByTestId("pareto-chart").locator('rect[data-bits="4"]')).toHaveAttribute("fill", heat4!);
  await s.getByRole("button", { name: "Save as a configuration" }).click();
  await expect(s.getByRole("button", { name: "Saved" })).toBeVisible();
  await expect(table.locator("tbody tr", { hasText: "usage allocation" })).toHaveCount(1);
  await screenshot(page, "quantization-suggested");
});
