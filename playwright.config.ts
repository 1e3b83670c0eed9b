import os from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";

const port = Number(process.env.ATTEST_E2E_PORT ?? 3100);
const dataDir = process.env.ATTEST_E2E_DATA_DIR ?? path.join(os.tmpdir(), "attest-e2e-data");

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  outputDir: "test-results",
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.ATTEST_CHROMIUM ?? "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
  webServer: {
    // The app as a new user runs it: `npm start` on a fresh embedded database with the demo seed.
    command: "node scripts/start.mjs",
    url: `http://127.0.0.1:${port}/api/health`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PORT: String(port),
      ATTEST_DATA_DIR: dataDir,
      DATABASE_URL: "",
      ATTEST_DEMO: "",
      ATTEST_BOOTSTRAP_TOKEN: "e2e-bootstrap-token-0123456789abcdef",
      AUTH_SECRET: "e2e-only-secret-not-for-production-0123456789",
    },
  },
});
