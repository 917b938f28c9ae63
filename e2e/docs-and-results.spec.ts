import { execFileSync } from "node:child_process";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { screenshot, waitFor } from "./support";

// Saves nothing the pruning-quant spec counts (no EUF pruning run, no "usage allocation").

const METHODS = ["get", "put", "post", "delete", "patch"];

test("the API page shows every operation of /api/openapi.json, by resource, with parameters, bodies and errors", async ({
  page,
  request,
}) => {
  const doc = await (await request.get("/api/openapi.json")).json();
  await page.goto("/");
  await page.getByRole("navigation", { name: "main" }).getByRole("link", { name: "API", exact: true }).click();
  await expect(page).toHaveURL(/\/docs\/api$/);
  const docs = page.getByTestId("api-docs");
  await expect(docs.getByRole("heading", { level: 1 })).toContainText(doc.info.title);
  let operations = 0;
  for (const [p, item] of Object.entries(
    doc.paths as Record<
      string,
      Record<string, { parameters?: { name: string }[]; requestBody?: unknown; responses: Record<string, unknown> }>
    >,
  )) {
    for (const m of METHODS.filter((x) => x in item)) {
      operations++;
      const op = docs.locator(`[data-operation="${m.toUpperCase()} ${p}"]`);
      await expect(op, `${m} ${p}`).toHaveCount(1);
      for (const param of item[m].parameters ?? [])
        await expect(op.locator(`[data-param="${param.name}"]`), `${m} ${p} ${param.name}`).toHaveCount(1);
      await expect(op.getByTestId("request-body")).toHaveCount(item[m].requestBody ? 1 : 0);
      for (const status of Object.keys(item[m].responses))
        await expect(op.locator(`[data-status="${status}"]`), `${m} ${p} ${status}`).toHaveCount(1);
    }
  }
  expect(operations).toBeGreaterThan(20);
  await expect(docs.locator("[data-operation]")).toHaveCount(operations);
  // Grouped by resource: the trace upload is under runs, with its parameters in a readable table.
  const upload = docs.locator('[data-resource="runs"] [data-operation="POST /api/runs/{id}/traces"]');
  await expect(upload.locator('[data-param="format"] td').nth(2)).toContainText("one of");
  await expect(upload.locator('[data-param="id"] td').nth(3)).toHaveText("yes");
  await expect(upload.getByTestId("errors")).toContainText("413");
  // A request body's properties, required ones marked, a $ref linked to the schema section.
  const create = docs.locator('[data-operation="POST /api/runs"]');
  await expect(create.getByTestId("request-body").locator('[data-property="name"]')).toContainText("*");
  await expect(create.getByRole("link", { name: "Run", exact: true }).first()).toHaveAttribute("href", "#schema-Run");
  await expect(docs.locator('[data-schema="Run"] [data-property="visibility"]')).toContainText('"private"');
  await page.screenshot({ path: path.join("test-results", "screenshots", "docs-api-top.png") });
  await upload.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join("test-results", "screenshots", "docs-api-upload.png") });
});

test("the CLI page shows every command moe-atlas --help prints", async ({ page }) => {
  const help = execFileSync(process.execPath, [path.resolve(__dirname, "../bin/moe-atlas.mjs"), "--help"], {
    encoding: "utf8",
  });
  const commands = help.split("\n").filter((l) => /^ {2}moe-atlas\s/.test(l));
  expect(commands.length).toBeGreaterThan(5);
  await page.goto("/");
  await page.getByRole("navigation", { name: "main" }).getByRole("link", { name: "CLI", exact: true }).click();
  await expect(page).toHaveURL(/\/docs\/cli$/);
  const table = page.getByTestId("cli-commands");
  await expect(table.locator("tbody tr")).toHaveCount(commands.length);
  for (const line of commands) {
    // The synopsis (before the description's gap) appears on the page as the CLI prints it.
    const synopsis = line.trim().split(/\s{2,}/)[0];
    await expect(table, synopsis).toContainText(synopsis);
  }
  await expect(table.locator('[data-command="ingest"]')).toContainText("--format");
  await expect(page.getByTestId("cli-help")).toHaveText(help.trimEnd());
  await screenshot(page, "docs-cli");
});

