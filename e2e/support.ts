import fs from "node:fs";
import path from "node:path";
import { expect, type APIRequestContext, type Page } from "@playwright/test";

export const SHARED_DATA = path.resolve(__dirname, "../../shared/data");

export function sharedFile(rel: string): string {
  const p = path.join(SHARED_DATA, rel);
  if (!fs.existsSync(p)) throw new Error(`${p} is missing: the e2e tests upload real data from ../shared/data`);
  return p;
}

/** Full-page screenshot into test-results/screenshots, to be looked at, not diffed. */
export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: path.join("test-results", "screenshots", `${name}.png`), fullPage: true });
}

/** A demo run by part of its name, once its seeded upload has committed (demo runs load in the background at first start). */
export async function demoRun(
  request: APIRequestContext,
  name: string,
): Promise<{ id: string; model: { experts: number; layers: number } }> {
  let run: { id: string; model: { experts: number; layers: number } } | undefined;
  await expect
    .poll(
      async () => {
        const { runs } = await (await request.get("/api/runs?tag=demo")).json();
        run = runs.find((r: { name: string; events: number }) => r.name.includes(name) && r.events > 0);
        return run?.id;
      },
      { timeout: 60_000 },
    )
    .toBeTruthy();
  return run!;
}

/** Polls a JSON endpoint until `pick` holds (demo runs and the papers' results are seeded in the background). */
export async function waitFor<T>(request: APIRequestContext, url: string, pick: (body: T) => boolean) {
  await expect.poll(async () => pick(await (await request.get(url)).json()), { timeout: 45_000 }).toBe(true);
}
