import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { demoRun, screenshot } from "./support";

const num = async (t: import("@playwright/test").Locator) => Number((await t.textContent())!.replace(/,/g, ""));

test("the serving planner: EPLB vs ours side by side, the slot grid, the window chart, engine files", async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  const { id } = await demoRun(request, "OLMoE-1B-7B, synthetic");
  // 64 experts (top-8) + 8 redundant = 72 slots on 8 GPUs in 2 nodes, 8 expert groups, windows of 500 tokens.
  await page.goto(`/runs/${id}/placement?devices=8&layer=2&pgpus=8&pnodes=2&pgroups=8&pwin=500`);
  const planner = page.getByTestId("serving-planner");
  await expect(planner.getByTestId("plan-ctnode-optimized")).not.toHaveText("…", { timeout: 60_000 });
  await expect(planner.getByTestId("plan-ctnode-eplb")).not.toHaveText("…", { timeout: 60_000 });
  // Ours is at least as balanced as EPLB on every layer (so on the mean), and reaches fewer nodes.
  const api = await (
    await request.post(`/api/runs/${id}/plan`, {
      data: { slots: 72, gpus: 8, nodes: 2, groups: 8, strategy: "optimized", window: { tokens: 500 } },
    })
  ).json();
  const eplb = await (
    await request.post(`/api/runs/${id}/plan`, {
      data: { slots: 72, gpus: 8, nodes: 2, groups: 8, strategy: "eplb", window: { tokens: 500 } },
    })
  ).json();
  expect(api.ctNodeMean).toBeLessThan(eplb.ctNodeMean);
  api.layers.forEach((l: { plannedMaxGpuLoad: number }, i: number) =>
    expect(l.plannedMaxGpuLoad).toBeLessThanOrEqual(eplb.layers[i].plannedMaxGpuLoad + 1e-9),
  );
  expect(await num(planner.getByTestId("plan-ctnode-optimized"))).toBeLessThan(
    await num(planner.getByTestId("plan-ctnode-eplb")),
  );
  await expect(planner.getByTestId("planner-note")).toContainText("split an expert's tokens evenly");
  await expect(planner.getByTestId("planner-note")).toContainText("EPLB policy: hierarchical");
  // 8 GPUs x 9 slots, with the replicated experts marked.
  const grid = planner.getByTestId("slot-grid");
  await expect(grid.locator("[data-slot]")).toHaveCount(72);
  await expect(grid.locator("[data-node]")).toHaveCount(2);
  const replicated = (api.layers[2].logcnt as number[]).filter((c) => c > 1).reduce((a, c) => a + c, 0);
  expect(replicated).toBeGreaterThan(8);
  await expect(grid.locator("[data-replicated]")).toHaveCount(replicated);
  await expect(planner.getByTestId("window-chart")).toBeVisible();
  await expect(planner.getByTestId("window-chart").locator("polyline")).toHaveCount(4);

  const download = page.waitForEvent("download");
  await planner.getByRole("button", { name: "SGLang init_expert_location.json" }).click();
  const file = await (await download).path();
  const doc = JSON.parse(fs.readFileSync(file, "utf8"));
  expect(Object.keys(doc)).toEqual(["physical_to_logical_map"]);
  expect(doc.physical_to_logical_map).toEqual(api.layers.map((l: { phy2log: number[] }) => l.phy2log));
  await planner.scrollIntoViewIfNeeded();
  await screenshot(page, "serving-planner");

  // A shape that does not fit is refused with the field named, in the page.
  await page.goto(`/runs/${id}/placement?devices=8&pgpus=8&pslots=60`);
  await expect(page.getByTestId("planner-error")).toContainText("slots", { timeout: 30_000 });
});
