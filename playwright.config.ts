import os from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";

const port = Number(process.env.ATTEST_E2E_PORT ?? 3100);
const dataDir = process.env.ATTEST_E2E_DATA_DIR ?? path.join(os.tmpdir(), "attest-e2e-data");
/** The local OpenID Provider's port, derived from the app's so parallel runs on other ports do not collide. */
export const oidcPort = port + 1000;
/** The local SMTP server e2e/notifications.spec.ts listens on while it runs; the app sends its mail there. */
export const smtpPort = Number(process.env.ATTEST_E2E_SMTP_PORT ?? port + 2000);

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
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  webServer: [
    {
      // A real OpenID Provider on 127.0.0.1 for e2e/oidc.spec.ts (e2e/oidc-provider.mjs).
      command: "node e2e/oidc-provider.mjs",
      url: `http://127.0.0.1:${oidcPort}/.well-known/openid-configuration`,
      timeout: 30_000,
      reuseExistingServer: false,
      stdout: "pipe",
      stderr: "pipe",
      // The app's side of OIDC runs on localhost: Next.js reports a loopback address as localhost to route handlers,
      // so the callback URL Auth.js computes there must match the one the sign-in started from (e2e/oidc.spec.ts).
      env: { OIDC_PORT: String(oidcPort), OIDC_REDIRECT_URI: `http://localhost:${port}/api/auth/callback/oidc` },
    },
    {
      // The app as a new user runs it: `npm start` on a fresh embedded database with the demo seed, and OIDC sign-in
      // through the provider above (password sign-in stays on: the demo is on with PGlite).
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
        // Connector credentials are sealed with it (e2e/connectors.spec.ts); without it the server refuses them.
        ATTEST_SECRET_KEY: "e2e-only-connector-key-not-for-production-0123456789",
        // The vendor fakes of e2e/connectors.spec.ts speak TLS with the repository's test CA (lib/testing/tls/README.md).
        NODE_EXTRA_CA_CERTS: path.resolve("lib/testing/tls/ca.pem"),
        // Notifications (e2e/notifications.spec.ts): mail goes to the spec's SMTP server; links point at this server.
        ATTEST_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        ATTEST_MAIL_FROM: "Attest e2e <attest@e2e.example>",
        ATTEST_PUBLIC_URL: `http://127.0.0.1:${port}`,
        AUTH_OIDC_ISSUER: `http://127.0.0.1:${oidcPort}`,
        AUTH_OIDC_CLIENT_ID: "attest-e2e",
        AUTH_OIDC_CLIENT_SECRET: "attest-e2e-oidc-client-secret",
        AUTH_OIDC_NAME: "Northwind IdP",
        AUTH_OIDC_ROLE_MAP: "attest-admins=admin,attest-analysts=analyst,attest-reviewers=reviewer,attest-auditors=auditor",
      },
    },
  ],
});
