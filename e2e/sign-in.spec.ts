import { expect, test } from "@playwright/test";
import { demo, demoUser, mainNav, SignInPage, type Role } from "./pages";

test("a signed-out visitor is sent to sign-in", async ({ page }) => {
  for (const path of ["/", "/nodes", "/mcp", "/admin"]) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/sign-in$/);
  }
  await expect(page.getByRole("heading", { name: "Sign in to Attest" })).toBeVisible();
});

test("the sign-in page lists a demo account for every role, with its password", async ({ page }) => {
  await new SignInPage(page).goto();
  for (const role of ["admin", "analyst", "reviewer", "auditor"] as Role[]) {
    const u = demoUser(role);
    await expect(page.getByText(`${u.email} / ${u.password}`)).toBeVisible();
  }
});

test("a wrong password is refused with a message and no session", async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.signInWith(demoUser("admin").email, "not-the-password");
  await expect(page.getByRole("alert").filter({ hasText: "do not match" })).toBeVisible();
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in$/);
});

test("repeated sign-in attempts are slowed down, with the same answer whether or not the account exists", async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.signInWith("nobody-at-all@northwind.example", "guess-1");
  await expect(page.getByRole("alert").filter({ hasText: "do not match" })).toBeVisible();
  for (let i = 2; i <= 11; i++) {
    await signIn.signInWith("nobody-at-all@northwind.example", `guess-${i}`);
    // Each attempt's answer before the next: navigating away mid-submit could lose an attempt (seen under load).
    await expect(page.getByRole("alert").filter({ hasText: /do not match|Too many sign-in attempts/ })).toBeVisible();
  }
  await expect(page.getByRole("alert").filter({ hasText: "Too many sign-in attempts" })).toBeVisible();
});

const expectations: Record<Role, { sees: string[]; hidden: string[]; forbidden: string[] }> = {
  admin: {
    sees: ["Dashboard", "Graph", "Identities", "MCP servers & tools", "Ownership", "Campaigns", "Evidence", "Imports", "Connectors", "Admin"],
    hidden: [],
    forbidden: [],
  },
  analyst: {
    sees: ["Identities", "MCP servers & tools", "Ownership", "Campaigns", "Imports"],
    hidden: ["Evidence", "Admin"],
    forbidden: ["/admin", "/evidence"],
  },
  reviewer: {
    sees: ["Dashboard", "Ownership", "Campaigns"],
    hidden: ["Identities", "Graph", "MCP servers & tools", "Imports", "Connectors", "Evidence", "Admin"],
    forbidden: ["/nodes", "/mcp", "/graph", "/admin"],
  },
  auditor: { sees: ["Identities", "Evidence", "Campaigns", "Imports"], hidden: ["Admin"], forbidden: ["/admin"] },
};

for (const role of Object.keys(expectations) as Role[]) {
  test(`${role}: sees the pages of the role and is refused the others`, async ({ page }) => {
    const user = await new SignInPage(page).signInAsDemo(role);
    await expect(page.getByTestId("current-user")).toContainText(role);
    const nav = mainNav(page);
    const { sees, hidden, forbidden } = expectations[role];
    for (const label of sees) await expect(nav.getByRole("link", { name: label, exact: false }).first()).toBeVisible();
    for (const label of hidden) await expect(nav.getByRole("link", { name: new RegExp(`^${label.replace(/[&]/g, "\\$&")}`) })).toHaveCount(0);
    for (const path of forbidden) {
      await page.goto(path);
      await expect(page).toHaveURL(/\/forbidden$/);
      await expect(page.getByRole("heading", { name: "You do not have access to that page" })).toBeVisible();
    }
    if (role === "reviewer") {
      // A reviewer sees what they own, not the whole graph.
      await page.goto("/");
      const owned = demo.edges.filter((e) => e.kind === "owns" && e.from.kind === "human" && e.from.externalId === user.humanExternalId);
      await expect(page.getByTestId("owned-list").locator("tbody tr")).toHaveCount(owned.length);
      await expect(page.getByTestId("count-human")).toHaveCount(0);
    }
  });
}

test("sign-out ends the session, and a copy of the old session cookie no longer works", async ({ page, context }) => {
  await new SignInPage(page).signInAsDemo("analyst");
  const stolen = await context.cookies();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await context.addCookies(stolen);
  await page.goto("/nodes");
  await expect(page).toHaveURL(/\/sign-in$/);
  expect((await page.request.get("/api/v1/nodes")).status()).toBe(401);
});
