import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { demo, SignInPage } from "./pages";

// The explorer that explains: names instead of ids, layouts whose labels never overlap, neighbourhood depth,
// tool risk drawn with a legend, and the chosen path in words. Boxes are read from the live cytoscape instance,
// which the canvas hands to a page only when a script set window.__attestExposeCy before it loaded.

const BOOTSTRAP = { Authorization: "Bearer e2e-bootstrap-token-0123456789abcdef" };
const GROUP_ABOVE = 60; // lib/graph/elements.ts

interface Box {
  label: string;
  x1: number;
  x2: number;
  y1: number;
  y2: number;
}

test.beforeEach(async ({ page }) => {
  await page.addInitScript(() => {
    (window as unknown as { __attestExposeCy: boolean }).__attestExposeCy = true;
  });
});

const get = async (request: APIRequestContext, url: string) => {
  const r = await request.get(url, { headers: BOOTSTRAP });
  expect(r.ok(), url).toBe(true);
  return r.json();
};

async function drawn(page: Page) {
  await expect(page.getByTestId("graph-canvas")).toHaveAttribute("data-layout", "done");
}

/** Every node's box, its label included, as cytoscape computed it after the layout. */
function nodeBoxes(page: Page): Promise<(Box & { id: string; risk?: string; focus?: boolean })[]> {
  return page.evaluate(() => {
    type Cy = { nodes(): { map<T>(f: (n: { id(): string; data(k: string): unknown; boundingBox(o: object): Box }) => T): T[] } };
    type Box = { x1: number; x2: number; y1: number; y2: number };
    const cy = (window as unknown as { __attestCy: Cy }).__attestCy;
    return cy.nodes().map((n) => {
      const b = n.boundingBox({ includeLabels: true, includeOverlays: false });
      return {
        id: n.id(),
        label: String(n.data("label")),
        risk: n.data("risk") as string | undefined,
        focus: Boolean(n.data("focus")),
        x1: b.x1,
        x2: b.x2,
        y1: b.y1,
        y2: b.y2,
      };
    });
  });
}

function overlapping(boxes: Box[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      if (a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2) out.push(`${a.label} ∩ ${b.label}`);
    }
  return out;
}

async function agentActingForSomeone(request: APIRequestContext) {
  const seed = demo.nodes.find((n) => n.kind === "agent" && demo.edges.some((e) => e.kind === "acts_for" && e.from.externalId === n.externalId))!;
  return get(request, `/api/v1/nodes/${encodeURIComponent(`${seed.source}:agent:${seed.externalId}`)}`);
}

test("paths by name with the keyboard: type, arrow, Enter; the URL keeps the id, the field the name, and the chosen path reads in words", async ({
  page,
  request,
}) => {
  const agent = await agentActingForSomeone(request);
  const resource = (await get(request, `/api/v1/access/reachable-from?principal=${agent.id}&kind=resource&limit=1`)).items[0];
  expect(resource).toBeTruthy();

  await new SignInPage(page).signInAsDemo("analyst");
  await page.goto(`/graph?node=${agent.id}&mode=paths`);
  await expect(page.getByTestId("graph-summary")).toContainText("Name a target");
  const target = page.getByRole("combobox", { name: "Path target" });
  await target.fill(resource.name);
  const list = page.getByRole("listbox", { name: "Path target: matches" });
  await expect(list.getByRole("option").first()).toBeVisible();
  await expect(target).toHaveAttribute("aria-expanded", "true");
  // The first match is active; ↓ moves on (wrapping), ↑ comes back.
  const first = await list.getByRole("option").first().getAttribute("id");
  await expect(target).toHaveAttribute("aria-activedescendant", first!);
  await target.press("ArrowDown");
  await target.press("ArrowUp");
  await expect(target).toHaveAttribute("aria-activedescendant", first!);
  // Escape closes the list without picking; ↓ opens it again.
  await target.press("Escape");
  await expect(target).toHaveAttribute("aria-expanded", "false");
  await target.press("ArrowDown");
  await expect(target).toHaveAttribute("aria-expanded", "true");
  await expect(list.getByRole("option").first()).toContainText(resource.name);
  await target.press("Enter");

  await expect(page).toHaveURL(new RegExp(`mode=paths.*to=${resource.id}`));
  await expect(page.getByRole("combobox", { name: "Path target" })).toHaveValue(resource.name);
  const api = await get(request, `/api/v1/access/paths?from=${agent.id}&to=${resource.id}&k=10`);
  await expect(page.getByTestId("graph-summary")).toContainText(`${api.total} path${api.total === 1 ? "" : "s"} to ${resource.name} within 6 hops`);
  await drawn(page);

  // The chosen path in words: it starts at the agent and ends at the resource, naming each node on the way.
  await expect(page.getByTestId("explain")).toContainText("Choose a result");
  await page.getByTestId("results").getByRole("option").first().click();
  const explain = page.getByTestId("explain");
  await expect(explain).toContainText(`AI agent ${agent.name}`);
  await expect(explain).toContainText(`resource ${resource.name}.`);
  for (const id of api.items[0].nodes as string[]) await expect(explain.getByRole("link", { name: api.nodes[id].name, exact: true }).first()).toBeVisible();

  // Labels never overlap in the layered picture, which reads left to right from the agent.
  const boxes = await nodeBoxes(page);
  expect(boxes.length).toBeGreaterThan(3);
  expect(overlapping(boxes)).toEqual([]);
  const start = boxes.find((b) => b.id === agent.id)!;
  const end = boxes.find((b) => b.id === resource.id)!;
  expect(start.x2).toBeLessThan(end.x1);
  await page.screenshot({ path: "test-results/explain-paths.png", fullPage: true });

  // A name typed without picking lists the matching nodes to choose from.
  await page.getByRole("combobox", { name: "Path target" }).fill("GitHub");
  await page.getByRole("combobox", { name: "Path target" }).press("Escape");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByTestId("path-candidates").getByRole("link").first()).toBeVisible();
});

