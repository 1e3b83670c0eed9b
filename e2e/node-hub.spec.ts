import { expect, test, type Page } from "@playwright/test";
import { SignInPage } from "./pages";

const BOOTSTRAP = { Authorization: "Bearer e2e-bootstrap-token-0123456789abcdef" };

async function nodeId(page: Page, kind: string, q: string): Promise<string> {
  const found = await (await page.request.get(`/api/v1/nodes?kind=${kind}&q=${encodeURIComponent(q)}`, { headers: BOOTSTRAP })).json();
  expect(found.items.length, `${kind} ${q}`).toBeGreaterThan(0);
  return found.items[0].id;
}

const noOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

test("the node hub governs the demo's orphaned, critical agent: risk, findings, owner assigned in place, tabs by keyboard, audit", async ({ page }) => {
  await new SignInPage(page).signInAsDemo("admin");
  // The agent the departed data engineer still owns and acts for (db/seed/demo-org.ts).
  const doctor = await nodeId(page, "agent", "Pipeline Doctor");
  await page.goto(`/nodes/${doctor}`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Pipeline Doctor");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("critical risk");
  const risk = page.getByTestId("hub-risk");
  await expect(risk).toHaveAttribute("data-level", "critical");
  await expect(risk.getByRole("list", { name: "Risk factors" })).toContainText("acts for someone who has left");
  const owners = page.getByTestId("hub-owners");
  await expect(owners.getByRole("heading", { name: /Owners/ })).toContainText("no active owner");
  await expect(page.getByTestId("orphan-why")).toContainText("only departed owners");
  await expect(owners.getByTestId("hub-owner")).toHaveCount(1);
  await expect(owners.getByTestId("hub-owner")).toContainText("Viktor Sokolov");
  await expect(owners.getByTestId("hub-owner")).toContainText("terminated");
  // Owners are the owners panel, not an "owns (incoming)" relationship.
  await expect(page.getByText(/owns \(incoming\)/)).toHaveCount(0);
  await expect(page.getByTestId("neighbor-group").filter({ hasText: /^owns/ })).toHaveCount(0);
  // Dates are in the reader's locale, not raw ISO.
  await expect(page.locator("main")).not.toContainText(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
  await page.screenshot({ path: "test-results/node-hub-agent.png", fullPage: true });

  // Findings: open ones about this agent, each linking to its page.
  await page.getByTestId("hub-tab-findings").click();
  await expect(page).toHaveURL(/tab=findings/);
  const findings = page.getByTestId("hub-findings-table");
  const story = findings.getByRole("link", { name: "Pipeline Doctor acts for Viktor Sokolov and is owned by Viktor Sokolov, who left" });
  await expect(story).toBeVisible();
  await expect(story).toHaveAttribute("href", /^\/findings\/fnd_/);
  expect(Number(await page.getByTestId("hub-tab-findings").locator("span").textContent())).toBeGreaterThan(0);

  // Assign an owner in place and see it appear.
  await page.getByRole("button", { name: "Add or change owner" }).click();
  const form = page.getByRole("form", { name: "Assign an owner" });
  await form.getByRole("combobox", { name: "New owner" }).fill("Grace");
  await form.getByRole("option", { name: /Grace Kim/ }).click();
  await form.getByLabel("Owner role").selectOption("business");
  await form.getByLabel("Why this owner").fill("took over the ETL pipelines");
  await form.getByRole("button", { name: "Assign" }).click();
  await expect(form.getByRole("status")).toContainText("Grace Kim is now business owner of 1 node");
  await expect(owners.getByTestId("hub-owner").filter({ hasText: "Grace Kim" })).toBeVisible();
  await expect(owners.getByRole("heading", { name: /Owners/ })).toContainText("owned");
  await expect(page.getByTestId("orphan-why")).toHaveCount(0);

  // Tabs by keyboard: arrows move between sections and open them (the URL follows).
  await page.getByTestId("hub-tab-findings").focus();
  await page.keyboard.press("ArrowRight");
  await expect(page).toHaveURL(/tab=certifications/);
  await expect(page.getByTestId("hub-tab-certifications")).toHaveAttribute("aria-selected", "true");
  await expect(page.getByTestId("hub-tab-certifications")).toBeFocused();
  await expect(page.getByTestId("hub-certifications")).toBeVisible();
  await page.keyboard.press("ArrowRight");
  await expect(page).toHaveURL(/tab=credentials/);
  await expect(page.getByTestId("hub-credentials-table")).toContainText("SVC_DBT Snowflake password");
  await expect(page.getByTestId("hub-credentials-table")).toContainText(/sha256:[0-9a-f]{12}/);
  await page.keyboard.press("End");
  await expect(page).toHaveURL(/tab=audit/);
  await expect(page.getByTestId("hub-tab-audit")).toBeFocused();
  const audit = page.getByTestId("hub-audit-table");
  await expect(audit.getByRole("row").filter({ hasText: "Assigned Grace Kim as business owner" })).toContainText("Samir Khoury");
  await page.keyboard.press("Home");
  await expect(page).toHaveURL(new RegExp(`/nodes/${doctor}$`));
  await expect(page.getByTestId("access-summary")).toBeVisible();

  // Remove the owner again, after a confirmation, so the demo's orphan stays one for the other specs.
  await owners.getByRole("button", { name: "Remove Grace Kim as business owner" }).click();
  const confirm = page.getByRole("dialog", { name: "Remove Grace Kim as business owner?" });
  await confirm.getByRole("button", { name: "Remove" }).click();
  await expect(owners.getByTestId("hub-owner").filter({ hasText: "Grace Kim" })).toHaveCount(0);
  await expect(page.getByTestId("orphan-why")).toContainText("only departed owners");

  // History: the new owns edge began.
  await page.goto(`/nodes/${doctor}?tab=history`);
  await expect(page.getByTestId("hub-history-list").getByRole("listitem").first()).toContainText("Grace Kim");
});

test("certifications of the GitHub MCP server list the campaign's approvals with who and when", async ({ page }) => {
  await new SignInPage(page).signInAsDemo("auditor");
  const server = await nodeId(page, "mcp_server", "GitHub MCP server");
  await page.goto(`/nodes/${server}?tab=certifications`);
  await expect(page.getByTestId("last-certified")).toContainText("Last certified");
  // The latest certification names its campaign (other specs may have certified it since the demo's Q3 campaign).
  await expect(page.getByTestId("last-certified").getByRole("link").first()).toHaveAttribute("href", /^\/campaigns\/cmp_/);
  const rows = page.getByTestId("hub-certifications-table").locator("tbody tr");
  expect(await rows.count()).toBeGreaterThan(0);
  const q3 = rows.filter({ has: page.getByRole("link", { name: "Q3 agent access to the GitHub MCP server" }) });
  await expect(q3.first()).toContainText("approve");
  await page.screenshot({ path: "test-results/node-hub-certifications.png", fullPage: true });
  // An auditor reads the owners but gets no control to change them.
  await expect(page.getByTestId("hub-owners")).toBeVisible();
  await expect(page.getByRole("button", { name: /Assign owner|Add or change owner|Remove/ })).toHaveCount(0);
});

test("a reviewer, who does not read the graph, cannot open the hub", async ({ page }) => {
  const doctor = await nodeId(page, "agent", "Pipeline Doctor");
  await new SignInPage(page).signInAsDemo("reviewer");
  await page.goto(`/nodes/${doctor}`);
  await expect(page).toHaveURL(/\/forbidden/);
});

test("on a 390 px phone every section of the hub fits the screen", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await new SignInPage(page).signInAsDemo("admin");
  const doctor = await nodeId(page, "agent", "Pipeline Doctor");
  for (const tab of ["access", "findings", "certifications", "credentials", "history", "audit"]) {
    await page.goto(`/nodes/${doctor}?tab=${tab}`);
    await expect(page.getByTestId(`hub-panel-${tab}`)).toBeVisible();
    expect(await noOverflow(page), tab).toBeLessThanOrEqual(390);
  }
  await page.goto(`/nodes/${doctor}`);
  await page.screenshot({ path: "test-results/node-hub-phone.png", fullPage: true });
});
