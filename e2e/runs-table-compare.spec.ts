import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { demoRun, screenshot, sharedFile } from "./support";

const lines = fs.readFileSync(sharedFile("real/mixtral-humaneval-routing.jsonl"), "utf8").trim().split("\n");

/** What the N-run view draws, read from the page: the runs, the matrix cells' titles, the heatmaps. */
async function picture(page: import("@playwright/test").Page) {
  await expect(page.getByTestId("run-heatmap").locator("canvas")).toHaveCount(3);
  return {
    runs: await page.getByTestId("compare-many-runs").locator("li").allTextContents(),
    jsd: await page
      .getByTestId("jsd-matrix")
      .getByTestId("matrix-cell")
      .evaluateAll((cs) => cs.map((c) => c.getAttribute("title"))),
    flips: await page
      .getByTestId("flip-matrix")
      .getByTestId("matrix-cell")
      .evaluateAll((cs) => cs.map((c) => c.getAttribute("title"))),
    curves: await page.getByTestId("overlaid-curves").getByTestId("curve").count(),
    heatmaps: await page.getByTestId("run-heatmap").evaluateAll((fs) => fs.map((f) => f.getAttribute("data-run"))),
    legend: await page.getByTestId("small-multiples").locator("..").getByTestId("color-legend").textContent(),
  };
}

test.setTimeout(120_000);
test("tick three runs in the runs table, compare them, share, and the snapshot shows the same picture", async ({
  page,
  request,
}) => {
  const vanilla = await demoRun(request, "Mixtral-8x7B, synthetic routing");
  const c2r = await demoRun(request, "the same tokens under C2R");
  // A third run of the same model: the real Mixtral humaneval trace (other tokens under the same keys).
  const made = await (
    await request.post("/api/runs", {
      data: { name: "e2e mixtral humaneval", model: { preset: "mixtral-8x7b" }, tags: ["e2e-compare"] },
    })
  ).json();
  const up = await request.post(`/api/runs/${made.id}/traces`, {
    data: Buffer.from(lines.slice(0, 3200).join("\n")),
  });
  expect(up.status()).toBe(200);

  // The runs table: sorted on the server by mean balance, the columns and grouping from the URL.
  await page.goto("/?sort=balance&order=desc&group=model");
  await expect(page.getByTestId("sort-balance")).toContainText("▼");
  const balances = (await page.getByTestId("run-row").locator("td:nth-child(9)").allTextContents()).filter(
    (t) => t !== "–",
  );
  expect(balances.length).toBeGreaterThan(2);
  await expect(page.getByTestId("group-name").first()).toBeVisible();
  await screenshot(page, "runs-table-grouped");

  // Column picker: hide Events, the URL keeps it.
  await page.getByTestId("column-picker").locator("summary").click();
  await page.getByRole("checkbox", { name: "show column Events" }).click(); // controlled: unticked once the URL changes
  await page.waitForURL(/cols=/);
  await expect(page.getByTestId("sort-events")).toHaveCount(0);

  // Tick three runs, then Compare.
  await page.goto("/?tag=");
  for (const name of [
    "Demo · Mixtral-8x7B, synthetic routing with logits",
    "Demo · Mixtral-8x7B, the same tokens under C2R (T = 2)",
    "e2e mixtral humaneval",
  ])
    await page.getByRole("checkbox", { name: `select ${name}` }).check();
  await expect(page.getByTestId("selected-count")).toHaveText("3 selected");
  await screenshot(page, "runs-table-selected");
  await page.getByTestId("compare-selected").click();
  await page.waitForURL(new RegExp(`/compare\\?runs=${vanilla.id},${c2r.id},${made.id}`));

  // Paired flip rates and layer 5, from the view's own controls (the URL follows).
  await expect(page.getByTestId("jsd-matrix")).toBeVisible();
  await page.getByRole("checkbox", { name: "pair tokens" }).click();
  await expect(page).toHaveURL(/paired=1/);
  // Pairing streams both runs' raw events: slower than the aggregates.
  await expect(page.getByTestId("flip-matrix")).toBeVisible({ timeout: 40_000 });
  await page.getByRole("slider", { name: "layer" }).fill("5");
  await expect(page).toHaveURL(/layer=5/);
  const live = await picture(page);
  expect(live.runs).toHaveLength(3);
  expect(live.curves).toBe(3);
  expect(live.heatmaps).toEqual([vanilla.id, c2r.id, made.id]);
  // 3 runs x 32 layers; the base row is 0, the C2R run flips some tokens, the humaneval run nearly all.
  expect(live.jsd).toHaveLength(3 * 32);
  expect(live.jsd[5]).toMatch(/layer 5: 0\.0000/);
  expect(live.flips[32 + 5]).toMatch(/layer 5: 0\.\d{4}/);
  // The humaneval trace has other tokens under the same (sequence, position) keys: nearly all flip.
  expect(live.flips[64 + 5]).toMatch(/layer 5: (0\.9|1\.0)\d*/);
  await screenshot(page, "compare-many-live");

  // Share, open the share: the same picture, drawn from what was pinned.
  await page.getByRole("button", { name: "Share snapshot" }).click();
  const url = (await page.getByTestId("share-url").textContent())!;
  const requests: string[] = [];
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith("/api/")) requests.push(u.pathname + u.search);
  });
  await page.goto(url);
  await expect(page.getByTestId("snapshot-banner")).toBeVisible();
  const pinned = await picture(page);
  await page.waitForLoadState("networkidle");
  expect(pinned).toEqual(live);
  expect(requests).toEqual([]);
  await screenshot(page, "compare-many-snapshot");
});
