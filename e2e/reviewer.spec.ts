import { expect, test, type Page } from "@playwright/test";
import { demoUser, SignInPage } from "./pages";

// The reviewer's day: a campaign launched for the demo reviewer shows on their home with its
// counts and due date; the inbox keeps its order while they decide; on a phone items are cards.
const DAY = 86_400_000;

async function switchTo(page: Page, role: "analyst" | "reviewer" | "admin") {
  await page.context().clearCookies();
  return new SignInPage(page).signInAsDemo(role);
}

/** As the analyst, through the API: a campaign of people's access to two MCP servers, reviewed by their owner (the demo reviewer). */
async function launchForReviewer(page: Page, name: string, dueInDays: number, reviewer?: string): Promise<{ id: string; total: number }> {
  await switchTo(page, "analyst");
  const origin = new URL(page.url()).origin;
  const headers = { origin, "content-type": "application/json" };
  const created = await page.request.post("/api/v1/campaigns", {
    headers,
    data: {
      name,
      scope: { edgeKinds: ["connects_to"], subjectKinds: ["human"], targets: ["mcp-configs:mcp_server:github-mcp", "mcp-configs:mcp_server:filesystem-eng"] },
      ...(reviewer ? { reviewerStrategy: { reviewer } } : { reviewerStrategy: "target_owner", fallbackReviewer: demoUser("reviewer").email }),
      dueAt: new Date(Date.now() + dueInDays * DAY + 3_600_000).toISOString(),
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const launched = await page.request.post(`/api/v1/campaigns/${id}/launch`, { headers, data: {} });
  expect(launched.status(), await launched.text()).toBe(202);
  // The launch runs as a background job: wait for the campaign to turn active.
  await expect
    .poll(async () => ((await (await page.request.get(`/api/v1/campaigns/${id}`)).json()) as { status: string }).status, { timeout: 30_000 })
    .toBe("active");
  const c = (await (await page.request.get(`/api/v1/campaigns/${id}`)).json()) as { progress: { total: number } };
  expect(c.progress.total).toBeGreaterThanOrEqual(3);
  return { id, total: c.progress.total };
}

/**
 * Ends a campaign these tests launched: its reviewer abstains on what is left, the analyst closes it. An access under
 * review in an open campaign is not added to another (the next test's campaign covers the same accesses).
 */
async function retire(page: Page, id: string, reviewer: "reviewer" | "admin"): Promise<void> {
  await switchTo(page, reviewer);
  const origin = new URL(page.url()).origin;
  const left = (await (await page.request.get(`/api/v1/review-items?campaign=${id}&status=pending&limit=500`)).json()) as {
    items: { id: string; version: number }[];
  };
  if (left.items.length) {
    const decided = await page.request.post("/api/v1/review-items/decisions", {
      headers: { origin },
      data: { items: left.items.map((i) => ({ id: i.id, version: i.version })), decision: "abstain", justification: "end of the e2e test" },
    });
    expect(decided.status(), await decided.text()).toBe(200);
  }
  await switchTo(page, "analyst");
  const closed = await page.request.post(`/api/v1/campaigns/${id}/close`, { headers: { origin } });
  expect(closed.status(), await closed.text()).toBe(200);
}

/** "12 items to decide across 2 campaigns": the number, across every campaign of the reviewer. */
async function toDecide(page: Page): Promise<number> {
  const text = (await page.locator("p.subtitle").first().textContent()) ?? "";
  return Number(/(\d+) items? to decide/.exec(text)?.[1] ?? 0);
}

const labels = (page: Page) => page.getByTestId("inbox-item").evaluateAll((els) => els.map((e) => e.getAttribute("aria-label")));

test("the reviewer's home leads with their open items per campaign, counts and due date; the inbox keeps its order after a decision", async ({ page }) => {
  test.setTimeout(120_000);
  const name = `E2E reviewer day ${Date.now().toString(36)}`;
  const { id, total } = await launchForReviewer(page, name, 3);

  await switchTo(page, "reviewer");
  const panel = page.getByTestId("review-summary");
  await expect(panel.getByRole("heading", { name: "Your reviews" })).toBeVisible();
  // The panel comes first on the page, before what the reviewer owns.
  const first = await page.locator("main section.panel").first().getAttribute("data-testid");
  expect(first).toBe("review-summary");
  const row = panel.getByTestId("review-summary-campaign").filter({ hasText: name });
  await expect(row.getByTestId("open-count")).toHaveText(String(total));
  await expect(row.getByTestId("decided-count")).toHaveText("0");
  await expect(row).toContainText("due in 3 days");
  await expect(row.locator("time")).toHaveAttribute("datetime", /T/);
  await page.screenshot({ path: "test-results/reviewer-home.png", fullPage: true });

  // Into the inbox, filtered to this campaign, flat.
  await row.getByRole("link", { name: new RegExp(`Review ${total} items`) }).click();
  await expect(page).toHaveURL(new RegExp(`campaign=${id}`));
  await page.goto(`/campaigns/inbox?campaign=${id}&group=none`);
  const items = page.getByTestId("inbox-item");
  await expect(items).toHaveCount(total);
  const before = await labels(page);
  const left = await toDecide(page);
  expect(left).toBeGreaterThanOrEqual(total);

  // Abstain on the second item (no justification needed): it stays at its index, marked decided; focus moves on.
  await items.nth(1).click();
  await expect(items.nth(1)).toHaveAttribute("aria-current", "true");
  await page.keyboard.press("n");
  await expect(page.getByRole("status").filter({ hasText: "Abstained on 1 item." })).toBeVisible();
  // The server's counts refresh (the item left the "to decide" answer) while the list stays as it was.
  await expect.poll(() => toDecide(page)).toBe(left - 1);
  expect(await labels(page)).toEqual(before);
  await expect(items.nth(1)).toHaveAttribute("data-decided", "true");
  await expect(items.nth(1)).toContainText("abstained");
  await expect(items.nth(2)).toHaveAttribute("aria-current", "true");
  await expect(items.nth(2)).toBeFocused();

  // Revoke the first with the keyboard: the next undecided one after it is the third (the second is decided).
  await items.nth(0).click();
  await page.keyboard.press("r");
  const dialog = page.getByRole("dialog", { name: /^Revoke / });
  await dialog.getByLabel(/Justification/).fill("Not needed for this role");
  await dialog.getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Revoked 1 item." })).toBeVisible();
  await expect.poll(() => toDecide(page)).toBe(left - 2);
  expect(await labels(page)).toEqual(before);
  await expect(items.nth(0)).toContainText("revoked");
  await expect(items.nth(2)).toHaveAttribute("aria-current", "true");

  // The reviewer (who cannot browse the graph) sees what the access reaches: the server's tools, the tool's risk.
  const reach = items.nth(2).locator("details").filter({ hasText: "What it reaches" });
  await reach.getByText("What it reaches").click();
  await expect(reach).toContainText(/\d+ tools?; riskiest: /);
  await expect(reach).toContainText(/critical|high/);
  await page.screenshot({ path: "test-results/reviewer-inbox.png", fullPage: true });

  // A reload shows only what is left to decide.
  await page.reload();
  await expect(items).toHaveCount(total - 2);

  // The home counts moved.
  await page.goto("/");
  await expect(row.getByTestId("open-count")).toHaveText(String(total - 2));
  await expect(row.getByTestId("decided-count")).toHaveText("2");
  await retire(page, id, "reviewer");
});

test("a reviewer who may read the graph opens the person, the server and its tools from an item", async ({ page }) => {
  test.setTimeout(90_000);
  const admin = demoUser("admin");
  const { id } = await launchForReviewer(page, `E2E links ${Date.now().toString(36)}`, 5, admin.email);
  await switchTo(page, "admin");
  await page.goto(`/campaigns/inbox?campaign=${id}&group=none`);
  const item = page.getByTestId("inbox-item").first();
  const title = (await item.getAttribute("aria-label")) ?? "";
  const server = title.split(" connects to ")[1]!;
  await expect(item.getByRole("link", { name: server }).first()).toHaveAttribute("href", /^\/mcp\/mcp_/);
  await expect(item.getByRole("link", { name: title.split(" connects to ")[0]! }).first()).toHaveAttribute("href", /^\/nodes\/hum_/);
  await item.getByText("What it reaches").click();
  const tool = item.locator("details a[href^='/nodes/tool_']").first();
  await expect(tool).toBeVisible();
  await tool.click();
  await expect(page).toHaveURL(/\/nodes\/tool_/);
  await retire(page, id, "admin");
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("the inbox shows items as cards, nothing wider than the screen", async ({ page }) => {
    test.setTimeout(90_000);
    const name = `E2E phone inbox ${Date.now().toString(36)}`;
    const { id } = await launchForReviewer(page, name, 10);
    await switchTo(page, "reviewer");
    await page.screenshot({ path: "test-results/reviewer-home-phone.png", fullPage: true });
    await page.goto(`/campaigns/inbox?campaign=${id}`);
    const item = page.getByTestId("inbox-item").first();
    await expect(item).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // A card: the whole width, its buttons on their own row under the text, not a column beside it.
    const card = (await item.boundingBox())!;
    expect(card.width).toBeGreaterThan(300);
    const text = (await item.getByLabel("Access path").boundingBox())!;
    const approve = (await item.getByRole("button", { name: "Approve" }).boundingBox())!;
    expect(approve.y).toBeGreaterThanOrEqual(text.y + text.height - 1);
    expect(await item.evaluate((e) => getComputedStyle(e).borderTopLeftRadius)).not.toBe("0px");
    await page.screenshot({ path: "test-results/reviewer-inbox-phone.png", fullPage: true });
    await retire(page, id, "reviewer");
  });
});

// A Codex config.toml with a disabled server: the converter warns about it.
const codex = `[mcp_servers.figma]
url = "https://mcp.figma.com/mcp"

[mcp_servers.old]
command = "npx"
args = ["-y", "old-mcp"]
enabled = false
`;

test("an import run opens from the history and shows its counts, warnings and problems", async ({ page }) => {
  await switchTo(page, "analyst");
  await page.goto("/imports");
  await page.getByLabel("Format").selectOption("mcp-config");
  await page.getByLabel("Source").fill("e2e-run-page");
  await page.getByLabel("File", { exact: true }).setInputFiles({ name: "config.toml", mimeType: "application/toml", buffer: Buffer.from(codex) });
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Imported" })).toBeVisible();
  const run = page.getByTestId("imports-table").locator("tbody tr").first();
  await expect(run).toContainText("e2e-run-page");
  await run.getByRole("link").first().click();
  await expect(page).toHaveURL(/\/imports\/imp_/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("e2e-run-page");
  await expect(page.getByText("read as codex")).toBeVisible();
  await expect(page.getByTestId("import-counts").locator("tbody tr").first()).toContainText("Nodes");
  await expect(page.getByTestId("import-warnings")).toContainText("mcp_servers.old");
  await page.screenshot({ path: "test-results/import-run.png", fullPage: true });

  // A rejected document: its problems, by path, never the values.
  await page.goto("/imports");
  const bad = {
    source: "e2e-bad-run",
    mode: "full",
    nodes: [
      { kind: "wizard", externalId: "m1", name: "Merlin the Secret" },
      { kind: "wizard", externalId: "m2", name: "Morgana the Secret" },
    ],
    edges: [],
  };
  await page.getByLabel("Format").selectOption("graph");
  await page.getByLabel("File", { exact: true }).setInputFiles({ name: "bad.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(bad)) });
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect(page.getByRole("alert").filter({ hasText: "rejected" })).toBeVisible();
  const latest = page.getByTestId("imports-table").locator("tbody tr").first();
  await expect(latest).toContainText("rejected");
  await latest.getByRole("link").first().click();
  await expect(page).toHaveURL(/\/imports\/imp_/);
  await expect(page.getByText("Rejected: nothing was written.")).toBeVisible();
  const problems = page.getByTestId("import-errors").locator("li");
  await expect(problems).toHaveCount(2);
  await expect(problems.first()).toContainText("nodes[0].kind");
  await expect(page.locator("main")).not.toContainText("the Secret");
  await page.getByRole("link", { name: "← All imports" }).click();
  await expect(page).toHaveURL(/\/imports$/);

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goBack();
  await expect(page.getByTestId("import-errors")).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: "test-results/import-run-phone.png", fullPage: true });
});