test("V9: the suggester's default budget is used up to one expert's step, and a bit width has one colour in every chart", async ({
  page,
  request,
}) => {
  await waitFor<{ runs: { name: string; events: number }[] }>(request, "/api/runs?tag=demo", (b) =>
    b.runs.some((r) => r.name.includes("Mixtral") && r.events > 0),
  );
  // A result that mixes 8 and 4 bits, to sit beside a 4/2 suggestion: 4 bits must look the same in both.
  const r = await request.post("/api/quant-results", {
    data: {
      name: "e2e palette 8/4",
      model: { preset: "mixtral-8x7b" },
      method: "RTN",
      bits: { attention: 8, experts: Array.from({ length: 32 }, (_, l) => (l < 16 ? 8 : 4)) },
      source: "e2e test values",
    },
  });
  expect(r.status()).toBe(201);
  const stored = await r.json();
  await page.goto(`/quantization?model=mixtral-8x7b&show=${stored.id}`);
  const s = page.getByTestId("quant-suggester");
  await s.getByLabel("usage run").selectOption({ label: "Demo · Mixtral-8x7B, synthetic routing with logits" });
  await expect(s.getByLabel("budget")).toHaveValue("2.54");
  await s.getByRole("button", { name: "Suggest" }).click();
  const avg = Number(await page.getByTestId("suggested-avg-bits").textContent());
  // One expert of Mixtral at 4 instead of 2 bits adds 0.00759 average bits; top-2 everywhere (2.543) is over.
  expect(avg).toBeLessThanOrEqual(2.54);
  expect(avg).toBeGreaterThan(2.54 - 0.00759);
  await expect(page.getByTestId("suggested-budget-use")).toContainText("would add: 0.008");
  const suggestion = page.getByTestId("suggestion").getByTestId("bit-heatmap");
  await expect(suggestion.locator('rect[data-bits="4"]')).toHaveCount(63);
  const shown = page.getByTestId("bit-heatmap").first();
  await expect(shown).toContainText("e2e palette 8/4");
  const fill = async (where: typeof shown, bits: number) =>
    where.locator(`rect[data-bits="${bits}"]`).first().getAttribute("fill");
  const four = await fill(shown, 4);
  expect(four).toBeTruthy();
  expect(await fill(suggestion, 4)).toBe(four);
  expect(await fill(suggestion, 2)).not.toBe(four);
  expect(await fill(shown, 8)).not.toBe(four);
  // Legends take the same colours.
  await expect(shown.locator('[data-testid="bit-legend"] [data-bits="4"] [data-swatch]')).toHaveAttribute(
    "data-swatch",
    four!,
  );
  await expect(suggestion.locator('[data-testid="bit-legend"] [data-bits="4"] [data-swatch]')).toHaveAttribute(
    "data-swatch",
    four!,
  );
  await screenshot(page, "quantization-default-budget");
});

test("V8: pruning rows, legend entries and drop maps are named, and both axes titled with units", async ({
  page,
  request,
}) => {
  await waitFor<{ pruningRuns: unknown[] }>(
    request,
    "/api/pruning-runs?model=mixtral-8x7b",
    (b) => b.pruningRuns.length >= 12,
  );
  await page.goto("/pruning?criterion=Min-EAN&schedule=one-shot");
  const table = page.getByTestId("pruning-table");
  await expect(table.locator("tbody tr")).toHaveCount(2);
  const names = await table.getByTestId("pruning-row-name").allTextContents();
  // MC-Suite has a Min-EAN one-shot in Table 2 (perplexity) and in Table 3 (MMLU): the names tell them apart.
  expect(names).toEqual(expect.arrayContaining(["Min-EAN one-shot (Table 2)", "Min-EAN one-shot (Table 3)"]));
  expect(new Set(names).size).toBe(names.length);
  for (const row of await table.locator("tbody tr").all()) await row.getByRole("checkbox").check();
  const chart = page.getByTestId("pruning-metric-chart");
  await expect(chart.locator("[data-legend-run]")).toHaveCount(names.length);
  await expect(chart).toContainText("Min-EAN one-shot (Table 3)");
  await expect(chart.getByTestId("pruning-x-title")).toHaveText(/experts dropped per layer \(% of routed experts/);
  await page.getByLabel("metric", { exact: true }).selectOption("mmlu_zero_shot");
  await expect(chart.getByTestId("pruning-y-title")).toHaveText("MMLU zero-shot accuracy (%)");
  await screenshot(page, "pruning-names-axes");

  // A computed run has dropped sets: its map is captioned by its name, rows are MoE layers, columns expert ids.
  const runs = (await (await request.get("/api/runs?tag=demo")).json()).runs as {
    id: string;
    name: string;
    events: number;
    model: { preset: string };
  }[];
  const mixtral = runs.find((x) => x.name.includes("Mixtral") && x.events > 0)!;
  const computed = await (
    await request.post(`/api/runs/${mixtral.id}/pruning`, {
      data: { criterion: "ECC", mode: "min", schedule: "one-shot", steps: 2 },
    })
  ).json();
  const saved = await request.post("/api/pruning-runs", {
    data: {
      model: { preset: "mixtral-8x7b" },
      criterion: "ECC",
      direction: "min",
      schedule: "one-shot",
      runId: mixtral.id,
      steps: computed.steps,
      source: "e2e",
    },
  });
  expect(saved.status()).toBe(201);
  const run = await saved.json();
  await page.goto(`/pruning?ids=${run.id}&metric=routing_mass_retained`);
  const map = page.getByTestId("drop-step-map");
  await expect(map).toHaveAttribute("data-name", run.name);
  await expect(map.locator("figcaption")).toHaveText(run.name);
  await expect(map.getByTestId("drop-map-y-title")).toHaveText("MoE layer");
  await expect(map.getByTestId("drop-map-x-title")).toHaveText("expert id");
  await expect(map).toContainText("1 (12.5%)");
  await expect(chart.getByTestId("pruning-y-title")).toHaveText("routing mass retained (share of gate mass, 0–1)");
  await screenshot(page, "pruning-drop-map-axes");
});
