import { expect, test, type APIRequestContext } from "@playwright/test";
import { SignInPage } from "./pages";

// Issue #15: the MCP inventory at M-like counts. A thousand servers (M has 1,006) are imported through the API from a
// generated document, then the table must stay a few screens tall, sort on the server (names in natural order), filter
// by risk and search, and open a server's page with its tools and the agents that connect.
// Every server and agent here has an active owner, so the orphans and coverage checks of later specs are unchanged.
const BOOTSTRAP = { Authorization: "Bearer e2e-bootstrap-token-0123456789abcdef" };
const SERVERS = 1000;
const AGENTS = 200;

/** Server i has 1–3 tools; every tenth also a destructive one (critical). Agent k connects to servers k, k+200, …; "scale server 7" to five more. */
function fixture() {
  const nodes: object[] = [
    { kind: "human", externalId: "scale-owner", name: "Scale Owner", attributes: { email: "scale.owner@example.com", status: "active" } },
  ];
  const edges: object[] = [];
  const ref = (kind: string, externalId: string) => ({ kind, externalId });
  for (let i = 1; i <= SERVERS; i++) {
    const s = `scale-${i}`;
    nodes.push({
      kind: "mcp_server",
      externalId: s,
      name: `scale server ${i}`,
      attributes: { transport: "http", url: `https://mcp${i}.scale.example.com/mcp` },
    });
    edges.push({ kind: "owns", from: ref("human", "scale-owner"), to: ref("mcp_server", s), attributes: { role: "technical" } });
    for (let k = 0; k < (i % 3) + 1; k++) {
      nodes.push({
        kind: "tool",
        externalId: `${s}/read_${k}`,
        name: `read_${k}`,
        attributes: { description: `Reads thing ${k}`, annotations: { readOnlyHint: true, openWorldHint: false } },
      });
      edges.push({ kind: "exposes", from: ref("mcp_server", s), to: ref("tool", `${s}/read_${k}`) });
    }
    if (i % 10 === 0) {
      nodes.push({
        kind: "tool",
        externalId: `${s}/drop_all`,
        name: "drop_all",
        attributes: { description: "Drops every table", annotations: { destructiveHint: true, readOnlyHint: false } },
      });
      edges.push({ kind: "exposes", from: ref("mcp_server", s), to: ref("tool", `${s}/drop_all`) });
    }
  }
  for (let k = 1; k <= AGENTS; k++) {
    const a = `scale-agent-${k}`;
    nodes.push({ kind: "agent", externalId: a, name: `scale agent ${k}`, attributes: { status: "active" } });
    edges.push({ kind: "owns", from: ref("human", "scale-owner"), to: ref("agent", a), attributes: { role: "technical" } });
    for (let i = k; i <= SERVERS; i += AGENTS) edges.push({ kind: "connects_to", from: ref("agent", a), to: ref("mcp_server", `scale-${i}`) });
    if (k <= 6) edges.push({ kind: "connects_to", from: ref("agent", a), to: ref("mcp_server", "scale-7") });
  }
  return { source: "scale-lab", mode: "incremental", nodes, edges };
}

/**
 * Waits until the after-change work of an import is done: on PGlite it runs on the app's one connection, and a
 * thousand servers' worth of it can hold every other query (a sign-in included) for longer than an expectation waits.
 */
async function afterChangeSettled(request: APIRequestContext) {
  await expect
    .poll(
      async () => {
        let busy = 0;
        for (const state of ["created", "retry", "active"]) {
          // A busy server may drop a kept-alive connection between two polls (CI saw ECONNRESET): ask again next time.
          const r = await request.get(`/api/v1/jobs?state=${state}&name=graph.after-change&limit=200`, { headers: BOOTSTRAP }).catch(() => null);
          if (!r) return -1;
          expect(r.status()).toBe(200);
          busy += ((await r.json()) as { total: number }).total;
        }
        return busy;
      },
      { timeout: 280_000, intervals: [2_000] },
    )
    .toBe(0);
}

test.beforeAll(async ({ request }) => {
  test.setTimeout(300_000);
  const r = await request.post("/api/v1/imports", { data: fixture(), headers: BOOTSTRAP, timeout: 170_000 });
  expect(r.status(), await r.text()).toBe(201);
  // The tests sign in and page through the table: they start once the import's background work is done.
  await afterChangeSettled(request);
});

test.afterAll(async ({ request }) => {
  test.setTimeout(300_000);
  // The fixture goes again (a full sync of its source that reports nothing ends every node and edge it brought), so later
  // specs run on the demo's size: on PGlite, whole-graph work after each of their changes would otherwise take seconds.
  const r = await request.post("/api/v1/imports", { data: { source: "scale-lab", mode: "full", nodes: [], edges: [] }, headers: BOOTSTRAP, timeout: 170_000 });
  expect(r.status(), await r.text()).toBe(201);
  // The after-change work runs in the background on the app's one connection: later specs start once it is done.
  await afterChangeSettled(request);
});

