import fs from "node:fs";
import path from "node:path";
import type { Page } from "@playwright/test";

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
