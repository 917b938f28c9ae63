import fs from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { GUARDED_PORT, GUARDED_TOKEN_FILE } from "../playwright.config";
import { screenshot, sharedFile } from "./support";

const humaneval = fs.readFileSync(sharedFile("real/mixtral-humaneval-routing.jsonl"));
const gsm8k = fs.readFileSync(sharedFile("real/mixtral-gsm8k-routing.jsonl"));

/** Opens the confirmation of a delete button and returns the dialog. */
async function askToDelete(page: Page, buttonName: string) {
  await page.getByRole("button", { name: buttonName }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  return dialog;
}

test("create with a policy, edit, take an upload out, delete a share and the run, each after a confirmation", async ({
  page,
  request,
}) => {
  await page.goto("/runs/new");
  await page.getByLabel("run name").fill("e2e managed run");
  await page.getByLabel("policy", { exact: true }).selectOption("c2r");
  await page.getByLabel("policy T").fill("2");
  await page.getByLabel("visibility").selectOption("unlisted");
  await expect(page.getByTestId("policy-value")).toHaveText("c2r:T=2");
  await page.getByRole("button", { name: "Create run" }).click();
  await page.waitForURL((u) => /^\/runs\/\w+$/.test(u.pathname) && u.pathname !== "/runs/new");
  const runId = page.url().split("/").pop()!;
  await expect(page.getByText("policy c2r:T=2 · unlisted")).toBeVisible();

  for (const [name, bytes] of [
    ["humaneval.jsonl", humaneval],
    ["gsm8k.jsonl", gsm8k],
  ] as const) {
    expect((await request.post(`/api/runs/${runId}/traces?filename=${name}`, { data: bytes })).status()).toBe(200);
  }
  const share = await (await request.post("/api/shares", { data: { path: `/runs/${runId}` } })).json();
  await page.reload();
  await expect(page.getByTestId("stat-events")).toHaveText("14,666");
  await expect(page.getByTestId("uploads-table").locator("tbody tr")).toHaveCount(2);

  // Edit: every field, the policy as kind + M.
  await page.getByRole("button", { name: "Edit run" }).click();
  await page.getByLabel("edit name").fill("e2e renamed run");
  await page.getByLabel("edit description").fill("vanilla HumanEval and GSM8K, then device-limited");
  await page.getByLabel("edit tags").fill("e2e, managed");
  await page.getByLabel("visibility").selectOption("public");
  await page.getByLabel("policy", { exact: true }).selectOption("device-limited");
  await page.getByLabel("policy M").fill("4");
  await screenshot(page, "manage-edit-form");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByTestId("run-name")).toHaveText("e2e renamed run");
  await expect(page.getByText("policy device-limited:M=4 · public · tags e2e, managed")).toBeVisible();

  // Take the GSM8K upload out: the dialog names it, then the counts are those of HumanEval alone.
  const dialog = await askToDelete(page, "Delete upload gsm8k.jsonl");
  await expect(dialog).toContainText("Delete upload gsm8k.jsonl?");
  await expect(dialog).toContainText("Its 7,889 events");
  await screenshot(page, "manage-delete-upload-dialog");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByTestId("uploads-table").locator("tbody tr")).toHaveCount(2);
  await (
    await askToDelete(page, "Delete upload gsm8k.jsonl")
  )
    .getByRole("button", { name: "Delete upload gsm8k.jsonl" })
    .click();
  await expect(page.getByTestId("stat-events")).toHaveText("6,777");
  await expect(page.getByTestId("uploads-table").locator("tbody tr")).toHaveCount(1);
  const layer = await (await request.get(`/api/runs/${runId}/layers/0`)).json();
  expect(layer.tokens).toBeGreaterThan(0);
  // The same file is welcome again.
  expect((await request.post(`/api/runs/${runId}/traces?filename=gsm8k.jsonl`, { data: gsm8k })).status()).toBe(200);
  await page.reload();
  await expect(page.getByTestId("stat-events")).toHaveText("14,666");

  // The share link is listed with the run, and goes when deleted.
  await page.getByText("Share links (1)").click();
  await expect(page.getByTestId("shares-list")).toContainText(`/s/${share.id}`);
  await (
    await askToDelete(page, `Delete share /s/${share.id}`)
  )
    .getByRole("button", { name: `Delete share /s/${share.id}` })
    .click();
  await expect(page.getByTestId("shares-list")).toHaveCount(0);
  expect((await request.get(`/api/shares/${share.id}`)).status()).toBe(404);
  await screenshot(page, "manage-overview-after");

  // The runs index shows the policy and sorts, the state in the URL.
  await page.goto("/?sort=name&order=asc");
  const row = page.getByTestId("runs-table").locator("tr", { hasText: "e2e renamed run" });
  await expect(row.getByTestId("run-policy")).toHaveText("device-limited, M = 4");
  const names = await page.getByTestId("runs-table").getByTestId("run-name").allTextContents();
  // The server sorts by lower(name) in the database's collation (C: code points), not the browser's locale.
  const lower = (x: string) => x.toLowerCase();
  expect(names).toEqual([...names].sort((a, b) => (lower(a) < lower(b) ? -1 : lower(a) > lower(b) ? 1 : 0)));
  await page.getByTestId("sort-events").click();
  await page.waitForURL(/sort=events&order=desc/);
  const events = (await page.getByTestId("runs-table").getByTestId("run-events").allTextContents()).map((t) =>
    Number(t.replace(/,/g, "")),
  );
  expect(events).toEqual([...events].sort((a, b) => b - a));
  await page.getByTestId("sort-events").click();
  await page.waitForURL(/sort=events&order=asc/);
  await screenshot(page, "manage-runs-index-sorted");

  // Delete the run: the dialog says what goes with it; then the index no longer lists it.
  await page.goto(`/runs/${runId}`);
  const runDialog = await askToDelete(page, 'Delete run "e2e renamed run"');
  await expect(runDialog).toContainText("2 upload(s) (14,666 events)");
  await expect(runDialog).toContainText("every share that shows it");
  await screenshot(page, "manage-delete-run-dialog");
  await runDialog.getByRole("button", { name: 'Delete run "e2e renamed run"' }).click();
  await page.waitForURL((u) => u.pathname === "/");
  await expect(page.getByTestId("runs-table")).not.toContainText("e2e renamed run");
  expect((await request.get(`/api/runs/${runId}`)).status()).toBe(404);
});