test("the MCP table at M-like counts: paged, sorted on the server in natural order, filtered by risk and search", async ({ page }) => {
  test.setTimeout(120_000);
  await new SignInPage(page).signInAsDemo("analyst");
  await page.goto("/mcp?q=scale+server");
  const table = page.getByTestId("mcp-table");
  const rows = table.getByTestId("mcp-server-row");
  await expect(rows).toHaveCount(50);
  await expect(page.getByRole("navigation", { name: "Pages" })).toContainText(`1–50 of ${SERVERS.toLocaleString("en")}`);
  // A few screens, not a thousand cards.
  const { height, screen } = await page.evaluate(() => ({ height: document.documentElement.scrollHeight, screen: window.innerHeight }));
  expect(height).toBeLessThan(10 * screen);

  // Names in natural order: 1, 2, 3 … not 1, 10, 100.
  const firstNames = async (n: number) => (await rows.locator("td:first-child a").allTextContents()).slice(0, n);
  expect(await firstNames(3)).toEqual(["scale server 1", "scale server 2", "scale server 3"]);
  await page.getByRole("link", { name: "Next →" }).click();
  await expect(page.getByRole("navigation", { name: "Pages" })).toContainText(`51–100 of ${SERVERS.toLocaleString("en")}`);
  expect(await firstNames(1)).toEqual(["scale server 51"]);

  // Sorting by a column is the server's: the URL says so, the header announces it, the order follows.
  await table.getByRole("link", { name: /^Server/ }).click();
  await expect(page).toHaveURL(/sort=name&dir=desc/);
  await expect(table.getByRole("columnheader", { name: /Server/ })).toHaveAttribute("aria-sort", "descending");
  expect(await firstNames(2)).toEqual([`scale server ${SERVERS}`, `scale server ${SERVERS - 1}`]);
  await table.getByRole("link", { name: /^Connecting/ }).click();
  await expect(table.getByRole("columnheader", { name: /Connecting/ })).toHaveAttribute("aria-sort", "descending");
  await expect(rows.first()).toContainText("scale server 7");
  await expect(rows.first().locator("td").nth(2)).toHaveText("7");

  // The risk filter: every tenth server has a destructive tool.
  const critical = page.getByRole("navigation", { name: "Filter by risk" }).getByRole("link", { name: /^critical/ });
  await expect(critical).toContainText(String(SERVERS / 10));
  await critical.click();
  await expect(critical).toHaveAttribute("aria-current", "true");
  await expect(page.getByRole("navigation", { name: "Pages" })).toContainText(`of ${SERVERS / 10}`);
  for (const badge of await rows.locator("td:nth-child(4)").allTextContents()) expect(badge).toBe("critical risk");

  // Search keeps the filter: one server's URL.
  await page.getByRole("searchbox", { name: "Search servers" }).fill("mcp250.scale.example.com");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("scale server 250");
  await page.screenshot({ path: "test-results/mcp-table.png", fullPage: true });
});

test("a server's page shows its tools with their risk in words and the agents that connect", async ({ page }) => {
  test.setTimeout(120_000);
  await new SignInPage(page).signInAsDemo("analyst");
  await page.goto("/mcp?q=scale+server+70");
  await page.getByRole("link", { name: "scale server 70", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("scale server 70");
  const tools = page.getByTestId("mcp-tool-row");
  // 70 % 3 + 1 = 2 read tools and a destructive one, most worrying first.
  await expect(tools).toHaveCount(3);
  await expect(tools.first()).toContainText("drop_all");
  await expect(tools.first()).toContainText("critical risk");
  await expect(tools.first()).toContainText("declares itself destructive");
  await expect(tools.nth(1)).toContainText("low risk");
  await expect(page.getByTestId("mcp-agents").getByRole("link")).toHaveText(["scale agent 70"]);
  await expect(page.getByRole("link", { name: "Scale Owner" })).toBeVisible();

  await page.goto("/mcp?q=scale+server+7&sort=agents");
  await page.getByRole("link", { name: "scale server 7", exact: true }).click();
  await expect(page.getByTestId("mcp-agents").getByRole("link")).toHaveText([
    "scale agent 1",
    "scale agent 2",
    "scale agent 3",
    "scale agent 4",
    "scale agent 5",
    "scale agent 6",
    "scale agent 7",
  ]);
  await expect(page.getByRole("link", { name: /Node page/ })).toHaveAttribute("href", /^\/nodes\/mcp_/);
  await page.screenshot({ path: "test-results/mcp-server.png", fullPage: true });
});
