import { expect, test } from "@playwright/test";
import { demo, SignInPage } from "./pages";

const BOOTSTRAP = { Authorization: "Bearer e2e-bootstrap-token-0123456789abcdef" };

test("an analyst asks who can reach a destructive GitHub tool, sees the paths drawn and listed, and follows one", async ({ page, request }) => {
  const tools = await (await request.get("/api/v1/nodes?kind=tool&q=create_or_update_file", { headers: BOOTSTRAP })).json();
  const tool = tools.items[0];
  expect(tool).toBeTruthy();
  const api = await (await request.get(`/api/v1/access/who-can-reach?target=${tool.id}&limit=500`, { headers: BOOTSTRAP })).json();
  expect(api.total).toBeGreaterThan(0);

  await new SignInPage(page).signInAsDemo("analyst");
  await page.goto(`/nodes/${tool.id}`);
  await page.getByTestId("explore-in-graph").click();
  await expect(page.getByTestId("graph-summary")).toContainText(`${api.total} principals can reach it within 6 hops`);
  await expect(page.getByTestId("graph-canvas")).toHaveAttribute("data-nodes", /^[1-9]\d*$/);
  const results = page.getByTestId("results").getByRole("option");
  await expect(results).toHaveCount(Math.min(api.total, 100));
  // The list shows each result's path in words, ending at the tool.
  await expect(results.first()).toContainText(tool.name);
  await results.first().click();
  await expect(results.first()).toHaveAttribute("aria-selected", "true");
  await page.screenshot({ path: "test-results/graph-who-can-reach.png", fullPage: true });

  // Depth 1: only direct principals (none reach a tool in one hop).
  await page.getByLabel("Depth").selectOption("1");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByText("Nobody can reach this")).toBeVisible();
});

test("what an agent acting for a person reaches, and the paths between it and a resource", async ({ page, request }) => {
  const agentSeed = demo.nodes.find((n) => n.kind === "agent" && demo.edges.some((e) => e.kind === "acts_for" && e.from.externalId === n.externalId))!;
  const agent = await (await request.get(`/api/v1/nodes/${encodeURIComponent(`${agentSeed.source}:agent:${agentSeed.externalId}`)}`, { headers: BOOTSTRAP })).json();
  const reach = await (await request.get(`/api/v1/access/reachable-from?principal=${agent.id}&kind=resource&limit=1`, { headers: BOOTSTRAP })).json();
  expect(reach.total).toBeGreaterThan(0);
  const resource = reach.items[0];

  await new SignInPage(page).signInAsDemo("analyst");
  await page.goto(`/graph?node=${agent.id}`);
  await expect(page.getByTestId("graph-summary")).toContainText("nodes reachable");
  await page.goto(`/graph?node=${agent.id}&mode=paths&to=${resource.id}`);
  await expect(page.getByTestId("graph-summary")).toContainText(/\d+ paths? within 6 hops/);
  await expect(page.getByTestId("results").getByRole("option").first()).toContainText(resource.name);
  await page.screenshot({ path: "test-results/graph-paths.png", fullPage: true });
});

test("the neighbourhood of a person lists every relationship one edge away, ownership included", async ({ page, request }) => {
  const viktor = demo.nodes.find((n) => n.kind === "human" && n.attributes?.status === "terminated")!;
  const node = await (await request.get(`/api/v1/nodes/${encodeURIComponent(`${viktor.source}:human:${viktor.externalId}`)}`, { headers: BOOTSTRAP })).json();
  const around = await (await request.get(`/api/v1/nodes/${node.id}/neighbors?limit=1`, { headers: BOOTSTRAP })).json();
  await new SignInPage(page).signInAsDemo("analyst");
  await page.goto(`/graph?node=${node.id}&mode=neighbors`);
  await expect(page.getByTestId("graph-summary")).toContainText(`${around.total} relationships one edge away`);
  await expect(page.getByTestId("results").getByRole("option")).toHaveCount(around.total);
  await expect(page.getByTestId("results")).toContainText("owns");
  await page.goto(`/graph?node=${node.id}&mode=neighbors&asOf=someday`);
  await expect(page.getByRole("alert").filter({ hasText: "asOf" })).toBeVisible();
});

test("graph search finds nodes and a bad date is explained, not a crash", async ({ page }) => {
  await new SignInPage(page).signInAsDemo("analyst");
  await page.goto("/graph");
  await page.getByRole("searchbox", { name: "Find a node" }).fill("github");
  await page.getByRole("button", { name: "Find" }).click();
  await expect(page.getByTestId("graph-search-results").locator("tr").first()).toBeVisible();
  await page.goto("/graph?node=garbage");
  await expect(page.getByRole("alert").filter({ hasText: "node id" })).toBeVisible();
});
