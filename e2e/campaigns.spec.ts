import { expect, test, type Page } from "@playwright/test";
import { demoUser, SignInPage } from "./pages";

// A small campaign across three roles: the analyst defines and launches it, the
// reviewer decides in the inbox (keyboard, bulk, justification), the analyst who
// owns it closes and signs it off. The spec changes no nodes or edges.
const NAME = `E2E engineering MCP access ${Date.now().toString(36)}`;

async function pickNode(page: Page, label: string, search: string, option: string) {
  await page.getByLabel(label, { exact: true }).fill(search);
  await page
    .getByRole("listbox", { name: `${label}: matches` })
    .getByRole("option", { name: new RegExp(option) })
    .click();
}

async function switchTo(page: Page, role: "analyst" | "reviewer") {
  await page.context().clearCookies();
  return new SignInPage(page).signInAsDemo(role);
}

test("a small campaign end to end: analyst launches, reviewer decides in the inbox, owner closes and signs off", async ({ page }) => {
  test.setTimeout(120_000);
  const reviewer = demoUser("reviewer");

  // 1. The analyst defines the campaign and sees the preview before saving.
  const analyst = await new SignInPage(page).signInAsDemo("analyst");
  await page.goto("/campaigns");
  await page.getByRole("link", { name: "New campaign" }).click();
  await page.getByLabel("Name", { exact: true }).fill(NAME);
  await page.getByLabel("Control it evidences").fill("SOC 2 CC6.3");
  const access = page.getByRole("group", { name: "Access to review" });
  await access.getByLabel(/Entitlement grants/).uncheck();
  await access.getByLabel(/Connections to MCP servers/).check();
  await page.getByRole("group", { name: "Subjects" }).getByLabel("Human").check();
  await pickNode(page, "Reaching", "GitHub MCP", "GitHub MCP server");
  await pickNode(page, "Reaching", "engineering share", "Filesystem \\(engineering share\\)");
  const preview = page.getByTestId("campaign-preview");
  await expect(preview.getByTestId("preview-items")).toHaveText("4");
  await expect(preview).toContainText(`${reviewer.name}: 4`);
  await page.screenshot({ path: "test-results/campaign-new.png", fullPage: true });
  await page.getByRole("button", { name: "Save and launch" }).click();
  await expect(page.getByRole("heading", { name: NAME })).toBeVisible();
  // The launch runs in the background: the page shows its progress and refreshes until the campaign is active.
  await expect(page.getByRole("heading", { name: NAME })).toContainText("active", { timeout: 30_000 });
  await expect(page.getByTestId("launch-progress")).toHaveCount(0);
  await expect(page.getByTestId("campaign-items").locator("tbody tr")).toHaveCount(4);

  // 2. The reviewer works through the inbox.
  await switchTo(page, "reviewer");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Campaigns" }).click();
  await expect(page).toHaveURL(/\/campaigns\/inbox/);
  const items = page.getByTestId("inbox-item").filter({ hasText: NAME });
  await expect(items).toHaveCount(4);
  await expect(items.first()).toContainText("suggest");
  await expect(items.first().getByLabel("Access path")).toContainText("—exposes→");
  await page.screenshot({ path: "test-results/campaign-inbox.png", fullPage: true });

  await page.keyboard.press("?");
  await expect(page.getByRole("dialog", { name: "Keyboard shortcuts" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toHaveCount(0);

  // Select the first two with the keyboard and approve them together: high-risk, so a justification is asked for.
  await page.keyboard.press("x");
  await page.keyboard.press("j");
  await page.keyboard.press("x");
  await expect(page.getByRole("region", { name: "Selection" })).toContainText("2 selected");
  await page.keyboard.press("a");
  const approve = page.getByRole("dialog", { name: "Approve 2 items" });
  await expect(approve).toContainText("high-risk");
  await expect(approve.getByRole("button", { name: "Approve 2 items" })).toBeDisabled();
  await approve.getByLabel(/Justification/).fill("Platform engineers on call need both servers");
  await page.screenshot({ path: "test-results/campaign-justification.png", fullPage: true });
  await approve.getByRole("button", { name: "Approve 2 items" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Approved 2 items." })).toBeVisible();
  // Decided items stay where they were, marked decided; the focus moves on to the next one to decide.
  await expect(items).toHaveCount(4);
  await expect(page.locator('[data-testid="inbox-item"][data-decided="true"]').filter({ hasText: NAME })).toHaveCount(2);
  await expect(items.nth(2)).toHaveAttribute("aria-current", "true");

  // Revoke the focused item with "r".
  await page.keyboard.press("r");
  const revoke = page.getByRole("dialog", { name: /^Revoke / });
  await revoke.getByLabel(/Justification/).fill("No longer works on this repository");
  await revoke.getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Revoked 1 item." })).toBeVisible();
  await expect(items.nth(2)).toHaveAttribute("data-decided", "true");
  await expect(items.nth(3)).toHaveAttribute("aria-current", "true");

  // The last one with its own button.
  await items.nth(3).getByRole("button", { name: "Approve" }).click();
  await page
    .getByRole("dialog")
    .getByLabel(/Justification/)
    .fill("Needed for the release train");
  await page.getByRole("dialog").getByRole("button", { name: "Approve" }).click();
  await expect(items.nth(3)).toHaveAttribute("data-decided", "true");
  // Until a reload the decided items stay on screen; then the inbox is empty.
  await page.reload();
  await expect(page.getByRole("heading", { name: "Inbox zero" })).toBeVisible();

  // 3. The owner closes and signs off.
  await switchTo(page, "analyst");
  await page.goto("/campaigns");
  await page.getByRole("link", { name: NAME }).click();
  await expect(page.getByTestId("reviewer-progress")).toContainText(reviewer.name);
  await expect(page.getByTestId("burndown")).toBeVisible();
  await page.getByRole("button", { name: "Close campaign" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Closed" })).toContainText("1 remediation task");
  await expect(page.getByRole("heading", { name: NAME })).toContainText("closed");
  await page.getByLabel("Sign-off statement").fill(`Reviewed by ${analyst.name} for SOC 2 CC6.3.`);
  await page.getByRole("button", { name: "Sign off" }).click();
  await expect(page.getByRole("note").filter({ hasText: "Signed off" })).toContainText(`Reviewed by ${analyst.name}`);
  await expect(page.getByRole("heading", { name: NAME })).toContainText("signed off");
  await page.screenshot({ path: "test-results/campaign-dashboard.png", fullPage: true });

  // The revoke became a remediation task, open until a sync shows the access gone.
  await page.getByRole("link", { name: "remediation tasks →" }).click();
  const task = page.getByTestId("remediation-table").locator("tbody tr").first();
  await expect(task).toContainText("open");
  await task.getByRole("button", { name: "Mark done" }).click();
  await task.getByLabel("Ticket").fill("IAM-E2E-1");
  await task.getByRole("button", { name: "Confirm done" }).click();
  await expect(task).toContainText("done, awaiting sync");
  await page.screenshot({ path: "test-results/campaign-remediation.png", fullPage: true });
});
