import { expect, test } from "@playwright/test";
import { LayerExplorerPage } from "./pages/layer-explorer-page";
import { demoRun, screenshot } from "./support";

interface BalanceLayer {
  layer: number;
  tokens: number;
  load: number[];
}

test("issue 14: the run overview's layer x expert load map, hovered, its hottest cell yellow, clicked to the expert", async ({
  page,
  request,
}) => {
  const olmoe = await demoRun(request, "OLMoE-1B-7B, synthetic");
  const { layers } = (await (await request.get(`/api/runs/${olmoe.id}/balance`)).json()) as { layers: BalanceLayer[] };
  const E = olmoe.model.experts;
  const share = (l: number, e: number) => layers[l].load[e] / layers[l].load.reduce((a, b) => a + b, 0);
  // The run's largest share is the top of the colour scale (viridis yellow).
  let hot = { l: 0, e: 0 };
  for (const { layer: l } of layers) for (let e = 0; e < E; e++) if (share(l, e) > share(hot.l, hot.e)) hot = { l, e };

  await page.goto(`/runs/${olmoe.id}`);
  const canvas = page.getByTestId("load-heatmap-canvas");
  await expect(canvas).toHaveAttribute("data-drawn", /[1-9]/);
  await canvas.scrollIntoViewIfNeeded();
  const box = (await canvas.boundingBox())!;
  const [cw, ch] = [box.width / E, box.height / layers.length];
  expect([Math.round(box.height / ch), Math.round(box.width / cw)]).toEqual([olmoe.model.layers, E]);
  const rgb = await canvas.evaluate(
    (c: HTMLCanvasElement, [x, y]) => Array.from(c.getContext("2d")!.getImageData(x, y, 1, 1).data),
    [Math.floor((hot.e + 0.5) * cw), Math.floor((hot.l + 0.5) * ch)],
  );
  expect(rgb).toEqual([0xfd, 0xe7, 0x25, 255]);

  // Hover: layer, expert and the share the API's loads give.
  await page.mouse.move(box.x + (5 + 0.5) * cw, box.y + (2 + 0.5) * ch);
  const tip = page.getByTestId("load-heatmap-tooltip");
  await expect(tip).toBeVisible();
  await expect(tip).toHaveAttribute("data-layer", "2");
  await expect(tip).toHaveAttribute("data-expert", "5");
  expect(Number(await tip.getAttribute("data-share"))).toBeCloseTo(share(2, 5), 12);
  await expect(tip).toContainText("layer 2, expert 5");
  await expect(tip).toContainText(`load ${layers[2].load[5].toLocaleString("en-US")}`);
  await screenshot(page, "run-overview-load-map");

  // The keyboard walks the same cells.
  await canvas.focus();
  await expect(tip).toHaveAttribute("data-layer", "0");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowRight");
  await expect(tip).toHaveAttribute("data-layer", "1");
  await expect(tip).toHaveAttribute("data-expert", "1");

  await canvas.click({ position: { x: (5 + 0.5) * cw, y: (2 + 0.5) * ch } });
  await expect(page).toHaveURL(new RegExp(`/runs/${olmoe.id}/experts/5\\?layer=2$`));

  // The overview's "Experts" link leads to the layer page's table, not to expert 0.
  await page.goto(`/runs/${olmoe.id}`);
  await page.getByRole("link", { name: "Experts by layer →" }).click();
  await expect(page).toHaveURL(new RegExp(`/runs/${olmoe.id}/layers/0#layer-experts$`));
  await expect(page.getByTestId("layer-experts")).toBeVisible();
});

test("issue 14: the layer page's expert table sorts by every column, keeps its sort in the URL and across layers", async ({
  page,
  request,
}) => {
  const olmoe = await demoRun(request, "OLMoE-1B-7B, synthetic");
  const E = olmoe.model.experts;
  const api = async (layer: number) =>
    (await (await request.get(`/api/runs/${olmoe.id}/experts?layer=${layer}&topT=3`)).json()) as {
      experts: { expert: number; load: number; collaborationEntropy: number | null; topCollaborators: unknown[] }[];
    };
  const explorer = new LayerExplorerPage(page);
  await explorer.goto(olmoe.id, 2);
  const table = page.getByTestId("layer-experts-table");
  const order = async () =>
    await table.locator("tbody tr").evaluateAll((rows) => rows.map((r) => Number(r.getAttribute("data-expert"))));
  await expect(table.locator("tbody tr")).toHaveCount(E);

  // Default: load, descending, ties by id.
  const l2 = (await api(2)).experts;
  const byLoad = [...l2].sort((a, b) => b.load - a.load || a.expert - b.expert).map((r) => r.expert);
  expect(await order()).toEqual(byLoad);
  await expect(table.locator("th[aria-sort=descending]")).toContainText("load");
  const first = table.locator("tbody tr").first();
  await expect(first.locator("td").nth(1)).toHaveText(l2[byLoad[0]].load.toLocaleString("en-US"));
  await expect(first.locator("td").nth(4)).toContainText(/#\d+/);

  // Entropy: ascending first (the most specialized co-activation on top), then reversed.
  await page.getByTestId("sort-entropy").click();
  await expect(page).toHaveURL(/\?esort=entropy&edir=asc$/);
  const byEntropy = [...l2]
    .filter((r) => r.collaborationEntropy !== null)
    .sort((a, b) => a.collaborationEntropy! - b.collaborationEntropy! || a.expert - b.expert)
    .map((r) => r.expert);
  expect((await order()).slice(0, byEntropy.length)).toEqual(byEntropy);
  await screenshot(page, "layer-experts-table");
  await page.getByTestId("sort-entropy").click();
  await expect(page).toHaveURL(/\?esort=entropy$/); // descending is the default: not in the URL
  expect((await order()).slice(0, byEntropy.length)).toEqual([...byEntropy].reverse());

  // Expert id ascending; the sort survives a layer switch (the table follows to layer 3) and a reload.
  await page.getByTestId("sort-expert").click();
  expect(await order()).toEqual(Array.from({ length: E }, (_, i) => i));
  await page.locator("body").press("ArrowRight");
  await expect(explorer.layerNumber()).toHaveText("3");
  await expect(page.getByTestId("layer-experts")).toHaveAttribute("data-layer", "3");
  await expect(page.getByTestId("layer-experts")).toContainText("Experts of layer 3");
  expect(await order()).toEqual(Array.from({ length: E }, (_, i) => i));
  await expect(page).toHaveURL(new RegExp(`/layers/3\\?esort=expert&edir=asc$`));
  const l3 = (await api(3)).experts;
  await expect(table.locator("tbody tr").first().locator("td").nth(1)).toHaveText(l3[0].load.toLocaleString("en-US"));
  await page.reload();
  await explorer.waitDrawn();
  expect(await order()).toEqual(Array.from({ length: E }, (_, i) => i));
  await expect(table.locator("th[aria-sort=ascending]")).toContainText("expert");

  // A row's id opens that expert at this layer.
  await table.locator("tbody tr").nth(4).getByRole("link").click();
  await expect(page).toHaveURL(new RegExp(`/runs/${olmoe.id}/experts/4\\?layer=3$`));
});
