import { expect, test, type Browser, type Page } from "@playwright/test";
import { mainNav, SignInPage } from "./pages";

/**
 * Runtime decisions on the demo organisation: an analyst tests what the decision point answers now for Mei's Cursor
 * agent — a read-only tool of the engineering filesystem server is allowed along a path it shows, a destructive one
 * asks for approval without opening a request — and reads the test in the decision log. Nothing here changes the
 * graph; the tests are logged as the analyst's decisions.
 */
const AGENT = "Mei's Cursor agent";
const SERVER = "Filesystem (engineering share)";

async function pick(page: Page, label: string, text: string, option: string | RegExp) {
  await page.getByRole("combobox", { name: label }).fill(text);
  await page
    .getByRole("listbox", { name: `${label}: matches` })
    .getByRole("option", { name: option })
    .first()
    .click();
}

/** Every pending access request, as an admin reads them (the analyst decides none). */
async function pendingRequests(browser: Browser, baseURL: string): Promise<number> {
  const ctx = await browser.newContext({ baseURL });
  const admin = await ctx.newPage();
  await new SignInPage(admin).signInAsDemo("admin");
  const r = await admin.request.get("/api/v1/access-requests?status=pending&all=true&limit=200");
  expect(r.ok(), `access requests: ${r.status()}`).toBe(true);
  const n = ((await r.json()) as { items: unknown[] }).items.length;
  await ctx.close();
  return n;
}

test("an analyst tests a decision: allowed along a path, a destructive tool needs approval, and the tests are in the log", async ({
  page,
  browser,
  baseURL,
}) => {
  await new SignInPage(page).signInAsDemo("analyst");
  await mainNav(page).getByRole("link", { name: "Runtime decisions" }).click();
  await expect(page.getByRole("heading", { name: "Runtime decisions", level: 1 })).toBeVisible();

  // Nothing picked: the form says what is missing instead of asking.
  await page.getByTestId("test-decision-submit").click();
  await expect(page.getByRole("alert").filter({ hasText: "Pick who acts" })).toBeVisible();

  await pick(page, "Who acts", "Mei's Cursor", AGENT);
  await pick(page, "Tool", "filesystem-eng/read_text_file", /read_text_file/);
  await page.getByTestId("test-decision-submit").click();
  const result = page.getByTestId("test-decision-result");
  await expect(result).toHaveAttribute("data-decision", "allow");
  await expect(result).toContainText("Allowed");
  await expect(result).toContainText("access_path");
  // The path, by name: the agent first, the tool last, the server between.
  const path = page.getByTestId("decision-path");
  await expect(path.getByRole("listitem").first()).toContainText(AGENT);
  await expect(path).toContainText(SERVER);
  await expect(path.getByRole("listitem").last()).toContainText("read_text_file");
  await page.screenshot({ path: "test-results/decisions-allowed.png", fullPage: true });

  // A destructive tool (edit_file: the demo's requests, approved in access-requests.spec, are for write_file and move_file): approval required, and a test opens no request in anyone's inbox.
  await page.getByRole("combobox", { name: "Tool" }).fill("");
  await pick(page, "Tool", "filesystem-eng/edit_file", /edit_file/);
  const before = await pendingRequests(browser, baseURL!);
  await page.getByTestId("test-decision-submit").click();
  await expect(result).toHaveAttribute("data-decision", "deny");
  await expect(result).toContainText("Approval required");
  await expect(result).toContainText("destructive tool");
  await expect(result).toContainText("a test does not");
  expect(await pendingRequests(browser, baseURL!)).toBe(before);

  // Both tests reach the decision log (written about a second later; the page refreshes itself).
  const log = page.getByTestId("decisions-table");
  await expect(async () => {
    await page.reload();
    await expect(log.getByRole("row").filter({ hasText: "edit_file" }).first()).toContainText("approval_required");
    await expect(log.getByRole("row").filter({ hasText: "read_text_file" }).first()).toContainText("Allowed");
  }).toPass({ timeout: 20_000 });
  await page.getByRole("navigation", { name: "Filter decisions" }).getByRole("link", { name: "Denied" }).click();
  await expect(page).toHaveURL(/decision=deny/);
  for (const d of await log.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-decision")))) expect(d).toBe("deny");

  // From the agent's page, its own decisions: the log filtered to it, said in a badge that clears it.
  await page.getByRole("navigation", { name: "Filter decisions" }).getByRole("link", { name: "All", exact: true }).click();
  await log.getByRole("link", { name: AGENT }).first().click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(AGENT);
  // The allowed test call is usage too: the agent's page says the tool was last used today, from the decision log.
  await expect(page.getByTestId("tool-usage").getByRole("row").filter({ hasText: "read_text_file" }).first()).toContainText("last used today");
  await expect(page.getByTestId("tool-usage").getByRole("row").filter({ hasText: "read_text_file" }).first()).toContainText("via decision log");
  await page.getByTestId("node-decisions-link").click();
  await expect(page).toHaveURL(/\/decisions\?subject=agt_/);
  await expect(page.getByTestId("decisions-about")).toContainText(AGENT);
  const subjects = await log.locator("tbody tr td:nth-child(2)").allTextContents();
  expect(subjects.length).toBeGreaterThanOrEqual(2);
  for (const who of subjects) expect(who).toBe(AGENT);
  await page.getByRole("link", { name: "Show decisions about everything" }).click();
  await expect(page.getByTestId("decisions-about")).toHaveCount(0);

  // On a phone the form stacks and nothing is wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/decisions");
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: "test-results/decisions-phone.png", fullPage: true });
});

test("a reviewer, who neither tests decisions nor reads the log, is refused the page", async ({ page }) => {
  await new SignInPage(page).signInAsDemo("reviewer");
  await expect(mainNav(page).getByRole("link", { name: "Runtime decisions" })).toHaveCount(0);
  await page.goto("/decisions");
  await expect(page).toHaveURL(/\/forbidden$/);
});
