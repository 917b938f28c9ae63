import fs from "node:fs";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { LayerExplorerPage } from "./pages/layer-explorer-page";
import { demoRun, screenshot, sharedFile } from "./support";

async function downloadText(page: Page, button: string): Promise<{ name: string; text: string }> {
  const [dl] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: button, exact: true }).click(),
  ]);
  return { name: dl.suggestedFilename(), text: fs.readFileSync((await dl.path())!, "utf8") };
}

test("V3: order by co-activation group, export the matrix, keyboard between experts, dark mode", async ({
  page,
  request,
}) => {
  const olmoe = await demoRun(request, "OLMoE-1B-7B, synthetic");
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
  const [png] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "export co-activation layer 2 lift as PNG", exact: true }).click(),
  ]);
  expect(
    fs
      .readFileSync((await png.path())!)
      .subarray(1, 4)
      .toString(),
  ).toBe("PNG");

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

test("V4: an expert across layers, moved with the keyboard, with its collaborators and label mix", async ({
  page,
  request,
}) => {
  const mixtral = await demoRun(request, "Mixtral-8x7B, synthetic");
  await page.goto(`/runs/${mixtral.id}/experts/2?layer=4`);
  await expect(page.getByTestId("expert-load-chart")).toBeVisible();
  await expect(page.getByTestId("top-collaborators").locator("tbody tr")).toHaveCount(3);
  await expect(page.getByTestId("label-mix").locator("li")).toHaveCount(3);
  const api = await (await request.get(`/api/runs/${mixtral.id}/experts/2?topT=3`)).json();
  await expect(page.getByTestId("top-collaborators").locator("tbody tr").first()).toContainText(
    String(api.perLayer[4].topCollaborators[0].expert),
  );
  await screenshot(page, "expert-page");
  await page.locator("body").press("ArrowRight");
  await expect(page).toHaveURL(new RegExp(`/experts/3\\?layer=4$`));
  await page.locator("body").press("]");
  await expect(page).toHaveURL(new RegExp(`/experts/3\\?layer=5$`));
  await expect(page.getByTestId("expert-detail")).toContainText("Expert 3 at layer 5");
});

