import { expect, test, type Page } from "@playwright/test";
import { demoRun, screenshot } from "./support";

/**
 * Every label of the lab's charts inside its SVG and clear of every other label (legend items,
 * axis ticks, the layer marker's label, titles): no overlapping or clipped text.
 */
async function expectLabelsClear(page: Page, testId: string) {
  const problems = await page.getByTestId(testId).evaluate((svg: Element) => {
    const box = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll("text")]
      .map((t) => ({ s: t.textContent, r: t.getBoundingClientRect() }))
      .filter((t) => t.r.width > 0);
    const out: string[] = [];
    for (const t of texts)
      if (
        t.r.left < box.left - 0.5 ||
        t.r.right > box.right + 0.5 ||
        t.r.top < box.top - 0.5 ||
        t.r.bottom > box.bottom + 0.5
      )
        out.push(`"${t.s}" clipped`);
    for (let i = 0; i < texts.length; i++)
      for (let j = i + 1; j < texts.length; j++) {
        const a = texts[i].r;
        const b = texts[j].r;
        if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5)
          out.push(`"${texts[i].s}" overlaps "${texts[j].s}"`);
      }
    return out;
  });
  expect(problems).toEqual([]);
}

test("the placement lab replays the demo Mixtral run's logits under C2R", async ({ page, request }) => {
  const { id } = await demoRun(request, "Mixtral-8x7B, synthetic");
  await page.goto(`/runs/${id}/placement?devices=4`);
  // The optimized placement is searched on the request (top-8: on the raw events); give it time on a busy machine.
  await expect(page.getByTestId("ct-mean-optimized")).not.toHaveText("…", { timeout: 30_000 });
  // Top-2 with two experts per device: exact C_T, the matching optimum; one max/mean per placement,
  // bytes with the hidden size and dtype stated.
  await expect(page.getByTestId("placement-note")).toContainText("maximum-weight perfect matching");
  await expect(page.getByTestId("strategy-table").locator("tbody tr")).toHaveCount(4);
  for (const s of ["contiguous", "round-robin", "greedy", "optimized"]) {
    await expect(page.getByTestId(`imbalance-${s}`)).toHaveText(/^\d+(\.\d+)?$/);
    await expect(page.getByTestId(`bytes-${s}`)).toHaveText(/^\d+(\.\d+)? (KiB|MiB|GiB)$/);
  }
  await expect(page.getByTestId("bytes-note")).toContainText("hidden 4096 · 2 B (bf16)");
  await expect(page.getByTestId("device-grid").getByRole("heading")).not.toContainText("max/mean");
  await expect(page.getByTestId("simulate-disabled-reason")).toHaveCount(0);
  await expectLabelsClear(page, "ct-chart");
  await page.getByLabel("simulation", { exact: true }).selectOption("c2r");
  await page.getByLabel("Top-T").fill("1");
  await page.getByRole("button", { name: "Simulate" }).click();
  const flip = page.getByTestId("flip-rate");
  await expect(flip).toHaveText(/^0\.\d+$/);
  // With T = 1 the second expert is forced: a real share of tokens change their top-2.
  expect(Number(await flip.textContent())).toBeGreaterThan(0.05);
  await expect(page.getByTestId("simulation-result")).toContainText("96,000 events");
  // Strategies side by side under C2R, and the per-layer effect.
  await expect(page.getByTestId("simulation-strategies").locator("tbody tr")).toHaveCount(4);
  await expect(page.getByTestId("simulation-layer-chart")).toBeVisible();
  // Which placement the C_T chart uses is in its title and legend.
  await expect(page.getByTestId("simulation-ct-chart")).toContainText("C_T under the optimized placement on 4 devices");
  await expect(page.getByTestId("simulation-result")).toContainText("C_T, contiguous placement on 4 devices");
  await expectLabelsClear(page, "simulation-layer-chart");
  await expect(page).toHaveURL(/sim=c2r&topT=1/);
  await screenshot(page, "placement-lab-demo-c2r");

  // The simulation is part of the view: a reload shows it again, and a share pins it.
  const flipBefore = await flip.textContent();
  await page.reload();
  await expect(page.getByTestId("flip-rate")).toHaveText(flipBefore!);
  await page.getByRole("button", { name: "Share snapshot" }).click();
  const url = (await page.getByTestId("share-url").textContent())!;
  await page.goto(url);
  await expect(page.getByTestId("snapshot-banner")).toBeVisible();
  await expect(page.getByTestId("flip-rate")).toHaveText(flipBefore!);
  await expect(page.getByLabel("devices", { exact: true })).toBeDisabled();

  // Load-aware optimizer: the bound holds on every layer where any placement can meet it, and the
  // page says which layers none can (the demo plants hot experts).
  const bound = 1.2;
  const api = await (
    await request.post(`/api/runs/${id}/placement`, {
      data: { devices: 4, strategy: "optimized", maxImbalance: bound },
    })
  ).json();
  api.assignmentImbalance.forEach((x: number, l: number) =>
    expect(x <= bound + 1e-9 || api.boundMissed.includes(l)).toBe(true),
  );
  await page.goto(`/runs/${id}/placement?devices=4&maxImbalance=${bound}&layer=0`);
  // The optimized placement is searched on the request (top-8: on the raw events); give it time on a busy machine.
  await expect(page.getByTestId("ct-mean-optimized")).not.toHaveText("…", { timeout: 30_000 });
  if (api.boundMissed.includes(0))
    await expect(
      page.getByRole("status").filter({ hasText: "No placement found within the load bound" }),
    ).toBeVisible();
  else expect(Number(await page.getByTestId("imbalance-optimized").textContent())).toBeLessThanOrEqual(bound);
  await expect(page.getByTestId("strategy-table")).toContainText(`load ≤ ${bound}× mean`);

  await page.getByLabel("simulation", { exact: true }).selectOption("drop");
  await page.getByLabel("dropped experts").fill("3");
  await page.getByRole("button", { name: "Simulate" }).click();
  await expect(page.getByTestId("simulation-result")).toBeVisible();
  await expect(page).toHaveURL(/sim=drop&drop=3/);
});

