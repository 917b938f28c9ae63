import { expect, test } from "@playwright/test";
import { screenshot } from "./support";

test("the placement lab replays the demo Mixtral run's logits under C2R", async ({ page, request }) => {
  // The demo runs are seeded in the background at first start: wait for the Mixtral one.
  let id: string | undefined;
  await expect
    .poll(
      async () => {
        const { runs } = await (await request.get("/api/runs?tag=demo")).json();
        id = runs.find((r: { name: string; events: number }) => r.name.includes("Mixtral-8x7B, synthetic") && r.events > 0)?.id;
        return id;
      },
      { timeout: 30_000 },
    )
    .toBeTruthy();
  await page.goto(`/runs/${id}/placement?devices=4`);
  await expect(page.getByTestId("ct-mean-optimized")).not.toHaveText("…");
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
  const api = await (await request.post(`/api/runs/${id}/placement`, { data: { devices: 4, strategy: "optimized", maxImbalance: bound } })).json();
  api.assignmentImbalance.forEach((x: number, l: number) => expect(x <= bound + 1e-9 || api.boundMissed.includes(l)).toBe(true));
  await page.goto(`/runs/${id}/placement?devices=4&maxImbalance=${bound}&layer=0`);
  await expect(page.getByTestId("ct-mean-optimized")).not.toHaveText("…");
  if (api.boundMissed.includes(0)) await expect(page.getByRole("status").filter({ hasText: "No placement found within the load bound" })).toBeVisible();
  else expect(Number(await page.getByTestId("imbalance-optimized").textContent())).toBeLessThanOrEqual(bound);
  await expect(page.getByTestId("strategy-table")).toContainText(`load ≤ ${bound}× mean`);

  await page.getByLabel("simulation", { exact: true }).selectOption("drop");
  await page.getByLabel("dropped experts").fill("3");
  await page.getByRole("button", { name: "Simulate" }).click();
  await expect(page.getByTestId("simulation-result")).toBeVisible();
  await expect(page).toHaveURL(/sim=drop&drop=3/);
});