test("V5: the collaboration graph follows the lift threshold, with the entropy scatter beside it", async ({
  page,
  request,
}) => {
  const olmoe = await demoRun(request, "OLMoE-1B-7B, synthetic");
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

test("V10: two real Mixtral traces side by side, their difference, and a paired comparison", async ({
  page,
  request,
}) => {
  const make = async (name: string, file: string) => {
    const run = await (await request.post("/api/runs", { data: { name, model: { preset: "mixtral-8x7b" } } })).json();
    expect(
      (await request.post(`/api/runs/${run.id}/traces`, { data: fs.readFileSync(sharedFile(file)) })).status(),
    ).toBe(200);
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

test("Compare on first start: the demo's vanilla and C2R runs of the same tokens, paired", async ({
  page,
  request,
}) => {
  const vanilla = await demoRun(request, "Mixtral-8x7B, synthetic");
  const c2r = await demoRun(request, "under C2R");
  await page.goto(`/compare?a=${vanilla.id}&b=${c2r.id}&layer=3&paired=1`);
  await expect(page.getByTestId("pairing-summary")).toContainText("paired: 96,000 events · only in A 0 · only in B 0");
  await expect(page.getByTestId("mean-flip-rate")).toHaveText(/^0\.\d+$/);
  await expect(page.getByTestId("diff-heatmap").getByTestId("heatmap-canvas")).toHaveAttribute("data-drawn", /[1-9]/);
  await screenshot(page, "compare-demo-vanilla-vs-c2r");
});

test("hot and dead experts read as linked ids; an out-of-range layer or expert gets a 404 that says why", async ({
  page,
  request,
}) => {
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

test("A8: the real OLMoE per-domain counts as the OLMoE paper's chart, label load share per expert against uniform", async ({
  page,
  request,
}) => {
  const real = JSON.parse(fs.readFileSync(sharedFile("real/olmoe-mixtral-domain-expert-counts.json"), "utf8"));
  const counts: Record<string, number[][]> = real.counts.olmoe;
  const domains = Object.keys(counts);
  const layers = (real.layers as number[]).map((layer, i) => ({
    layer,
    load: counts[domains[0]][i].map((_, e) => domains.reduce((s, d) => s + counts[d][i][e], 0)),
    labels: Object.fromEntries(domains.map((d) => [d, counts[d][i]])),
  }));
  const run = await (
    await request.post("/api/runs", { data: { name: "e2e OLMoE domains", model: { preset: "olmoe-1b-7b" } } })
  ).json();
  const up = await request.post(`/api/runs/${run.id}/traces`, {
    data: Buffer.from(JSON.stringify({ format: "moe-atlas.aggregate.v1", shard: "olmoe-domains", layers })),
  });
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

/** A run of the real Mixtral humaneval trace (top-2 of 8, one label: its events say dataset humaneval). */
async function realMixtral(request: APIRequestContext, name: string): Promise<string> {
  const run = await (await request.post("/api/runs", { data: { name, model: { preset: "mixtral-8x7b" } } })).json();
  expect(
    (
      await request.post(`/api/runs/${run.id}/traces`, {
        data: fs.readFileSync(sharedFile("real/mixtral-humaneval-routing.jsonl")),
      })
    ).status(),
  ).toBe(200);
  return run.id as string;
}

test("issue 11: the real Mixtral trace's collaboration graph shows edges and groups at its defaults, on normalized lift", async ({
  page,
  request,
}) => {
  const id = await realMixtral(request, "e2e humaneval (graph)");
  for (const layer of [0, 15, 24]) {
    const g = await (await request.get(`/api/runs/${id}/layers/${layer}/groups`)).json();
    expect(g.liftBaseline).toBeCloseTo(4 / 7, 12);
    expect(g.method).toBe("exact");
    expect(g.groups, `layer ${layer}`).toBeGreaterThan(1);
  }
  await page.goto(`/runs/${id}/graph?layer=15`);
  const graph = page.getByTestId("collaboration-graph");
  await expect(graph.locator("[data-expert]")).toHaveCount(8);
  await expect.poll(() => graph.locator("line").count()).toBeGreaterThan(1);
  await expect(page.getByTestId("graph-summary")).toContainText(/ [2-8] groups/);
  await expect(page.getByTestId("lift-baseline")).toContainText("chance lift for top-2 of 8: 0.571");
  await expect(page.getByText("Edge when normalized lift ≥")).toBeVisible();
  await screenshot(page, "collaboration-graph-mixtral-real");
});

test("issue 11: a log colour scale paints zeros as no value and its legend starts at the smallest positive value", async ({
  page,
  request,
}) => {
  const id = await realMixtral(request, "e2e humaneval (log)");
  const layer = await (await request.get(`/api/runs/${id}/layers/0`)).json();
  const C: number[][] = layer.coactivation;
  const positives = C.flatMap((r, i) => r.filter((v, j) => i !== j && v > 0));
  const zero = C.flatMap((r, i) => r.map((v, j) => [i, j, v])).find(([i, j, v]) => i !== j && v === 0)!;
  expect(zero).toBeTruthy();
  const explorer = new LayerExplorerPage(page);
  await explorer.goto(id, 0, "?norm=raw&scale=log");
  const legend = page.getByTestId("color-legend");
  await expect(legend).toHaveAttribute("data-kind", "log");
  const ticks = legend.locator("[data-tick]");
  await expect(ticks.first()).toHaveAttribute("data-tick", String(Math.min(...positives)));
  await expect(ticks.last()).toHaveAttribute("data-tick", String(Math.max(...positives)));
  for (const t of await ticks.all()) expect(await t.getAttribute("data-tick")).not.toMatch(/e-/);
  await expect(page.getByTestId("legend-no-value")).toContainText("0 (no log value)");
  // the zero cell's pixels are the no-value colour, a positive cell's are not
  const pixel = (i: number, j: number) =>
    explorer.canvas().evaluate(
      (c: HTMLCanvasElement, [r, col]) => {
        const cell = c.width / 8;
        return Array.from(c.getContext("2d")!.getImageData((col + 0.5) * cell, (r + 0.5) * cell, 1, 1).data);
      },
      [i, j],
    );
  expect(await pixel(zero[0], zero[1])).toEqual([228, 228, 231, 255]);
  const [pi, pj] = C.flatMap((r, i) => r.map((v, j) => [i, j, v])).find(([i, j, v]) => i !== j && v > 0)!;
  expect(await pixel(pi, pj)).not.toEqual([228, 228, 231, 255]);
  await legendLabelsApart(page);
  await screenshot(page, "layer-explorer-log-scale");
});

/** Every text label of the legend and of the given SVG charts sits inside its SVG and overlaps no other. */
async function legendLabelsApart(page: Page, selector = '[data-testid="color-legend"] svg') {
  const problems = await page.locator(selector).evaluateAll((svgs) =>
    svgs.flatMap((svg) => {
      const box = svg.getBoundingClientRect();
      const texts = [...svg.querySelectorAll("text")]
        .map((t) => ({ text: t.textContent, r: t.getBoundingClientRect() }))
        .filter((t) => t.r.width > 0);
      const out: string[] = [];
      for (const t of texts)
        if (
          t.r.left < box.left - 0.5 ||
          t.r.right > box.right + 0.5 ||
          t.r.top < box.top - 0.5 ||
          t.r.bottom > box.bottom + 0.5
        )
          out.push(`clipped: ${t.text}`);
      for (let a = 0; a < texts.length; a++)
        for (let b = a + 1; b < texts.length; b++) {
          const [p, q] = [texts[a].r, texts[b].r];
          if (p.left < q.right - 0.5 && q.left < p.right - 0.5 && p.top < q.bottom - 0.5 && q.top < p.bottom - 0.5)
            out.push(`overlap: ${texts[a].text} / ${texts[b].text}`);
        }
      return out;
    }),
  );
  expect(problems).toEqual([]);
}

test("issue 11: the specialization chart names its experts, and says when one label leaves nothing to compare", async ({
  page,
  request,
}) => {
  const id = await realMixtral(request, "e2e humaneval (one label)");
  await page.goto(`/runs/${id}/specialization?layer=3`);
  await expect(page.getByTestId("single-label-note")).toContainText("one label, humaneval");
  await expect(page.getByTestId("single-label-note")).toContainText("nothing to compare");
  const axis = page.getByTestId("label-shares-chart").getByTestId("expert-axis");
  await expect(axis.locator("text")).toHaveText(["0", "1", "2", "3", "4", "5", "6", "7", "expert"]);
  await expect(page.getByTestId("label-kl-chart")).toHaveCount(0);
  await legendLabelsApart(page, '[data-testid="label-shares-chart"]');
  await screenshot(page, "specialization-single-label");
});

test("issue 11: no label overlaps another or leaves its chart in the shared views, at 1280x900 and on a phone", async ({
  page,
  request,
  browser,
}, info) => {
  const mixtral = await demoRun(request, "Mixtral");
  const olmoe = await demoRun(request, "OLMoE-1B-7B, synthetic");
  const views = [
    {
      name: "layer-explorer",
      path: `/runs/${olmoe.id}/layers/2?norm=lift&scale=log&order=group`,
      ready: "heatmap-canvas",
      charts: '[data-testid="color-legend"] svg',
    },
    {
      name: "graph",
      path: `/runs/${mixtral.id}/graph?layer=4`,
      ready: "collaboration-graph",
      charts: '[data-testid="entropy-scatter"]',
    },
    {
      name: "flow",
      path: `/runs/${mixtral.id}/flow?layer=3`,
      ready: "flow-diagram",
      charts: '[data-testid="flow-diagram"], [data-testid="predictability-chart"]',
    },
    {
      name: "flow-64",
      path: `/runs/${olmoe.id}/flow?layer=3`,
      ready: "flow-diagram",
      charts: '[data-testid="flow-diagram"], [data-testid="predictability-chart"]',
    },
    {
      name: "specialization",
      path: `/runs/${mixtral.id}/specialization?layer=3`,
      ready: "label-shares-chart",
      charts: '[data-testid="label-shares-chart"], [data-testid="label-kl-chart"]',
    },
  ];
  const phone = await browser.newContext({
    baseURL: info.project.use.baseURL,
    viewport: { width: 390, height: 844 },
    hasTouch: true,
    isMobile: true,
    deviceScaleFactor: 1,
  });
  try {
    for (const [p, suffix] of [
      [page, ""],
      [await phone.newPage(), "-phone"],
    ] as const) {
      for (const v of views) {
        await p.goto(v.path);
        await expect(p.getByTestId(v.ready)).toBeVisible();
        await legendLabelsApart(p, v.charts);
        // on the phone a chart wider than the screen scrolls in its own box; the page does not
        if (suffix && v.name !== "layer-explorer")
          expect(await p.evaluate(() => document.documentElement.scrollWidth), v.name).toBeLessThanOrEqual(390);
        await screenshot(p, `layout-${v.name}${suffix}`);
      }
    }
  } finally {
    await phone.close();
  }
});

test("issue 11: every definition note opens by keyboard (focus, Enter, Escape) and by a tap", async ({
  page,
  request,
  browser,
}, info) => {
  const mixtral = await demoRun(request, "Mixtral");
  await page.goto(`/runs/${mixtral.id}/graph?layer=4`);
  await expect(page.getByTestId("collaboration-graph")).toBeVisible();
  const notes = page.getByTestId("definition-note");
  expect(await notes.count()).toBeGreaterThan(1);
  for (const n of await notes.all()) await expect(n).toHaveAttribute("tabindex", "0");
  const popup = page.getByTestId("definition-popup");
  await expect(popup).toHaveCount(0);
  // Shift+Tab from the threshold input lands on its "?" (in the tab order, before the input).
  await page.getByLabel("minimum lift").focus();
  await page.keyboard.press("Shift+Tab");
  await expect(notes.first()).toBeFocused();
  await expect(popup).toBeVisible();
  await expect(popup).toContainText("Normalized lift = lift / ((k−1)E / (k(E−1)))");
  await expect(notes.first()).toHaveAttribute("aria-expanded", "true");
  await page.keyboard.press("Escape");
  await expect(popup).toHaveCount(0);
  await page.keyboard.press("Enter");
  await expect(popup).toBeVisible();
  await screenshot(page, "definition-note-keyboard");
  await page.keyboard.press("Enter");
  await expect(popup).toHaveCount(0);
  await page.keyboard.press("Enter");
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("minimum lift")).toBeFocused();
  await expect(popup).toHaveCount(0);
  // The layer explorer's balance notes too, on another view.
  await page.goto(`/runs/${mixtral.id}/layers/0`);
  const balanceNote = page.getByTestId("definition-note").first();
  await balanceNote.focus();
  await expect(page.getByTestId("definition-popup")).toBeVisible();

  // Touch: a tap opens, a second tap closes; a tap elsewhere closes too.
  const phone = await browser.newContext({
    baseURL: info.project.use.baseURL,
    viewport: { width: 390, height: 844 },
    hasTouch: true,
    isMobile: true,
    deviceScaleFactor: 1,
  });
  try {
    const p = await phone.newPage();
    await p.goto(`/runs/${mixtral.id}/graph?layer=4`);
    await expect(p.getByTestId("collaboration-graph")).toBeVisible();
    const note = p.getByTestId("definition-note").first();
    await note.tap();
    await expect(p.getByTestId("definition-popup")).toBeVisible();
    await expect(p.getByTestId("definition-popup")).toContainText("Normalized lift");
    const box = (await p.getByTestId("definition-popup").boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    await screenshot(p, "definition-note-tap-phone");
    await note.tap();
    await expect(p.getByTestId("definition-popup")).toHaveCount(0);
    await note.tap();
    await expect(p.getByTestId("definition-popup")).toBeVisible();
    await p.getByRole("heading").first().tap();
    await expect(p.getByTestId("definition-popup")).toHaveCount(0);
  } finally {
    await phone.close();
  }
});