test("a top-8 run without logits: C_T minimized on its events, Simulate disabled with the reason", async ({
  page,
  request,
}) => {
  const { id } = await demoRun(request, "OLMoE-1B-7B, synthetic");
  // Never worse than greedy on any layer, C_T counted on the events (the API the lab reads).
  const post = async (strategy: string) =>
    (await request.post(`/api/runs/${id}/placement`, { data: { devices: 8, strategy } })).json();
  const [greedy, optimized] = [await post("greedy"), await post("optimized")];
  expect(optimized.objective).toBe("events");
  optimized.ctPerLayer.forEach((ct: number, l: number) => expect(ct).toBeLessThanOrEqual(greedy.ctPerLayer[l] + 1e-12));
  expect(optimized.ctMean).toBeLessThan(greedy.ctMean);

  await page.goto(`/runs/${id}/placement?devices=8&layer=3`);
  // The optimized placement is searched on the request (top-8: on the raw events); give it time on a busy machine.
  await expect(page.getByTestId("ct-mean-optimized")).not.toHaveText("…", { timeout: 30_000 });
  const note = page.getByTestId("placement-note");
  await expect(note).toContainText("C_T for top-8 is counted on the run's");
  await expect(note).toContainText("the optimizer minimizes that count itself");
  await expect(note).not.toContainText("top-2");
  await expect(page.getByTestId("bytes-note")).toContainText("hidden 2048 · 2 B (bf16)");
  const simulate = page.getByRole("button", { name: "Simulate" });
  await expect(simulate).toBeDisabled();
  await expect(page.getByTestId("simulate-disabled-reason")).toContainText("carry no router logits");
  await expectLabelsClear(page, "ct-chart");
  await screenshot(page, "placement-lab-top8-no-logits");
});

test("an aggregate-only top-4 run: the lab says the optimizer minimizes a proxy, and why Simulate is off", async ({
  page,
  request,
}) => {
  const model = {
    name: "e2e top-4 aggregates",
    layers: 1,
    experts: 8,
    topK: 4,
    sharedExperts: 0,
    router: "softmax",
    renormalize: true,
    hidden: 512,
  };
  const run = await (await request.post("/api/runs", { data: { name: "e2e top-4 aggregates", model } })).json();
  const co = Array.from({ length: 8 }, (_, i) => Array.from({ length: 8 }, (_, j) => (i === j ? 0 : (i + j) % 3)));
  const doc = {
    format: "moe-atlas.aggregate.v1",
    layers: [{ layer: 0, tokens: 10, load: [5, 5, 5, 5, 5, 5, 5, 5], coactivation: co }],
  };
  expect((await request.post(`/api/runs/${run.id}/traces`, { data: Buffer.from(JSON.stringify(doc)) })).status()).toBe(
    200,
  );
  await page.goto(`/runs/${run.id}/placement?devices=2`);
  await expect(page.getByTestId("ct-mean-optimized")).toHaveText("—");
  await expect(page.getByTestId("placement-note")).toContainText("a proxy for C_T, not C_T itself");
  await expect(page.getByTestId("placement-note")).not.toContainText("top-2");
  await expect(page.getByRole("button", { name: "Simulate" })).toBeDisabled();
  await expect(page.getByTestId("simulate-disabled-reason")).toContainText("aggregates only");
  await expect(page.getByTestId("bytes-optimized")).toHaveText("—");
  await expect(page.getByTestId("ct-chart-empty")).toBeVisible();
  await expect(page.getByTestId("strategy-table")).not.toContainText("…");
  await screenshot(page, "placement-lab-top4-aggregates");
});
