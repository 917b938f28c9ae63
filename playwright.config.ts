import { defineConfig } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3210);
/** A second server whose administrator created an API token first (CLI), as a team instance would. */
export const GUARDED_PORT = port + 1;
export const GUARDED_TOKEN_FILE = "test-results/e2e-guarded-token.txt";

/**
 * e2e against `next start` on the embedded database in a fresh folder, with the demo seeding on:
 * exactly what the README's first command gives a new user. Debian's Chromium, never a download.
 */
export default defineConfig({
  testDir: "e2e",
  // Not test-results itself: Playwright empties its outputDir, and the Vitest report lives beside it.
  outputDir: "test-results/playwright",
  timeout: 60_000,
  retries: 0,
  workers: 1,
  reporter: process.env.PW_REPORTER === "json" ? [["json", { outputFile: "test-results/e2e.json" }], ["list"]] : "list",
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1280, height: 900 },
    deviceScaleFactor: 1,
    colorScheme: "light",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: [
    {
      command: `npx next start -H 127.0.0.1 -p ${port}`,
      url: `http://127.0.0.1:${port}/api/health`,
      timeout: 120_000,
      reuseExistingServer: false,
      env: {
        ATLAS_DATA_DIR: process.env.E2E_DATA_DIR ?? ".data/e2e-pglite",
        DATABASE_URL: "",
      },
    },
    {
      command: `mkdir -p test-results && rm -rf .data/e2e-guarded .data/e2e-guarded.lock && npx tsx scripts/token.ts create e2e-owner | tail -1 > ${GUARDED_TOKEN_FILE} && npx next start -H 127.0.0.1 -p ${GUARDED_PORT}`,
      url: `http://127.0.0.1:${GUARDED_PORT}/api/health`,
      timeout: 120_000,
      reuseExistingServer: false,
      env: { ATLAS_DATA_DIR: ".data/e2e-guarded", DATABASE_URL: "", ATLAS_DEMO: "0" },
    },
  ],
});
