import { expect, type Page } from "@playwright/test";
import { buildDemoOrg } from "../db/seed/demo-org";

export type Role = "admin" | "analyst" | "reviewer" | "auditor";
export const demo = buildDemoOrg();

/** The demo user holding exactly one role, so each role is tested alone. */
export function demoUser(role: Role) {
  const u = demo.users.find((x) => x.roles.length === 1 && x.roles[0] === role);
  if (!u) throw new Error(`no single-role demo user for ${role}`);
  return u;
}

/** Page object for the sign-in page. */
export class SignInPage {
  constructor(private readonly page: Page) {}

  async goto() {
    await this.page.goto("/sign-in");
  }

  async signInWith(email: string, password: string) {
    await this.goto();
    await this.page.getByLabel("Email").fill(email);
    await this.page.getByLabel("Password").fill(password);
    await this.page.getByRole("button", { name: "Sign in", exact: true }).click();
  }

  /** Uses the demo account list, as a visitor of the demo would. */
  async signInAsDemo(role: Role) {
    const u = demoUser(role);
    await this.goto();
    await this.page.getByRole("button", { name: `Sign in as ${u.name} (${u.roles.join(", ")})` }).click();
    await expect(this.page.getByTestId("current-user")).toContainText(u.name);
    return u;
  }
}

export function mainNav(page: Page) {
  return page.getByRole("navigation", { name: "Main" });
}

/**
 * Signs in through the e2e OpenID Provider (e2e/oidc-provider.mjs), whose development login page takes any login and
 * password; open the app at localhost for it (see e2e/oidc.spec.ts).
 */
export async function signInThroughIdp(page: Page, login: string) {
  await page.goto("/sign-in");
  await page.getByRole("button", { name: "Sign in with Northwind IdP" }).click();
  await expect(page).toHaveURL(/127\.0\.0\.1:\d+\/interaction\//);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("any password");
  await page.getByRole("button", { name: "Sign-in" }).click();
  // First time for this client: the provider asks to consent to the scopes.
  await page.getByRole("button", { name: "Continue" }).click();
}
