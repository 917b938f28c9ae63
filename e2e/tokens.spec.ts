import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { demoRun, screenshot } from "./support";

// Issue 15 on the demo OLMoE run, whose synthetic tokens carry ids, texts and planted preferences.
test("the expert page shows what the expert takes: top tokens by count and lift, contexts, per label, EVTC, CSV", async ({
  page,
  request,
}) => {
  const olmoe = await demoRun(request, "OLMoE-1B-7B, synthetic");
  // The most specialized frequent token of layer 3 and its expert: a planted preference.
  const spec = await (await request.get(`/api/runs/${olmoe.id}/layers/3/tokens?limit=50`)).json();
  const planted = [...spec.frequentTokens].sort((a, b) => b.specialization - a.specialization)[0];
  expect(planted.specialization).toBeGreaterThan(0.8);
  await page.goto(`/runs/${olmoe.id}/experts/${planted.topExpert}?layer=3&by=lift`);
  const panel = page.getByTestId("expert-tokens");
  await expect(panel.getByTestId("top-tokens")).toBeVisible();
  const shown = planted.text.replace(/ /g, "␣");
  await expect(panel.getByTestId("top-tokens").locator("tbody tr").first()).toContainText(shown);
  await expect(panel.getByTestId("token-examples").locator("mark").first()).toBeVisible();
  await expect(panel.getByTestId("evtc")).toContainText(/EVTC \d+ of \d+/);
  await expect(panel.getByTestId("tokens-per-label")).toContainText("code");
  await screenshot(page, "expert-tokens");

  const [dl] = await Promise.all([
    page.waitForEvent("download"),
    page
      .getByRole("button", { name: `export expert ${planted.topExpert} layer 3 tokens by lift as CSV`, exact: true })
      .click(),
  ]);
  const rows = fs
    .readFileSync((await dl.path())!, "utf8")
    .trim()
    .split("\n");
  expect(rows[0]).toBe("layer,expert,token_id,text,count,lift");
  const api = await (
    await request.get(`/api/runs/${olmoe.id}/experts/${planted.topExpert}/tokens?layer=3&by=lift`)
  ).json();
  expect(rows).toHaveLength(api.tokens.length + 1);
  expect(rows[1].split(",")[2]).toBe(String(api.tokens[0].tokenId));

  // Ranking by count: the select changes the URL state.
  await page.getByLabel("rank tokens by").selectOption("count");
  await expect(page).toHaveURL(/by=count|layer=3$/);
});

test("the token view colours a sequence by routing, shows a token's route on hover and focus, and searches a token", async ({
  page,
  request,
}) => {
  const olmoe = await demoRun(request, "OLMoE-1B-7B, synthetic");
  await page.goto(`/runs/${olmoe.id}/tokens?seq=1&layer=3&color=top1`);
  const text = page.getByTestId("sequence-text");
  await expect(text.locator("[data-pos]").first()).toBeVisible();
  const n = await text.locator("[data-pos]").count();
  expect(n).toBeGreaterThan(100);
  await text.locator('[data-pos="5"]').hover();
  await expect(page.getByTestId("route-path")).toBeVisible();
  await expect(page.getByTestId("route-panel")).toContainText("position 5");
  // 16 layers x 8 experts per token.
  await expect(page.getByTestId("route-path").locator("circle")).toHaveCount(16 * 8);
  await text.locator('[data-pos="9"]').focus();
  await expect(page.getByTestId("route-panel")).toContainText("position 9");
  await page.keyboard.press("Tab");
  await expect(page.getByTestId("route-panel")).toContainText("position 10");
  await expect(page.getByTestId("token-specialization")).toContainText("Token specialization at layer 3");
  await screenshot(page, "token-view-top1");

  await page.getByLabel("colour by").selectOption("weight");
  await expect(page).toHaveURL(/color=weight/);
  await page.getByLabel("token search").fill("the");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/q=the/);
  const found = page.getByTestId("token-search");
  await expect(found).toContainText("␣the");
  await expect(found.locator("tbody tr")).toHaveCount(16);
  await screenshot(page, "token-view-search");
});
