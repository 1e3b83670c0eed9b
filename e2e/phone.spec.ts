import { expect, test } from "@playwright/test";
import { mainNav, SignInPage } from "./pages";

test.use({ viewport: { width: 390, height: 844 } });

test("on a phone the menu is folded behind a button, opens, and closes again after choosing a page", async ({ page }) => {
  await new SignInPage(page).signInAsDemo("analyst");
  const menu = page.getByRole("button", { name: "Menu" });
  await expect(menu).toBeVisible();
  await expect(mainNav(page)).toBeHidden();
  // The page's own heading is on the first screen, not below the whole navigation.
  const heading = await page.getByRole("heading", { level: 1 }).boundingBox();
  expect(heading!.y).toBeLessThan(200);

  await menu.click();
  await expect(page.getByRole("button", { name: "Close menu" })).toHaveAttribute("aria-expanded", "true");
  await mainNav(page).getByRole("link", { name: "Findings" }).click();
  await expect(page).toHaveURL(/\/findings/);
  await expect(mainNav(page)).toBeHidden();
  await expect(page.getByRole("button", { name: "Menu" })).toHaveAttribute("aria-expanded", "false");
});

test("on a phone wide tables scroll inside themselves: no page is wider than the screen", async ({ page }) => {
  await new SignInPage(page).signInAsDemo("analyst");
  for (const path of ["/", "/findings", "/imports", "/ownership", "/mcp"]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, path).toBeLessThanOrEqual(0);
  }
});

test("the site icon is served (no 404 on every page)", async ({ request }) => {
  const res = await request.get("/favicon.ico");
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toMatch(/image/);
});
