import { expect, test } from "@playwright/test";
import { mainNav, signInThroughIdp, SignInPage } from "./pages";

// Signs in through a real OpenID Provider (e2e/oidc-provider.mjs, started by playwright.config.ts), whose development
// login page takes any login and password. The app maps the IdP group attest-analysts to the analyst role.
// The app is opened at localhost, not 127.0.0.1: Next.js reports loopback addresses as localhost to route handlers,
// so Auth.js's callback URL says localhost, and the sign-in must start there too (same redirect URI, same cookies).
const port = Number(process.env.ATTEST_E2E_PORT ?? 3100);
test.use({ baseURL: `http://localhost:${port}` });

test("the sign-in page offers the identity provider next to the demo accounts", async ({ page }) => {
  await new SignInPage(page).goto();
  await expect(page.getByRole("button", { name: "Sign in with Northwind IdP" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Demo accounts" })).toBeVisible();
  await page.screenshot({ path: "test-results/oidc-sign-in.png", fullPage: true });
});

test("a person whose IdP groups map to analyst lands on the dashboard with analyst permissions", async ({ page }) => {
  await signInThroughIdp(page, "olivia.oidc");
  await expect(page.getByRole("heading", { name: "Welcome, Olivia" })).toBeVisible();
  await expect(page.getByTestId("current-user")).toContainText("Olivia Okafor");
  await expect(page.getByTestId("current-user")).toContainText("analyst");
  await expect(mainNav(page).getByRole("link", { name: "Identities" })).toBeVisible();
  await expect(mainNav(page).getByRole("link", { name: /^Admin/ })).toHaveCount(0);
  expect((await page.request.get("/api/v1/nodes?limit=1")).status()).toBe(200);
  await page.goto("/admin");
  await expect(page).toHaveURL(/\/forbidden$/);
});

test("a newcomer without a mapped group waits on the no-role page until an admin grants a role", async ({ page, browser, baseURL }) => {
  const login = `newcomer-${Date.now().toString(36)}`;
  await signInThroughIdp(page, login);
  await expect(page).toHaveURL(/\/no-role$/);
  await expect(page.getByRole("heading", { name: "You're signed in but have no role yet" })).toBeVisible();
  await expect(page.getByText(`${login}@idp.test`)).toBeVisible();
  await page.screenshot({ path: "test-results/oidc-no-role.png", fullPage: true });
  // No data anywhere: pages send them back, the API refuses the session.
  for (const path of ["/graph", "/", "/nodes"]) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/no-role$/);
  }
  const refused = await page.request.get("/api/v1/nodes?limit=1");
  expect(refused.status()).toBe(403);
  expect((await refused.json()).error.message).toContain("no role yet");
  expect((await page.request.get("/api/v1/ownership/mine")).status()).toBe(403);

  // An admin finds the newcomer (created at first sign-in, no role) and grants auditor.
  const adminPage = await (await browser.newContext({ baseURL })).newPage();
  await new SignInPage(adminPage).signInAsDemo("admin");
  await adminPage.goto("/admin");
  const name = `Newcomer ${login}`;
  for (const role of ["admin", "analyst", "reviewer", "auditor"]) await expect(adminPage.getByLabel(`${name}: ${role}`)).not.toBeChecked();
  await adminPage.getByLabel(`${name}: auditor`).click(); // asks first; controlled: checked once the server has saved it
  await adminPage.getByRole("dialog").getByRole("button", { name: "Give auditor" }).click();
  await expect(adminPage.getByLabel(`${name}: auditor`)).toBeChecked();

  // The same session works on its next request, without signing in again.
  await page.goto("/graph");
  await expect(page).toHaveURL(/\/graph/);
  await expect(page.getByTestId("current-user")).toContainText("auditor");
  expect((await page.request.get("/api/v1/nodes?limit=1")).status()).toBe(200);
  await adminPage.context().close();
});

test("an IdP session cannot sign in a disabled app user", async ({ page, browser, baseURL }) => {
  const login = `leaver-${Date.now().toString(36)}`;
  await signInThroughIdp(page, login);
  await expect(page).toHaveURL(/\/no-role$/);

  const adminPage = await (await browser.newContext({ baseURL })).newPage();
  await new SignInPage(adminPage).signInAsDemo("admin");
  await adminPage.goto("/admin");
  await adminPage.getByRole("button", { name: `Disable Newcomer ${login}` }).click();
  await adminPage.getByRole("dialog").getByRole("button", { name: "Disable" }).click();
  await expect(adminPage.getByRole("button", { name: `Enable Newcomer ${login}` })).toBeVisible();
  await adminPage.context().close();

  // The old session is void at once; signing in again through the IdP (still signed in there) is refused.
  await page.goto("/no-role");
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.getByRole("button", { name: "Sign in with Northwind IdP" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Your Attest account is disabled" })).toBeVisible();
  expect((await page.request.get("/api/v1/nodes?limit=1")).status()).toBe(401);
});
