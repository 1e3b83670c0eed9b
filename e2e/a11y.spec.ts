import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type BrowserContext } from "@playwright/test";
import { resolvePageSamples, resolveReviewerSamples, type ApiGet } from "../lib/bench/page-samples";
import { fillRoute, listPages, samplesFor, type Samples, type Visitor } from "../lib/bench/pages";
import { signInThroughIdp, SignInPage } from "./pages";

/*
 * Every page of the app (read from its route files: a new page is checked without anyone listing it), opened as the
 * demo user who would use it, at a desktop and a phone width: axe finds no serious or critical WCAG 2.1 A/AA
 * violation. Dynamic pages are opened on real ids of the demo, read through the API.
 */

const VIEWPORTS = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "phone", width: 390, height: 844 },
] as const;
const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const port = Number(process.env.ATTEST_E2E_PORT ?? 3100);

const pages = listPages(process.cwd());
let samples: Samples = {};
let reviewerSamples: Samples = {};
/** Signed-in sessions, one per visitor, made once and reused by every page's test. */
const sessions = new Map<Visitor, Awaited<ReturnType<BrowserContext["storageState"]>>>();

async function contextFor(browser: Browser, visitor: Visitor, baseURL: string): Promise<BrowserContext> {
  // The IdP's newcomer signs in on localhost (see e2e/oidc.spec.ts), so the no-role page is opened there.
  const base = visitor === "roleless" ? `http://localhost:${port}` : baseURL;
  const known = sessions.get(visitor);
  if (known || visitor === "anonymous") return browser.newContext({ baseURL: base, storageState: known });
  const ctx = await browser.newContext({ baseURL: base });
  const page = await ctx.newPage();
  if (visitor === "roleless") {
    await signInThroughIdp(page, `a11y-${Date.now().toString(36)}`);
    await expect(page).toHaveURL(/\/no-role$/);
  } else await new SignInPage(page).signInAsDemo(visitor);
  sessions.set(visitor, await ctx.storageState());
  await page.close();
  return ctx;
}

/** The API as a signed-in context: the JSON body, null for 404. */
function apiOf(ctx: BrowserContext): ApiGet {
  return async (path) => {
    const res = await ctx.request.get(path);
    if (res.status() === 404) return null;
    expect(res.ok(), `${path}: ${res.status()}`).toBe(true);
    return res.json();
  };
}

test.beforeAll(async ({ browser }, info) => {
  const admin = await contextFor(browser, "admin", info.project.use.baseURL!);
  samples = await resolvePageSamples(apiOf(admin));
  await admin.close();
  const reviewer = await contextFor(browser, "reviewer", info.project.use.baseURL!);
  reviewerSamples = await resolveReviewerSamples(apiOf(reviewer));
  await reviewer.close();
});

for (const p of pages) {
  for (const visitor of p.visitors) {
    test(`${p.route} as ${visitor}: no serious or critical accessibility violations, desktop and phone`, async ({ browser }, info) => {
      test.setTimeout(180_000);
      const list = p.params.length ? samplesFor(p.route, visitor, samples, { reviewer: reviewerSamples }) : [{ label: "", params: {} }];
      expect(list.length, `sample ids for ${p.route} as ${visitor}: add them in lib/bench/page-samples.ts`).toBeGreaterThan(0);
      const ctx = await contextFor(browser, visitor, info.project.use.baseURL!);
      const page = await ctx.newPage();
      const found: string[] = [];
      for (const sample of list) {
        const path = fillRoute(p.route, sample.params);
        for (const vp of VIEWPORTS) {
          await page.setViewportSize({ width: vp.width, height: vp.height });
          const res = await page.goto(path);
          expect(res?.status(), `${path} answered`).toBeLessThan(400);
          await page.waitForLoadState("networkidle");
          const { violations } = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
          for (const v of violations.filter((x) => x.impact === "serious" || x.impact === "critical")) {
            const where = v.nodes
              .slice(0, 4)
              .map((n) => n.target.join(" "))
              .join(" | ");
            found.push(`${path} (${vp.name}) ${v.id} [${v.impact}] ${v.help}: ${v.nodes.length} × ${where}`);
          }
        }
      }
      await ctx.close();
      expect(found, found.join("\n")).toEqual([]);
    });
  }
}

test("the first Tab reaches “Skip to content”, which is shown and moves focus to the page's main content", async ({ page }) => {
  await new SignInPage(page).signInAsDemo("analyst");
  await page.goto("/findings");
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press("Enter");
  await expect(page.locator("main#content")).toBeFocused();
  // The next Tab goes on inside the content, not back to the sidebar.
  await page.keyboard.press("Tab");
  expect(await page.evaluate(() => document.activeElement?.closest("main")?.id)).toBe("content");
});

test("on a phone the keyboard goes skip link, Menu, then the opened menu's links", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await new SignInPage(page).signInAsDemo("analyst");
  await page.goto("/findings");
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
  await page.keyboard.press("Tab");
  const menu = page.getByRole("button", { name: "Menu" });
  await expect(menu).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("button", { name: "Close menu" })).toHaveAttribute("aria-expanded", "true");
  await page.keyboard.press("Tab");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" })).toBeFocused();
});
