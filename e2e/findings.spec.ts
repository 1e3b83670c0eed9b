import { expect, test } from "@playwright/test";
import { mainNav, SignInPage } from "./pages";

/**
 * Findings on the demo organisation. The first test evaluates on demand (the
 * e2e server's seed does not evaluate, and earlier specs may or may not have
 * imported). Nothing here adds or ends nodes: it changes a finding's status
 * (and puts it back) and creates one draft campaign.
 */
test("an analyst evaluates, filters by a chart, reads a finding's evidence and accepts then reopens its risk", async ({ page }) => {
  await new SignInPage(page).signInAsDemo("analyst");
  await mainNav(page).getByRole("link", { name: "Findings" }).click();
  await expect(page.getByRole("heading", { name: "Findings", level: 1 })).toBeVisible();
  await page.getByTestId("evaluate-now").click();
  await expect(page.getByTestId("evaluate-result")).toContainText(/Evaluated in \d+ ms: \d+ found/);
  await expect(page.getByTestId("last-evaluation")).toBeVisible();
  // The page opens on the work queue (e2e/findings-queue.spec.ts); every finding is one tab away.
  await page.getByTestId("view-all").click();
  await expect(page).toHaveURL(/view=all/);
  await expect(page.getByTestId("finding-row").first()).toBeVisible();
  // Every rule fires on the demo but "tool changed since certified", which the seed's past campaign and rediscovery
  // open, and which campaigns.spec's later certification of GitHub MCP access resolves (see the next test).
  for (const rule of [
    "hardcoded_secret",
    "credential_rotation",
    "shared_credential",
    "no_active_owner",
    "agent_inactive_principal",
    "uncertified_risky_tool",
    "dual_access_path",
    "over_broad_reach",
    "insecure_mcp_server",
  ]) {
    await expect(page.getByTestId(`chart-rule-${rule}`)).not.toHaveAttribute("aria-label", /: 0$/);
  }
  await page.screenshot({ path: "test-results/findings-list.png", fullPage: true });
  await page.screenshot({ path: "test-results/findings-list-top.png" });

  // A chart bar filters the list, in the URL.
  await page.getByTestId("chart-rule-hardcoded_secret").click();
  await expect(page).toHaveURL(/rule=hardcoded_secret/);
  const rows = page.getByTestId("finding-row");
  await expect(rows.first()).toBeVisible();
  for (const rule of await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-rule")))) expect(rule).toBe("hardcoded_secret");
  await expect(page.getByTestId("findings-table")).toContainText("NHI2");

  // Its evidence, drawn and listed.
  await page.getByRole("link", { name: /GitHub PAT in Lucas's Claude Desktop config is hard-coded/ }).click();
  await expect(page.getByTestId("finding-title")).toContainText("is hard-coded");
  const canvas = page.getByTestId("graph-canvas");
  await expect(canvas).toHaveAttribute("data-ready", "true");
  await expect(canvas).toHaveAttribute("data-nodes", /^[2-9]|\d\d+$/);
  await expect(page.getByTestId("evidence-attributes")).toContainText("hard coded");
  await expect(page.getByTestId("assign-owner")).toHaveAttribute("href", /^\/ownership\/nodes\/cred_/);
  await page.screenshot({ path: "test-results/findings-detail.png", fullPage: true });
  await page.screenshot({ path: "test-results/findings-detail-top.png" });

  // Accept the risk, then take the acceptance back.
  const form = page.getByTestId("accept-form");
  await form.getByLabel("Reason").fill("Lucas's laptop is being reimaged this week");
  await form.getByRole("button", { name: "Accept risk" }).click();
  await expect(page.getByTestId("acceptance")).toContainText("Lucas's laptop is being reimaged this week");
  await expect(page.getByTestId("reopen")).toBeVisible();
  await page.getByTestId("reopen").click();
  await expect(page.getByTestId("accept-form")).toBeVisible();

  // A dual access path lists both routes, and links to them in the explorer.
  await page.goto("/findings?rule=dual_access_path");
  await page
    .getByTestId("finding-row")
    .getByRole("link", { name: /reaches GitHub org northwind through GitHub MCP server and directly/ })
    .first()
    .click();
  await expect(page.getByTestId("evidence-paths")).toContainText("through MCP: ");
  await expect(page.getByTestId("evidence-paths")).toContainText("directly: ");
  await expect(page.getByRole("link", { name: /Both paths to GitHub org northwind/ })).toHaveAttribute("href", /mode=paths/);
  await expect(page.getByTestId("graph-canvas")).toHaveAttribute("data-ready", "true");
  await page.screenshot({ path: "test-results/findings-dual.png", fullPage: true });
});

test("the demo's rug pull: a GitHub tool whose description changed after a campaign certified access to it", async ({ page }) => {
  await new SignInPage(page).signInAsDemo("analyst");
  // All statuses: on a fresh demo it is open; after campaigns.spec closes a newer campaign certifying the GitHub MCP
  // server's access (the changed definition included), a later evaluation has resolved it.
  await page.goto("/findings?rule=tool_definition_changed&status=all");
  await page
    .getByTestId("finding-row")
    .getByRole("link", { name: /create_pull_request \(github-mcp\) changed after access to it was certified/ })
    .click();
  await expect(page.getByTestId("finding-title")).toContainText("Q3 agent access to the GitHub MCP server");
  await expect(page.getByTestId("evidence-attributes")).toContainText("certified definition hash");
  // The change itself: the description as certified against now, the sentence the server slipped in marked as added.
  const diff = page.getByTestId("definition-diff-description");
  await expect(diff.locator("[data-op=del]")).toContainText("Create a new pull request");
  await expect(diff.locator("ins")).toContainText("read the repository's .env file");
  await expect(diff.locator("del")).toHaveCount(0);
  await expect(page.getByTestId("definition-diff")).toContainText("Unchanged: input schema");
  // Facts in words: the certification's campaign linked, its access named.
  const facts = page.getByTestId("evidence-facts");
  await expect(facts.getByRole("link", { name: "Q3 agent access to the GitHub MCP server" })).toHaveAttribute("href", /^\/campaigns\/cmp_/);
  await expect(facts).toContainText("definition history");
  await expect(facts).not.toContainText(/cmp_|itm_|agt_/);
  await expect(page.getByTestId("graph-canvas")).toHaveAttribute("data-ready", "true");
  await page.screenshot({ path: "test-results/findings-tool-changed.png", fullPage: true });
});

test("an analyst turns selected findings into a draft campaign", async ({ page }) => {
  await new SignInPage(page).signInAsDemo("analyst");
  await page.goto("/findings?rule=insecure_mcp_server");
  const row = page.getByTestId("finding-row").first();
  await row.getByRole("checkbox").check();
  await page.getByTestId("create-campaign").click();
  await expect(page).toHaveURL(/\/campaigns\/cmp_/);
});

test("an auditor reads findings without actions; a reviewer has no findings page", async ({ page }) => {
  await new SignInPage(page).signInAsDemo("auditor");
  await page.goto("/findings?status=all");
  await expect(page.getByTestId("finding-row").first()).toBeVisible();
  await expect(page.getByTestId("evaluate-now")).toHaveCount(0);
  await expect(page.getByTestId("create-campaign")).toHaveCount(0);
  await page.getByTestId("finding-row").first().getByRole("link").first().click();
  await expect(page.getByTestId("finding-actions")).toBeVisible();
  await expect(page.getByTestId("accept-form")).toHaveCount(0);

  await page.context().clearCookies();
  await new SignInPage(page).signInAsDemo("reviewer");
  await expect(mainNav(page).getByRole("link", { name: "Findings" })).toHaveCount(0);
  await page.goto("/findings");
  await expect(page).toHaveURL(/\/forbidden/);
});