test("what an agent reaches: a layered picture with no overlapping labels, tool risk drawn on the tools and explained in the legend", async ({
  page,
  request,
}) => {
  // An agent whose whole answer is drawn node by node (below the grouping threshold) and reaches tools.
  const agents = (await get(request, "/api/v1/nodes?kind=agent&limit=100")).items as { id: string; name: string }[];
  let chosen: { id: string; name: string; total: number } | null = null;
  for (const a of agents) {
    const r = await get(request, `/api/v1/access/reachable-from?principal=${a.id}&limit=100`);
    const drawnNodes = new Set([a.id, ...r.items.flatMap((i: { path: { nodes: string[] } }) => i.path.nodes)]).size;
    if (drawnNodes <= GROUP_ABOVE && r.items.some((i: { kind: string }) => i.kind === "tool") && (!chosen || r.total > chosen.total))
      chosen = { ...a, total: r.total };
  }
  expect(chosen, "a demo agent reaching tools in a picture of at most 60 nodes").toBeTruthy();

  await new SignInPage(page).signInAsDemo("analyst");
  await page.goto(`/graph?node=${chosen!.id}&mode=reach`);
  await expect(page.getByTestId("graph-summary")).toContainText(`${chosen!.total} nodes reachable`);
  await expect(page.getByTestId("graph-groups")).toHaveCount(0);
  await drawn(page);
  const boxes = await nodeBoxes(page);
  expect(boxes.length).toBeGreaterThan(5);
  expect(overlapping(boxes)).toEqual([]);
  // Left to right: the agent is the leftmost node.
  const focus = boxes.find((b) => b.focus)!;
  expect(boxes.every((b) => b === focus || b.x1 >= focus.x1)).toBe(true);

  // Every tool carries its risk (border and second label line); the legend explains the borders drawn.
  const tools = await page.evaluate(() => {
    type Cy = { nodes(sel: string): { map<T>(f: (n: { data(k: string): unknown }) => T): T[] } };
    return (window as unknown as { __attestCy: Cy }).__attestCy
      .nodes('[kind = "tool"]')
      .map((n) => ({ risk: n.data("risk") as string, label: String(n.data("label")) }));
  });
  expect(tools.length).toBeGreaterThan(0);
  for (const t of tools) {
    expect(["low", "medium", "high", "critical"]).toContain(t.risk);
    expect(t.label.endsWith(`\n${t.risk} risk`)).toBe(true);
  }
  const legend = page.getByTestId("legend-risk");
  await expect(legend).toContainText("Tool border = risk");
  for (const r of new Set(tools.map((t) => t.risk))) await expect(legend).toContainText(r);
  await page.screenshot({ path: "test-results/explain-reach.png", fullPage: true });
});

test("neighbourhood depth: depth 2 draws the second ring, depth 1 only the first, and the depth selector changes it", async ({ page, request }) => {
  const agent = await agentActingForSomeone(request);
  // What the canvas should draw at each depth, from the API: the distinct nodes, or one node per (kind, source) group above 60.
  const expected = async (depth: number) => {
    const r = await get(request, `/api/v1/nodes/${agent.id}/neighbors?depth=${depth}&limit=300`);
    const nodes = new Set<string>([agent.id]);
    const groups = new Set<string>();
    for (const i of r.items as { node: { id: string; kind: string; source: string }; via: string }[]) {
      nodes.add(i.node.id);
      nodes.add(i.via);
      if (i.node.id !== agent.id) groups.add(`${i.node.kind} ${i.node.source}`);
    }
    return { edges: r.items.length as number, drawn: nodes.size > GROUP_ABOVE ? groups.size + 1 : nodes.size };
  };
  const one = await expected(1);
  const two = await expected(2);
  expect(two.edges).toBeGreaterThan(one.edges);
  expect(two.drawn).not.toBe(one.drawn);

  await new SignInPage(page).signInAsDemo("analyst");
  await page.goto(`/graph?node=${agent.id}&mode=neighbors`);
  await expect(page.getByTestId("graph-summary")).toContainText(`${one.edges} relationships one edge away`);
  await drawn(page);
  await expect(page.getByTestId("graph-canvas")).toHaveAttribute("data-nodes", String(one.drawn));
  expect(overlapping(await nodeBoxes(page))).toEqual([]);
  await page.screenshot({ path: "test-results/explain-neighbourhood-1.png", fullPage: true });

  await page.getByLabel("Depth").selectOption("2");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/depth=2/);
  await expect(page.getByTestId("graph-summary")).toContainText(`${two.edges} relationships within 2 edges`);
  await drawn(page);
  await expect(page.getByTestId("graph-canvas")).toHaveAttribute("data-nodes", String(two.drawn));
  await expect(page.getByTestId("results").getByRole("option")).toHaveCount(two.edges);
  expect(overlapping(await nodeBoxes(page))).toEqual([]);
  await page.screenshot({ path: "test-results/explain-neighbourhood-2.png", fullPage: true });

  // A depth the neighbourhood does not offer is a 400 naming the field, not a crash.
  const bad = await request.get(`/api/v1/nodes/${agent.id}/neighbors?depth=9`, { headers: BOOTSTRAP });
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error.details[0].path).toBe("depth");
});
