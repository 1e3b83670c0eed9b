import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { verifyPackage } from "../lib/evidence/verify-package";
import { SignInPage } from "./pages";

// Evidence as an auditor takes it away: the audit log verified on screen and by
// the CLI, a point-in-time access report and a campaign's package downloaded and
// rechecked. The spec changes no nodes or edges; it creates one small campaign
// reviewed by the admin, and closes it.
const BOOTSTRAP = "e2e-bootstrap-token-0123456789abcdef";
const port = Number(process.env.ATTEST_E2E_PORT ?? 3100);
const origin = `http://127.0.0.1:${port}`;
const dataDir = process.env.ATTEST_E2E_DATA_DIR ?? path.join(os.tmpdir(), "attest-e2e-data");
const NAME = `E2E evidence ${Date.now().toString(36)}`;

async function switchTo(page: Page, role: "admin" | "analyst" | "reviewer" | "auditor") {
  await page.context().clearCookies();
  return new SignInPage(page).signInAsDemo(role);
}

async function download(page: Page, click: () => Promise<void>): Promise<Uint8Array> {
  const [file] = await Promise.all([page.waitForEvent("download"), click()]);
  return new Uint8Array(readFileSync((await file.path())!));
}

function cli(script: string, args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, ["--import", "tsx", script, ...args], {
    encoding: "utf8",
    env: { ...process.env, DATABASE_URL: "", ATTEST_URL: "", ATTEST_TOKEN: "", ...env },
  });
}

test("an auditor sees the audit chain verified and filters the log", async ({ page }) => {
  await new SignInPage(page).signInAsDemo("auditor");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Evidence" }).click();
  await expect(page.getByTestId("chain-status")).toContainText("verified");
  await page.screenshot({ path: "test-results/evidence-home.png", fullPage: true });
  await page.getByRole("link", { name: /Audit log/ }).click();
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  await expect(page.getByTestId("chain-head")).toHaveText(/^[0-9a-f]{64}$/);
  await page.getByLabel("Action").selectOption("demo.seed");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/action=demo\.seed/);
  const rows = page.getByTestId("audit-table").locator("tbody tr");
  await expect(rows).toHaveCount(1);
  // The seed's counts as changes: each field added, in words.
  await expect(rows.first()).toContainText(/nodes\s*added\s*\d+/);
  await page.screenshot({ path: "test-results/evidence-audit.png", fullPage: true });
});

test("the audit log names actors and subjects (ids beneath) and exports the filtered view as CSV and JSON", async ({ page }) => {
  await new SignInPage(page).signInAsDemo("auditor");
  await page.goto("/evidence/audit?action=campaign.create");
  // Other specs create campaigns too: the row of the demo's past campaign, whichever place it has.
  const row = page.getByTestId("audit-table").locator("tbody tr").filter({ hasText: "Q3 agent access to the GitHub MCP server" }).first();
  // Chloe created the demo's past campaign: her name and the campaign's, not usr_… and cmp_… ids.
  const actor = row.getByTestId("audit-actor");
  await expect(actor).toContainText("Chloe");
  await expect(actor.locator("span").first()).not.toHaveText(/^usr_/);
  await expect(actor.locator("[data-id]")).toHaveAttribute("data-id", /^usr_[0-9a-z]{26}$/); // the id, as secondary text (short; whole in its tooltip)
  const subject = row.getByTestId("audit-subject");
  await expect(subject.getByRole("link", { name: "Q3 agent access to the GitHub MCP server" })).toHaveAttribute("href", /^\/campaigns\/cmp_/);
  // The action name is one unbroken word on a line, even on a phone.
  await page.setViewportSize({ width: 390, height: 800 });
  const code = row.locator("code").first();
  const box = await code.boundingBox();
  const lineHeight = await code.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight) || 20);
  expect(box!.height).toBeLessThan(lineHeight * 1.8);
  await page.screenshot({ path: "test-results/evidence-audit-phone.png", fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });

  const exports = page.getByTestId("audit-table").locator("tbody tr");
  await page.goto("/evidence/audit?action=audit.export");
  const exportsBefore = await exports.count();
  await page.goto("/evidence/audit?action=campaign.create");
  // The export holds exactly the filtered view: as many rows as the page shows (other specs create campaigns too).
  const shown = await page.getByTestId("audit-table").locator("tbody tr").count();
  expect(shown).toBeGreaterThan(0);
  const exportBar = page.getByTestId("audit-export");
  const csv = new TextDecoder().decode(await download(page, () => exportBar.getByRole("link", { name: "CSV" }).click()));
  const lines = csv.trim().split("\r\n");
  expect(lines[0]).toContain('"actor_name"');
  expect(lines).toHaveLength(shown + 1);
  for (const line of lines.slice(1)) expect(line).toContain('"campaign.create"');
  expect(lines.some((l) => l.includes("Q3 agent access to the GitHub MCP server"))).toBe(true);
  const json = JSON.parse(new TextDecoder().decode(await download(page, () => exportBar.getByRole("link", { name: "JSON" }).click())));
  expect(json.filters).toEqual({ action: "campaign.create" });
  expect(json.items.map((e: { action: string }) => e.action)).toEqual(Array(shown).fill("campaign.create"));
  // Each export is itself in the log.
  await page.goto("/evidence/audit?action=audit.export");
  await expect(exports).toHaveCount(exportsBefore + 2);
});

