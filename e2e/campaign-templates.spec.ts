import { expect, test, type Page } from "@playwright/test";
import { demoUser, SignInPage, type Role } from "./pages";

// A recurring campaign: the analyst defines it with a schedule (words shown as typed), runs it now twice; the
// reviewer answers the first instance and sees that answer beside the same access in the second. Cleanup: both
// instances are answered and closed, and the template is deleted (kept disabled, since it made campaigns).
const NAME = `E2E quarterly GitHub MCP ${Date.now().toString(36)}`;

async function switchTo(page: Page, role: Role) {
  await page.context().clearCookies();
  return new SignInPage(page).signInAsDemo(role);
}

const headers = (page: Page) => ({ origin: new URL(page.url()).origin, "content-type": "application/json" });

/** Runs the template now from its row and opens the new campaign once its launch job has made it active. */
async function runNow(page: Page): Promise<string> {
  await page.goto("/campaigns/templates");
  const row = page.getByTestId("template-row").filter({ hasText: NAME });
  await row.getByRole("button", { name: "Run now" }).click();
  const link = row.getByRole("link", { name: /^Launching / });
  await expect(link).toBeVisible();
  await link.click();
  await expect(page.getByTestId("template-instance")).toContainText(`Instance of recurring campaign ${NAME}`);
  const id = decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);
  await expect(async () => {
    const c = (await (await page.request.get(`/api/v1/campaigns/${id}`)).json()) as { status: string };
    expect(c.status).toBe("active");
  }).toPass({ timeout: 60_000 });
  return id;
}

/** As the reviewer, approves every item of a campaign through the API. */
async function approveAll(page: Page, campaignId: string, justification: string) {
  const items = (await (await page.request.get(`/api/v1/campaigns/${campaignId}/items?limit=500`)).json()) as { items: { id: string; version: number }[] };
  expect(items.items.length).toBeGreaterThan(0);
  const r = await page.request.post("/api/v1/review-items/decisions", {
    headers: headers(page),
    data: { items: items.items.map((i) => ({ id: i.id, version: i.version })), decision: "approve", justification },
  });
  expect(r.status(), await r.text()).toBe(200);
}

test("a recurring campaign: defined with a schedule in words, run now twice, the second instance shows last time's answer", async ({ page }) => {
  test.setTimeout(180_000);
  const reviewer = demoUser("reviewer");

  // 1. The analyst defines it: scope and reviewers as for a campaign, a schedule instead of a due date.
  await switchTo(page, "analyst");
  await page.goto("/campaigns");
  await page.getByRole("link", { name: "Recurring campaigns" }).click();
  await page.getByRole("link", { name: "New recurring campaign" }).click();
  await page.getByLabel("Name", { exact: true }).fill(NAME);
  const access = page.getByRole("group", { name: "Access to review" });
  await access.getByLabel(/Entitlement grants/).uncheck();
  await access.getByLabel(/Connections to MCP servers/).check();
  await page.getByRole("group", { name: "Subjects" }).getByLabel("Human").check();
  await page.getByLabel("Reaching", { exact: true }).fill("GitHub MCP");
  await page
    .getByRole("listbox", { name: "Reaching: matches" })
    .getByRole("option", { name: /GitHub MCP server/ })
    .click();
  await page.getByLabel("Fallback reviewer").selectOption({ label: reviewer.name });
  await expect(page.getByTestId("preview-items")).not.toHaveText("0");

  const words = page.getByTestId("cron-words");
  await expect(words).toContainText("Quarterly: at 09:00 UTC, on the first Monday of the month, only in January, April, July, and October");
  const cron = page.getByLabel("Cron (five fields, UTC)");
  // Day of month and day of week together: cron runs on either, and the form says so.
  await cron.fill("0 9 1-7 1,4,7,10 1");
  await expect(words).toContainText("or on Monday");
  await expect(page.getByRole("note").filter({ hasText: "1#1" })).toBeVisible();
  await cron.fill("0 9 * *");
  await expect(words).toContainText("Not a valid cron expression");
  await page.getByLabel("Repeat").selectOption({ label: "Quarterly, first Monday, 09:00 UTC" });
  await expect(cron).toHaveValue("0 9 * 1,4,7,10 1#1");
  await page.screenshot({ path: "test-results/campaign-template-new.png", fullPage: true });
  await page.getByRole("button", { name: "Save template" }).click();

  await expect(page).toHaveURL(/\/campaigns\/templates$/);
  const row = page.getByTestId("template-row").filter({ hasText: NAME });
  await expect(row).toContainText("Quarterly: at 09:00 UTC");
  await expect(row).toContainText("none yet");

  // 2. Run now: an instance, launched by the job engine, named by the minute; the first has no previous one.
  const first = await runNow(page);
  await expect(page.getByTestId("template-instance")).toContainText("the first instance");

  // 3. The reviewer answers it.
  await switchTo(page, "reviewer");
  await approveAll(page, first, "E2E: still needed for code review");

  // 4. The next instance is linked to it.
  await switchTo(page, "analyst");
  const second = await runNow(page);
  await expect(page.getByTestId("template-instance")).toContainText("previous:");
  await page.goto("/campaigns/templates");
  await expect(page.getByTestId("template-row").filter({ hasText: NAME })).toContainText("2 instances");
  await page.screenshot({ path: "test-results/campaign-templates.png", fullPage: true });

  // 5. In the inbox, each item of the second instance shows last time's answer.
  await switchTo(page, "reviewer");
  await page.goto(`/campaigns/inbox?campaign=${encodeURIComponent(second)}&group=none`);
  const item = page.getByTestId("inbox-item").first();
  await expect(item.getByTestId("since-last")).toContainText("Last time");
  await expect(item.getByTestId("since-last")).toContainText(`approved by ${reviewer.name}`);
  await expect(item.getByTestId("since-last")).toContainText("E2E: still needed for code review");
  await page.screenshot({ path: "test-results/campaign-template-inbox.png", fullPage: true });

  // 6. Cleanup: answer and close both instances; delete the template (kept, disabled: it made campaigns).
  await approveAll(page, second, "E2E cleanup");
  await switchTo(page, "analyst");
  for (const id of [first, second]) {
    const closed = await page.request.post(`/api/v1/campaigns/${id}/close`, { headers: headers(page), data: {} });
    expect(closed.status(), await closed.text()).toBe(200);
  }
  await page.goto("/campaigns/templates");
  page.once("dialog", (d) => void d.accept());
  await page.getByTestId("template-row").filter({ hasText: NAME }).getByRole("button", { name: "Delete" }).click();
  await expect(page.getByTestId("template-row").filter({ hasText: NAME })).toContainText("disabled");
});
