import { expect, test } from "@playwright/test";
import { demoUser, SignInPage } from "./pages";

test("an admin creates a token shown once, uses it, and revokes it", async ({ page, request }) => {
  await new SignInPage(page).signInAsDemo("admin");
  await page.goto("/admin");
  await page.getByLabel("Token name").fill("e2e-automation");
  await page.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByTestId("new-token").textContent())!;
  expect(token).toMatch(/^att_/);
  expect((await request.get("/api/v1/nodes?limit=1", { headers: { Authorization: `Bearer ${token}` } })).status()).toBe(200);
  await page.reload();
  await expect(page.getByTestId("new-token")).toHaveCount(0);
  await expect(page.getByTestId("tokens-table")).not.toContainText(token);
  await page.getByRole("button", { name: "Revoke e2e-automation" }).click();
  await expect(page.getByTestId("tokens-table")).toContainText("revoked");
  expect((await request.get("/api/v1/nodes?limit=1", { headers: { Authorization: `Bearer ${token}` } })).status()).toBe(401);
  await page.screenshot({ path: "test-results/admin.png", fullPage: true });
});

test("a disabled user loses access at once, and can sign in again when enabled", async ({ browser, baseURL }) => {
  const auditor = demoUser("auditor");
  const adminPage = await (await browser.newContext({ baseURL })).newPage();
  const auditorPage = await (await browser.newContext({ baseURL })).newPage();
  await new SignInPage(auditorPage).signInAsDemo("auditor");
  await new SignInPage(adminPage).signInAsDemo("admin");
  await adminPage.goto("/admin");
  await adminPage.getByRole("button", { name: `Disable ${auditor.name}` }).click();
  await expect(adminPage.getByRole("button", { name: `Enable ${auditor.name}` })).toBeVisible();

  // The auditor's existing session stops working on the next request.
  await auditorPage.goto("/nodes");
  await expect(auditorPage).toHaveURL(/\/sign-in$/);
  await new SignInPage(auditorPage).signInWith(auditor.email, auditor.password);
  await expect(auditorPage.getByRole("alert").filter({ hasText: "do not match" })).toBeVisible();

  await adminPage.getByRole("button", { name: `Enable ${auditor.name}` }).click();
  await expect(adminPage.getByRole("button", { name: `Disable ${auditor.name}` })).toBeVisible();
  await auditorPage.goto("/sign-in");
  await new SignInPage(auditorPage).signInAsDemo("auditor");
  await expect(auditorPage.getByTestId("current-user")).toContainText("auditor");
});

test("an admin allows a host for outbound requests; a bad pattern is refused by name", async ({ page }) => {
  await new SignInPage(page).signInAsDemo("admin");
  await page.goto("/admin");
  await page.getByLabel("Allowed hosts").fill("mcp.example.com\nhttp://not-a-pattern/");
  await page.getByRole("button", { name: "Save outbound settings" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "allowHosts[1]" })).toBeVisible();
  await page.getByLabel("Allowed hosts").fill("mcp.example.com");
  await page.getByRole("button", { name: "Save outbound settings" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved" })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Allowed hosts")).toHaveValue("mcp.example.com");
  // Back to the demo's default (nothing allowed), so other specs see what a new install sees.
  await page.getByLabel("Allowed hosts").fill("");
  await page.getByRole("button", { name: "Save outbound settings" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved" })).toBeVisible();
});

test("an admin sees the background jobs with their schedules in words and filters them by state", async ({ page }) => {
  await new SignInPage(page).signInAsDemo("admin");
  await page.goto("/admin");
  await page.getByRole("link", { name: "Background jobs" }).click();
  await expect(page.getByRole("heading", { name: "Background jobs", level: 1 })).toBeVisible();
  const names = page.getByTestId("job-names");
  await expect(names.getByRole("row").filter({ hasText: "findings.full-evaluation" })).toContainText("every night at 02:00 UTC");
  await expect(names.getByRole("row").filter({ hasText: "graph.after-change" })).toContainText("every minute");
  await page.getByRole("navigation", { name: "Filter jobs by state" }).getByRole("link", { name: "failed" }).click();
  await expect(page).toHaveURL(/state=failed/);
  await expect(page.getByText("No failed jobs")).toBeVisible();
});
