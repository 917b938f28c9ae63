import { expect, test } from "@playwright/test";
import { screenshot } from "./support";

test("the placement lab replays the demo Mixtral run's logits under C2R", async ({ page, request }) => {
  // The demo runs are seeded in the background at first start: wait for the Mixtral one.
  let id: string | undefined;
  await expect
    .poll(
      async () => {
        const { runs } = await (await request.get("/api/runs?tag=demo")).json();
        id = runs.find((r: { name: string; events: number }) => r.name.includes("Mixtral") && r.events > 0)?.id;
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
  await screenshot(page, "placement-lab-demo-c2r");

  await page.getByLabel("simulation", { exact: true }).selectOption("drop");
  await page.getByLabel("dropped expert").fill("3");
  await page.getByRole("button", { name: "Simulate" }).click();
  await expect(page.getByTestId("simulation-result")).toBeVisible();
});
