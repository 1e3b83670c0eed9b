import { readFileSync } from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { demo, SignInPage } from "./pages";
import { decodePng, findColour } from "./png";

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
  const agent = await (
    await request.get(`/api/v1/nodes/${encodeURIComponent(`${agentSeed.source}:agent:${agentSeed.externalId}`)}`, { headers: BOOTSTRAP })
  ).json();
  const reach = await (await request.get(`/api/v1/access/reachable-from?principal=${agent.id}&kind=resource&limit=1`, { headers: BOOTSTRAP })).json();
  expect(reach.total).toBeGreaterThan(0);
  const resource = reach.items[0];

  await new SignInPage(page).signInAsDemo("analyst");
  await page.goto(`/graph?node=${agent.id}`);
  await expect(page.getByTestId("graph-summary")).toContainText("nodes reachable");
  await page.goto(`/graph?node=${agent.id}&mode=paths&to=${resource.id}`);
  await expect(page.getByTestId("graph-summary")).toContainText(/\d+ paths? to .+ within 6 hops/);
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
  const [csv] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-csv").click()]);
  expect(csv.suggestedFilename()).toBe(`neighbors-${node.id}.csv`);
  expect(
    readFileSync((await csv.path())!, "utf8")
      .trimEnd()
      .split("\r\n"),
  ).toHaveLength(around.total + 1);
  await page.goto(`/graph?node=${node.id}&mode=neighbors&asOf=someday`);
  await expect(page.getByRole("alert").filter({ hasText: "asOf" })).toBeVisible();
});

test("graph search finds nodes and a bad date is explained, not a crash", async ({ page }) => {
  await new SignInPage(page).signInAsDemo("analyst");
  await page.goto("/graph");
  // Typing without picking and pressing Find lists every match.
  await page.getByRole("combobox", { name: "Find a node" }).fill("github");
  await page.getByRole("button", { name: "Find" }).click();
  await expect(page.getByTestId("graph-search-results").locator("tr").first()).toBeVisible();
  await page.goto("/graph?node=garbage");
  await expect(page.getByRole("alert").filter({ hasText: "node id" })).toBeVisible();
});

const HIGHLIGHT = "#06aed4"; // components/graph/graph-styles.ts HIGHLIGHT_COLOR: no node kind uses it
const drawn = (page: Page) => expect(page.getByTestId("graph-canvas")).toHaveAttribute("data-layout", "done");
async function canvasPixels(page: Page, name: string) {
  const buf = await page.getByTestId("graph-canvas").screenshot({ path: `test-results/${name}.png` });
  return decodePng(buf);
}

