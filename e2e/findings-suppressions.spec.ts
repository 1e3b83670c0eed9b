import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { SignInPage } from "./pages";

/** Serious or critical WCAG 2.1 A/AA violations on the page as it is now (an open dialog included). */
async function axeViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(" | ")}`);
}

/**
 * Acceptance by rule and scope on the demo organisation. It accepts the shared-credential findings about one
 * credential (a narrow scope), sees the background job apply it, then revokes it, so the findings are open again for
 * the specs after this one; only the revoked suppression stays, as the record.
 */
test("an analyst accepts a finding's rule for its subject, sees it applied, and revokes it", async ({ page }) => {
  test.setTimeout(90_000);
  await new SignInPage(page).signInAsDemo("analyst");
  await page.goto("/findings");
  await page.getByTestId("evaluate-now").click();
  await expect(page.getByTestId("evaluate-result")).toContainText(/Evaluated in \d+ ms/);

  await page.goto("/findings?rule=shared_credential");
  const first = page.getByTestId("finding-row").first().getByRole("link").first();
  const title = (await first.textContent())!;
  await first.click();
  await expect(page.getByTestId("finding-title")).toHaveText(title);
  const findingUrl = page.url();

  // The dialog: the finding's rule and subject are the defaults.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByTestId("accept-by-rule").click();
  await page.screenshot({ path: "test-results/suppression-dialog-phone.png" });
  expect(await axeViolations(page)).toEqual([]);
  await page.keyboard.press("Escape");
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.getByTestId("accept-by-rule").click();
  const dialog = page.getByRole("dialog", { name: "Accept by rule" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel("Rule")).toHaveValue("shared_credential");
  await expect(dialog.getByRole("radio", { name: /^This subject: / })).toBeChecked();
  // The keyboard: focus is in the dialog; the scope is a radio group the arrows move through.
  await dialog.getByRole("radio", { name: /^This subject: / }).focus();
  await page.keyboard.press("ArrowDown");
  await expect(dialog.getByRole("radio", { name: "Anything through a node" })).toBeChecked();
  await expect(dialog.getByRole("combobox", { name: "Node the findings pass through" })).toBeVisible();
  await page.keyboard.press("ArrowUp");
  await expect(dialog.getByRole("radio", { name: /^This subject: / })).toBeChecked();
  await dialog.getByLabel("Reason").fill("e2e: rotation of this shared credential is scheduled");
  await page.screenshot({ path: "test-results/suppression-dialog.png" });
  await dialog.getByRole("button", { name: "Accept by rule" }).click();
  await expect(page.getByTestId("suppression-created")).toContainText("applying");

  // The job applies it: the list turns "applying…" into "active" with what it matched.
  await page.getByRole("link", { name: "See suppressions" }).click();
  await expect(page.getByRole("heading", { name: "Suppressions", level: 1 })).toBeVisible();
  const row = page.getByTestId("suppressions").locator("tbody tr", { hasText: "e2e: rotation of this shared credential is scheduled" });
  await expect(row.getByText("active", { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(row.getByTestId("matched")).toHaveText("1");
  await page.screenshot({ path: "test-results/suppressions.png", fullPage: true });
  expect(await axeViolations(page)).toEqual([]);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: "test-results/suppressions-phone.png", fullPage: true });
  expect(await axeViolations(page)).toEqual([]);
  await page.setViewportSize({ width: 1280, height: 720 });

  await page.goto(findingUrl);
  await expect(page.getByTestId("acceptance")).toContainText("Accepted by rule: e2e: rotation of this shared credential is scheduled");
  await expect(page.getByTestId("acceptance").getByRole("link", { name: "a suppression" })).toBeVisible();

  // Revoke (asks first): the finding is open again.
  await page.goto("/findings/suppressions");
  await row.getByRole("button", { name: /^Revoke/ }).click();
  const confirm = page.getByRole("dialog", { name: "Revoke this suppression?" });
  await expect(confirm).toContainText("1 finding it accepted");
  await confirm.getByRole("button", { name: "Revoke" }).click();
  await expect(row.getByText("revoked", { exact: true })).toBeVisible({ timeout: 30_000 });
  await page.goto(findingUrl);
  await expect(page.getByTestId("acceptance")).toHaveCount(0);
  await expect(page.getByTestId("accept-by-rule")).toBeVisible();
});