test("audit:verify will not open the database the server holds, and verifies through its API instead", async () => {
  const direct = cli("scripts/audit-verify.ts", [], { ATTEST_DATA_DIR: dataDir });
  expect(direct.status).toBe(2);
  expect(direct.stderr).toContain("in use by process");
  const viaApi = cli("scripts/audit-verify.ts", [], { ATTEST_URL: origin, ATTEST_TOKEN: BOOTSTRAP });
  expect(viaApi.stdout).toContain("OK, the chain is intact");
  expect(viaApi.status).toBe(0);
});

test("an auditor runs a point-in-time access report and takes it away as a package that verifies", async ({ page }) => {
  await new SignInPage(page).signInAsDemo("auditor");
  await page.goto("/evidence/access");
  await page.getByLabel(/^Node/).fill("GitHub MCP server");
  await page.getByRole("button", { name: "Run report" }).click();
  await page.getByTestId("candidates").getByRole("link", { name: "GitHub MCP server", exact: true }).click();
  const summary = page.getByTestId("report-summary");
  await expect(summary).toContainText("Who could reach GitHub MCP server");
  expect(Number(await page.getByTestId("report-total").textContent())).toBeGreaterThan(0);
  await expect(page.getByTestId("report-table").locator("tbody tr").first()).toContainText("→");
  await page.screenshot({ path: "test-results/evidence-access-report.png", fullPage: true });

  const zip = await download(page, () => summary.getByRole("link", { name: "Evidence package (zip)" }).click());
  const v = verifyPackage(zip);
  expect(v.problems).toEqual([]);
  expect(v.ok).toBe(true);
  expect(v.manifest!.files.map((f) => f.path)).toEqual(["README.txt", "access-report.csv", "access-report.json", "access-report.pdf"]);
  const pdf = await download(page, () => summary.getByRole("link", { name: "PDF" }).click());
  expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe("%PDF-");
});

test("an auditor downloads a campaign's evidence package that verifies; a reviewer is refused", async ({ page }) => {
  test.setTimeout(90_000);
  // The analyst launches a small campaign reviewed by the admin, who approves it all; the analyst closes it.
  await switchTo(page, "analyst");
  const def = {
    name: NAME,
    control: "ISO 27001 A.5.18",
    scope: { edgeKinds: ["connects_to"], targets: ["mcp-configs:mcp_server:github-mcp"] },
    reviewerStrategy: { reviewer: "samir@northwind.example" },
    dueAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
  };
  const created = await page.request.post("/api/v1/campaigns", { data: def, headers: { origin } });
  expect(created.status(), await created.text()).toBe(201);
  const campaign = await created.json();
  const launched = await page.request.post(`/api/v1/campaigns/${campaign.id}/launch`, { headers: { origin } });
  expect(launched.status(), await launched.text()).toBe(202);
  // The launch runs as a background job: wait for the campaign to turn active.
  await expect
    .poll(async () => ((await (await page.request.get(`/api/v1/campaigns/${campaign.id}`)).json()) as { status: string }).status, { timeout: 30_000 })
    .toBe("active");

  await switchTo(page, "admin");
  const mine = await (await page.request.get(`/api/v1/review-items?campaign=${campaign.id}&limit=500`)).json();
  expect(mine.total).toBeGreaterThan(0);
  const decided = await page.request.post("/api/v1/review-items/decisions", {
    data: {
      items: mine.items.map((i: { id: string; version: number }) => ({ id: i.id, version: i.version })),
      decision: "approve",
      justification: "needed for the release train",
    },
    headers: { origin },
  });
  expect(decided.status(), await decided.text()).toBe(200);

  await switchTo(page, "analyst");
  const closed = await page.request.post(`/api/v1/campaigns/${campaign.id}/close`, { headers: { origin } });
  expect(closed.status(), await closed.text()).toBe(200);

  await switchTo(page, "auditor");
  await page.goto("/evidence/campaigns");
  const row = page.getByTestId("campaign-evidence-table").locator("tr", { hasText: NAME });
  await expect(row).toContainText("closed");
  await page.screenshot({ path: "test-results/evidence-campaigns.png", fullPage: true });
  const zip = await download(page, () => row.getByRole("link", { name: `Evidence package for ${NAME}` }).click());
  const v = verifyPackage(zip);
  expect(v.problems).toEqual([]);
  expect(v.ok).toBe(true);
  expect(v.manifest).toMatchObject({ kind: "campaign", id: campaign.id, auditChain: { ok: true } });
  expect(v.manifest!.files.map((f) => f.path)).toContain("campaign-report.pdf");

  // The auditor's CLI agrees.
  const file = path.join(os.tmpdir(), `attest-e2e-${campaign.id}.zip`);
  writeFileSync(file, zip);
  const checked = cli("scripts/evidence-verify.ts", [file], {});
  expect(checked.stdout).toContain("OK, every file matches its manifest hash");
  expect(checked.status).toBe(0);

  await switchTo(page, "reviewer");
  expect((await page.request.get(`/api/v1/campaigns/${campaign.id}/evidence?format=zip`)).status()).toBe(403);
  await page.goto("/evidence/campaigns");
  await expect(page).toHaveURL(/\/forbidden$/);
});