test("search a demo agent by name, run each of the four modes, and see the chosen path highlighted on the canvas", async ({ page, request }) => {
  const agentSeed = demo.nodes.find((n) => n.kind === "agent" && demo.edges.some((e) => e.kind === "acts_for" && e.from.externalId === n.externalId))!;
  const agent = await (
    await request.get(`/api/v1/nodes/${encodeURIComponent(`${agentSeed.source}:agent:${agentSeed.externalId}`)}`, { headers: BOOTSTRAP })
  ).json();
  const resource = (await (await request.get(`/api/v1/access/reachable-from?principal=${agent.id}&kind=resource&limit=1`, { headers: BOOTSTRAP })).json())
    .items[0];
  expect(resource).toBeTruthy();

  await new SignInPage(page).signInAsDemo("analyst");
  await page.goto("/graph");
  // Type the name, pick it from the typeahead: the explorer opens on it.
  await page.getByRole("combobox", { name: "Find a node" }).fill(agent.name);
  await page.getByRole("listbox", { name: "Find a node: matches" }).getByRole("option", { name: agent.name }).first().click();
  await expect(page).toHaveURL(new RegExp(`node=${agent.id}`));

  // What it reaches (the default for a principal): more than 60 nodes would be drawn, so it is drawn as groups;
  // the page's paths can be asked for instead, and nothing is highlighted until a result is chosen.
  await expect(page.getByTestId("graph-summary")).toContainText("nodes reachable within 6 hops");
  await expect(page.getByTestId("graph-summary")).toContainText(/Drawn as \d+ groups/);
  await page.getByRole("link", { name: "Draw this page’s paths instead" }).click();
  await expect(page).toHaveURL(/view=paths/);
  await drawn(page);
  expect(findColour(await canvasPixels(page, "explorer-reach-before"), HIGHLIGHT).count).toBe(0);
  const results = page.getByTestId("results").getByRole("option");
  const deepest = results.last();
  await deepest.click();
  await expect(page.getByTestId("graph-canvas")).toHaveAttribute("data-highlight", /^[1-9]\d*$/);
  await page.waitForTimeout(150); // the canvas draws the new classes on its next frame
  expect(findColour(await canvasPixels(page, "explorer-reach-highlighted"), HIGHLIGHT).count).toBeGreaterThan(80);
  // Choosing it again clears the highlight.
  await deepest.click();
  await expect(page.getByTestId("graph-canvas")).toHaveAttribute("data-highlight", "");
  await page.waitForTimeout(150);
  expect(findColour(await canvasPixels(page, "explorer-reach-cleared"), HIGHLIGHT).count).toBe(0);

  // Who can reach it.
  await page.getByRole("navigation", { name: "Question" }).getByRole("link", { name: "Who can reach it" }).click();
  await expect(page).toHaveURL(/mode=who/);
  await expect(page.getByTestId("graph-summary")).toContainText(/principals can reach it within 6 hops/);

  // Paths to a resource it reaches, the target picked by name: the path is listed and, once chosen, drawn in the highlight colour.
  await page.getByRole("navigation", { name: "Question" }).getByRole("link", { name: "Paths to…" }).click();
  await page.getByRole("combobox", { name: "Path target" }).fill(resource.name);
  await page.getByRole("listbox", { name: "Path target: matches" }).getByRole("option", { name: resource.name }).first().click();
  await expect(page).toHaveURL(new RegExp(`to=${resource.id}`));
  await expect(page.getByTestId("graph-summary")).toContainText(/\d+ paths? to .+ within 6 hops/);
  await drawn(page);
  expect(findColour(await canvasPixels(page, "explorer-paths-before"), HIGHLIGHT).count).toBe(0);
  await results.first().click();
  await page.waitForTimeout(150);
  expect(findColour(await canvasPixels(page, "explorer-paths-highlighted"), HIGHLIGHT).count).toBeGreaterThan(80);
  await page.screenshot({ path: "test-results/explorer-paths-page.png", fullPage: true });

  // Neighbourhood.
  await page.getByRole("navigation", { name: "Question" }).getByRole("link", { name: "Neighbourhood" }).click();
  await expect(page.getByTestId("graph-summary")).toContainText("relationships one edge away");
  await drawn(page);
});

test("filters by kind and source narrow the answer in the URL; CSV has every row, PNG is the picture", async ({ page, request }) => {
  const tool = (await (await request.get("/api/v1/nodes?kind=tool&q=create_or_update_file", { headers: BOOTSTRAP })).json()).items[0];
  const all = await (await request.get(`/api/v1/access/who-can-reach?target=${tool.id}&limit=1`, { headers: BOOTSTRAP })).json();
  const humans = all.groups.filter((g: { kind: string }) => g.kind === "human");
  expect(humans.length).toBeGreaterThan(0);
  const source = humans[0].source as string;
  const want = await (await request.get(`/api/v1/access/who-can-reach?target=${tool.id}&kind=human&source=${source}&limit=500`, { headers: BOOTSTRAP })).json();
  expect(want.total).toBe(humans[0].count);

  await new SignInPage(page).signInAsDemo("analyst");
  await page.goto(`/graph?node=${tool.id}&mode=who`);
  await page.getByLabel("Filter by kind").selectOption("human");
  await page.getByLabel("Filter by source").selectOption(source);
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(new RegExp(`kind=human&source=${source}`));
  await expect(page.getByTestId("graph-summary")).toContainText(`${want.total} principals can reach it within 6 hops`);
  await expect(page.getByTestId("graph-summary")).toContainText(`of ${all.total}, filtered by human and ${source}`);
  await expect(page.getByTestId("results").getByRole("option")).toHaveCount(Math.min(want.total, 100));
  // The filter's options carry counts of the whole answer.
  await expect(page.getByLabel("Filter by kind").locator("option", { hasText: "Human" })).toHaveText(`Human (${humans[0].count})`);
  await drawn(page);

  const [csv] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-csv").click()]);
  expect(csv.suggestedFilename()).toBe(`who-can-reach-${tool.id}.csv`);
  const text = readFileSync((await csv.path())!, "utf8");
  const lines = text.trimEnd().split("\r\n");
  expect(lines[0]).toBe('"name","kind","source","external id","path length","path","id"');
  expect(lines).toHaveLength(want.total + 1);
  expect(lines.slice(1).every((l) => l.includes(`,"human","${source}",`))).toBe(true);
  expect(text).toContain(`→ ${tool.name}"`);

  const [png] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-png").click()]);
  expect(png.suggestedFilename()).toBe(`attest-who-${tool.id}.png`);
  const img = decodePng(readFileSync((await png.path())!));
  expect(img.width).toBeGreaterThan(100);
  expect(findColour(img, "#2457d6").count).toBeGreaterThan(50); // humans are drawn in their kind's colour

  // Back to the whole answer.
  await page
    .getByTestId("graph-view-links")
    .getByRole("link", { name: /clear filters|all groups/ })
    .click();
  await expect(page.getByTestId("graph-summary")).toContainText(`${all.total} principals can reach it`);
});

