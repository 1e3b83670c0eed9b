import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { demoUser, SignInPage } from "./pages";

/**
 * Micro-approvals: the demo seed leaves two access requests (Mei's Cursor agent asks to call two destructive tools of
 * the engineering filesystem server) for the demo reviewer, the server's business owner. She approves each from her
 * inbox for a bounded time, once at desktop width and once at phone width; the API then shows the just-in-time grant.
 * Needs a fresh data directory (the seed runs on an empty database, and each request can be approved once).
 */

/** Page object: the "Access requests" section of the review inbox. */
class AccessRequestsInbox {
  readonly section: Locator;
  constructor(private readonly page: Page) {
    this.section = page.getByRole("region", { name: "Access requests" });
  }
  async goto() {
    await this.page.goto("/campaigns/inbox");
    await expect(this.section).toBeVisible();
  }
  /** axe on the section (WCAG 2.1 A/AA, as e2e/a11y.spec.ts): its serious or critical violations, in words. */
  async accessibilityProblems(): Promise<string[]> {
    const { violations } = await new AxeBuilder({ page: this.page })
      .include('section[aria-labelledby="access-requests-title"]')
      .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
      .analyze();
    return violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help}`);
  }
  row(tool: string): Locator {
    return this.section.getByRole("listitem").filter({ hasText: `asks to call ${tool}` });
  }
  /** Chooses the duration with the keyboard and approves. */
  async approve(tool: string, duration: string) {
    const row = this.row(tool);
    await row.getByLabel("Allow for").selectOption({ label: duration });
    await row.getByRole("button", { name: "Approve" }).focus();
    await this.page.keyboard.press("Enter");
    await expect(row.getByRole("status")).toContainText("approved");
    await expect(row.getByRole("status")).toContainText("Allowed until");
  }
}

async function requestOf(page: Page, tool: string) {
  const r = await page.request.get("/api/v1/access-requests?status=all");
  expect(r.status(), await r.text()).toBe(200);
  const body = (await r.json()) as { items: { id: string; status: string; grantExpiresAt: string | null; tool: { name: string } }[] };
  const item = body.items.find((i) => i.tool.name === tool);
  expect(item, `a request for ${tool}`).toBeTruthy();
  return item!;
}

// The tools of the two seeded requests (db/seed/demo-access-requests.ts).
const first = "write_file";
const second = "move_file";
const MIN = 60_000;

test.describe("access requests in the reviewer inbox", () => {
  test("the demo reviewer approves an access request for 15 minutes at desktop width", async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await new SignInPage(page).signInAsDemo("reviewer");
    expect(demoUser("reviewer").email).toBe("priya@northwind.example");
    const inbox = new AccessRequestsInbox(page);
    await inbox.goto();
    const row = inbox.row(first);
    await expect(row).toContainText("Mei's Cursor agent");
    await expect(row).toContainText("critical risk");
    await expect(row).toContainText("destructive");
    await expect(row).toContainText("expires in");
    expect(await inbox.accessibilityProblems()).toEqual([]);
    const before = Date.now();
    await inbox.approve(first, "15 min");
    const granted = await requestOf(page, first);
    expect(granted.status).toBe("approved");
    const grantMs = Date.parse(granted.grantExpiresAt!) - before;
    expect(grantMs).toBeGreaterThan(14 * MIN);
    expect(grantMs).toBeLessThanOrEqual(16 * MIN);
  });

  test("the demo reviewer approves an access request for 1 hour at phone width, without sideways scrolling", async ({ page }) => {
    await page.setViewportSize({ width: 375, height: 812 });
    await new SignInPage(page).signInAsDemo("reviewer");
    const inbox = new AccessRequestsInbox(page);
    await inbox.goto();
    const row = inbox.row(second);
    await expect(row).toBeVisible();
    const box = await row.boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(375);
    const approve = row.getByRole("button", { name: "Approve" });
    const tap = await approve.boundingBox();
    expect(tap!.height).toBeGreaterThanOrEqual(40);
    expect(await inbox.accessibilityProblems()).toEqual([]);
    await inbox.approve(second, "1 h");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    expect((await requestOf(page, second)).status).toBe("approved");
  });
});
