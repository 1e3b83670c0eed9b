import { expect, test } from "@playwright/test";
import { NODE_KINDS } from "../lib/graph/model";
import { demo, SignInPage } from "./pages";

test.beforeEach(async ({ page }) => {
  await new SignInPage(page).signInAsDemo("analyst");
});

// Runs before imports.spec.ts (files run in name order, one worker), while the graph is exactly the seed.
test("the dashboard's counts equal the seed's", async ({ page }) => {
  await page.goto("/");
  for (const kind of NODE_KINDS) {
    const expected = demo.nodes.filter((n) => n.kind === kind).length;
    await expect(page.getByTestId(`count-${kind}`).locator(".n")).toHaveText(expected.toLocaleString("en"));
  }
  for (const source of new Set(demo.nodes.map((n) => n.source))) {
    const expected = demo.nodes.filter((n) => n.source === source).length;
    await expect(page.getByTestId(`source-${source}`).locator("td.num")).toHaveText(String(expected));
  }
  await page.screenshot({ path: "test-results/dashboard.png", fullPage: true });
});

test("identities: search, filter by kind, page through and open a node with its relationships", async ({ page }) => {
  await page.goto("/nodes?kind=human");
  const humans = demo.nodes.filter((n) => n.kind === "human");
  await expect(page.getByTestId("nodes-total")).toContainText(`1–50 of ${humans.length}`);
  await page.getByRole("link", { name: "Next →" }).click();
  await expect(page.getByTestId("nodes-total")).toContainText(`51–${humans.length} of ${humans.length}`);

  const terminated = humans.find((h) => h.attributes?.status === "terminated")!;
  await page.goto("/nodes");
  await page.getByRole("searchbox", { name: "Search" }).fill(terminated.name.split(" ")[1]!);
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByRole("link", { name: terminated.name }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(terminated.name);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("terminated");
  const ownsCount = demo.edges.filter((e) => e.kind === "owns" && e.from.externalId === terminated.externalId).length;
  await expect(page.getByRole("heading", { name: new RegExp(`^owns ${ownsCount}$`) })).toBeVisible();
  await page.screenshot({ path: "test-results/node.png", fullPage: true });
});

test("MCP inventory lists every server, and a server's page its real tools with their risk in words", async ({ page }) => {
  await page.goto("/mcp");
  const servers = demo.nodes.filter((n) => n.kind === "mcp_server");
  await expect(page.getByTestId("mcp-server-row")).toHaveCount(servers.length);
  await page.screenshot({ path: "test-results/mcp.png", fullPage: true });
  // GitHub's tools carry no annotations; the filesystem servers' write_file declares itself destructive.
  await page.getByRole("link", { name: "GitHub MCP server", exact: true }).click();
  await expect(page.getByRole("link", { name: "create_or_update_file" }).first()).toBeVisible();
  await expect(page.locator('[data-testid="mcp-tool-row"][data-risk="high"]').first()).toContainText("no annotations");
  await page.goto("/mcp");
  await page.getByRole("link", { name: "Filesystem (engineering share)", exact: true }).click();
  await expect(page.getByRole("row", { name: /write_file/ })).toContainText("declares itself destructive");
});

test("an unknown node id shows not found, not an error", async ({ page }) => {
  await page.goto("/nodes/hum_0000000000aaaaaaaaaaaaaaaa");
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  await page.goto("/nodes/garbage");
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
});