test("a large answer is drawn as groups by kind and source; clicking a group on the canvas opens it, and there is a way back", async ({ page, request }) => {
  // This answer's picture is below the grouping threshold (60 nodes); view=groups asks for the grouped picture.
  const tool = (await (await request.get("/api/v1/nodes?kind=tool&q=create_or_update_file", { headers: BOOTSTRAP })).json()).items[0];
  const all = await (await request.get(`/api/v1/access/who-can-reach?target=${tool.id}&limit=1`, { headers: BOOTSTRAP })).json();
  expect(all.total).toBeLessThan(30);
  await new SignInPage(page).signInAsDemo("analyst");
  await page.goto(`/graph?node=${tool.id}&mode=who`);
  await drawn(page);
  await expect(page.getByTestId("graph-groups")).toHaveCount(0);
  await page.getByRole("link", { name: "Group by kind and source" }).click();
  await expect(page.getByTestId("graph-summary")).toContainText(`Drawn as ${all.groups.length} group`);
  await drawn(page);
  await expect(page.getByTestId("graph-canvas")).toHaveAttribute("data-nodes", String(all.groups.length + 1));
  await expect(page.getByTestId("graph-groups").getByRole("link")).toHaveCount(all.groups.length);
  await expect(page.getByTestId("results").getByRole("option")).toHaveCount(Math.min(all.total, 100));

  // Click the human group on the canvas itself: find its colour in a screenshot.
  const human = all.groups.find((g: { kind: string }) => g.kind === "human");
  const shot = await canvasPixels(page, "explorer-groups");
  const at = findColour(shot, "#2457d6", 2);
  expect(at.count).toBeGreaterThan(100);
  await page.getByTestId("graph-canvas").click({ position: { x: at.x, y: at.y } });
  await expect(page).toHaveURL(new RegExp(`kind=human&source=${human.source}`));
  await expect(page.getByTestId("graph-summary")).toContainText(`${human.count} principals can reach it`);
  await page.getByRole("link", { name: /clear filters|all groups/ }).click();
  await expect(page.getByTestId("graph-summary")).toContainText(`${all.total} principals can reach it`);
});

test("a node page summarises who can reach it and what a person reaches, with links into the explorer", async ({ page, request }) => {
  const tool = (await (await request.get("/api/v1/nodes?kind=tool&q=create_or_update_file", { headers: BOOTSTRAP })).json()).items[0];
  const all = await (await request.get(`/api/v1/access/who-can-reach?target=${tool.id}&limit=1`, { headers: BOOTSTRAP })).json();
  await new SignInPage(page).signInAsDemo("analyst");
  await page.goto(`/nodes/${tool.id}`);
  const summary = page.getByTestId("access-summary");
  await expect(summary.getByRole("heading")).toHaveText(`Who can reach this ${all.total}`);
  await page.screenshot({ path: "test-results/node-access-summary.png", fullPage: true });
  await summary.getByRole("link", { name: /^Human/ }).click();
  await expect(page).toHaveURL(/mode=who&kind=human/);
  await expect(page.getByTestId("graph-summary")).toContainText("filtered by human");

  const ada = demo.nodes.find((n) => n.kind === "human" && n.attributes?.status !== "terminated")!;
  const person = await (await request.get(`/api/v1/nodes/${encodeURIComponent(`${ada.source}:human:${ada.externalId}`)}`, { headers: BOOTSTRAP })).json();
  const reach = await (await request.get(`/api/v1/access/reachable-from?principal=${person.id}&limit=1`, { headers: BOOTSTRAP })).json();
  await page.goto(`/nodes/${person.id}`);
  await expect(page.getByTestId("access-summary").getByRole("heading")).toHaveText(`What this can reach ${reach.total}`);
  await page.getByTestId("access-summary-explore").click();
  await expect(page.getByTestId("graph-summary")).toContainText(`${reach.total} nodes reachable`);
});