test("pruning runs and quantization results are deleted where they are listed", async ({ page, request }) => {
  const p = await request.post("/api/pruning-runs", {
    data: {
      name: "e2e pruning to delete",
      model: { preset: "mixtral-8x7b" },
      criterion: "Min-EUF",
      schedule: "one-shot",
      steps: [{ droppedPercent: 25, expertsDroppedPerLayer: 2, metrics: { e2e_metric: 1 } }],
      source: "e2e",
    },
  });
  expect(p.status()).toBe(201);
  const q = await request.post("/api/quant-results", {
    data: {
      name: "e2e quant to delete",
      model: { preset: "mixtral-8x7b" },
      method: "RTN",
      bits: { attention: 4, experts: 2 },
      source: "e2e",
    },
  });
  expect(q.status()).toBe(201);
  const pid = (await p.json()).id as string;
  const qid = (await q.json()).id as string;

  await page.goto("/pruning");
  await expect(page.locator(`[data-pruning-run="${pid}"]`)).toBeVisible();
  const pd = await askToDelete(page, 'Delete pruning run "e2e pruning to delete"');
  await expect(pd).toContainText("Its 1 step(s) and their metrics go");
  await screenshot(page, "manage-delete-pruning-dialog");
  await pd.getByRole("button", { name: 'Delete pruning run "e2e pruning to delete"' }).click();
  await expect(page.locator(`[data-pruning-run="${pid}"]`)).toHaveCount(0);
  expect((await request.get(`/api/pruning-runs/${pid}`)).status()).toBe(404);

  await page.goto("/quantization");
  await expect(page.locator(`[data-quant="${qid}"]`)).toBeVisible();
  await (
    await askToDelete(page, 'Delete quantization result "e2e quant to delete"')
  )
    .getByRole("button", { name: 'Delete quantization result "e2e quant to delete"' })
    .click();
  await expect(page.locator(`[data-quant="${qid}"]`)).toHaveCount(0);
  expect((await request.get(`/api/quant-results/${qid}`)).status()).toBe(404);
});

test("on a server with tokens, the delete dialog asks for the owner's token and says why it refused", async ({
  page,
  request,
}) => {
  const base = `http://127.0.0.1:${GUARDED_PORT}`;
  const token = fs.readFileSync(GUARDED_TOKEN_FILE, "utf8").trim();
  const run = await (
    await request.post(`${base}/api/runs`, {
      data: { name: "guarded delete", model: { preset: "mixtral-8x7b" } },
      headers: { authorization: `Bearer ${token}` },
    })
  ).json();
  await page.goto(`${base}/runs/${run.id}`);
  const dialog = await askToDelete(page, 'Delete run "guarded delete"');
  await dialog.getByRole("button", { name: 'Delete run "guarded delete"' }).click();
  await expect(dialog.getByRole("alert")).toContainText("requires an API token");
  await screenshot(page, "manage-delete-refused");
  await dialog.getByLabel("API token").fill(token);
  await dialog.getByRole("button", { name: 'Delete run "guarded delete"' }).click();
  await page.waitForURL((u) => u.pathname === "/");
  expect((await request.get(`${base}/api/runs/${run.id}`)).status()).toBe(404);
});
