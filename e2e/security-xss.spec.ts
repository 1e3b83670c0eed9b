import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { demoUser, SignInPage } from "./pages";

// Issue #8, output: names from imports are data, never markup. Hostile names are imported through the API, then every
// page that shows them is visited with a dialog trap armed; the names must read literally and nothing may run.
// Runs after graph-pages.spec.ts (name order): it adds nodes of its own source "xss-lab", which no later spec counts.
const BOOTSTRAP = { Authorization: "Bearer e2e-bootstrap-token-0123456789abcdef" };
const port = Number(process.env.ATTEST_E2E_PORT ?? 3100);
const origin = `http://127.0.0.1:${port}`;

const NAMES = {
  agent: "<img src=x onerror=alert(1)>",
  server: '"><script>alert(2)</script>',
  tool: "<svg onload=alert(3)>tool",
  credential: "'><iframe src=javascript:alert(4)>",
  resource: '=HYPERLINK("http://evil.example","x")',
  group: "{{constructor.constructor('alert(5)')()}}",
} as const;

const doc = {
  source: "xss-lab",
  mode: "incremental",
  nodes: [
    {
      kind: "agent",
      externalId: "xss-agent",
      name: NAMES.agent,
      attributes: { status: "active", description: "<b onmouseover=alert(6)>hover</b>", "<i>key</i>": "<img src=x onerror=alert(7)>" },
    },
    {
      kind: "mcp_server",
      externalId: "xss-mcp",
      name: NAMES.server,
      attributes: { transport: "stdio", command: "npx", args: ["-y", "<script>alert(8)</script>"] },
    },
    { kind: "tool", externalId: "xss-mcp/tool", name: NAMES.tool, attributes: { description: "<img src=x onerror=alert(9)>" } },
    {
      kind: "credential",
      externalId: "xss-cred",
      name: NAMES.credential,
      attributes: { storage: "hard_coded", type: "<img src=x onerror=alert(10)>", fingerprint: "hmac-sha256:xss" },
    },
    { kind: "resource", externalId: "xss-res", name: NAMES.resource },
    { kind: "group", externalId: "xss-group", name: NAMES.group },
  ],
  edges: [
    { kind: "connects_to", from: { kind: "agent", externalId: "xss-agent" }, to: { kind: "mcp_server", externalId: "xss-mcp" } },
    { kind: "exposes", from: { kind: "mcp_server", externalId: "xss-mcp" }, to: { kind: "tool", externalId: "xss-mcp/tool" } },
    { kind: "acts_on", from: { kind: "tool", externalId: "xss-mcp/tool" }, to: { kind: "resource", externalId: "xss-res" } },
    { kind: "uses_credential", from: { kind: "agent", externalId: "xss-agent" }, to: { kind: "credential", externalId: "xss-cred" } },
    { kind: "uses_credential", from: { kind: "mcp_server", externalId: "xss-mcp" }, to: { kind: "credential", externalId: "xss-cred" } },
    { kind: "credential_for", from: { kind: "credential", externalId: "xss-cred" }, to: { kind: "resource", externalId: "xss-res" } },
    { kind: "member_of", from: { kind: "agent", externalId: "xss-agent" }, to: { kind: "group", externalId: "xss-group" } },
  ],
};

const ids: Record<keyof typeof NAMES, string> = { agent: "", server: "", tool: "", credential: "", resource: "", group: "" };

async function nodeId(request: APIRequestContext, kind: string, externalId: string) {
  const r = await request.get(`/api/v1/nodes/${encodeURIComponent(`xss-lab:${kind}:${externalId}`)}`, { headers: BOOTSTRAP });
  expect(r.status(), await r.text()).toBe(200);
  return ((await r.json()) as { id: string }).id;
}

/** Fails the test on any dialog (alert, confirm, prompt) and on any element the payloads would have created. */
function armTrap(page: Page): string[] {
  const fired: string[] = [];
  page.on("dialog", (d) => {
    fired.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  return fired;
}

async function expectInert(page: Page, fired: string[]) {
  expect(fired, "a dialog fired: a payload ran").toEqual([]);
  const injected = await page.evaluate(() => ({
    img: document.querySelectorAll('img[src="x"]').length,
    svg: document.querySelectorAll("svg[onload]").length,
    iframe: document.querySelectorAll('iframe[src^="javascript"]').length,
    // A script element parsed from a name holds just the payload; React's own data scripts hold names inside JSON strings.
    script: [...document.scripts].filter((s) => /^\s*alert\(\d+\)\s*$/.test(s.textContent ?? "")).length,
    handlers: document.querySelectorAll("[onerror], [onmouseover]").length,
  }));
  expect(injected).toEqual({ img: 0, svg: 0, iframe: 0, script: 0, handlers: 0 });
}

test.beforeAll(async ({ request }) => {
  const r = await request.post("/api/v1/imports", { data: doc, headers: BOOTSTRAP });
  expect(r.status(), await r.text()).toBe(201);
  ids.agent = await nodeId(request, "agent", "xss-agent");
  ids.server = await nodeId(request, "mcp_server", "xss-mcp");
  ids.tool = await nodeId(request, "tool", "xss-mcp/tool");
  ids.credential = await nodeId(request, "credential", "xss-cred");
  ids.resource = await nodeId(request, "resource", "xss-res");
  ids.group = await nodeId(request, "group", "xss-group");
});

test("pages and the security headers: hostile names read as text on every page that lists them, and nothing runs", async ({ page }) => {
  const fired = armTrap(page);
  await new SignInPage(page).signInAsDemo("analyst");

  const res = await page.goto("/nodes?q=alert");
  const headers = res!.headers();
  expect(headers["content-security-policy"]).toContain("default-src 'self'");
  expect(headers["content-security-policy"]).toContain("object-src 'none'");
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  expect(headers["x-powered-by"]).toBeUndefined();
  for (const name of [NAMES.agent, NAMES.server, NAMES.tool, NAMES.credential]) await expect(page.getByRole("link", { name, exact: true })).toBeVisible();
  await expectInert(page, fired);

  for (const key of Object.keys(ids) as (keyof typeof NAMES)[]) {
    await page.goto(`/nodes/${ids[key]}`);
    await expect(page.getByRole("heading", { level: 1 })).toContainText(NAMES[key]);
    await expectInert(page, fired);
  }
  // Attribute keys and values on the node page are text too.
  await page.goto(`/nodes/${ids.agent}`);
  await expect(page.getByText("<b onmouseover=alert(6)>hover</b>").first()).toBeVisible();
  await expectInert(page, fired);

  await page.goto("/mcp");
  await expect(page.getByText(NAMES.server, { exact: true }).first()).toBeVisible();
  await expectInert(page, fired);
  await page.goto(`/mcp/${ids.server}`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(NAMES.server);
  await expect(page.getByText(NAMES.tool, { exact: true }).first()).toBeVisible();
  await expect(page.getByText(NAMES.agent, { exact: true }).first()).toBeVisible();
  await expectInert(page, fired);

  await page.goto(`/ownership/orphans?source=xss-lab&limit=50`);
  await expect(page.getByText(NAMES.agent, { exact: true }).first()).toBeVisible();
  await expectInert(page, fired);

  await page.goto(`/findings?q=${encodeURIComponent("alert(1)")}&status=all`);
  await expect(page.getByText(NAMES.agent).first()).toBeVisible();
  await expectInert(page, fired);
});

test("the graph explorer: labels, result paths and the neighbourhood list read literally", async ({ page }) => {
  const fired = armTrap(page);
  await new SignInPage(page).signInAsDemo("analyst");
  await page.goto(`/graph?node=${ids.agent}`);
  await expect(page.getByTestId("graph-canvas")).toHaveAttribute("data-nodes", /^[1-9]\d*$/);
  const results = page.getByTestId("results");
  await expect(results).toContainText(NAMES.resource);
  await expect(results).toContainText(NAMES.agent);
  // Hover and select every drawn node: labels are canvas text, and whatever shows on hover must not run anything.
  const box = (await page.getByTestId("graph-canvas").boundingBox())!;
  for (let x = 0.1; x < 1; x += 0.2) for (let y = 0.1; y < 1; y += 0.2) await page.mouse.move(box.x + box.width * x, box.y + box.height * y);
  await results.getByRole("option").first().click();
  await expectInert(page, fired);

  await page.goto(`/graph?node=${ids.server}&mode=neighbors`);
  await expect(results).toContainText(NAMES.tool);
  await expect(results).toContainText(NAMES.agent);
  await expectInert(page, fired);

  await page.goto(`/graph?node=${ids.agent}&mode=paths&to=${ids.resource}`);
  await expect(results.getByRole("option").first()).toContainText(NAMES.resource);
  await expectInert(page, fired);
});

test("a campaign over the hostile agent: the reviewer's inbox and tooltips show the names as text; the evidence CSV and PDF keep them literally", async ({
  page,
  request,
}) => {
  test.setTimeout(90_000);
  const fired = armTrap(page);
  await new SignInPage(page).signInAsDemo("analyst");
  const reviewer = demoUser("reviewer");
  const def = {
    name: `XSS review ${NAMES.agent}`,
    control: "<script>alert(11)</script>",
    scope: { edgeKinds: ["connects_to", "uses_credential"], targets: [ids.server, ids.credential] },
    reviewerStrategy: { reviewer: reviewer.email },
    dueAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
  };
  const created = await page.request.post("/api/v1/campaigns", { data: def, headers: { origin } });
  expect(created.status(), await created.text()).toBe(201);
  const campaign = (await created.json()) as { id: string };
  const launched = await page.request.post(`/api/v1/campaigns/${campaign.id}/launch`, { headers: { origin } });
  expect(launched.status(), await launched.text()).toBe(202);
  // The launch runs as a background job: wait for the campaign to turn active.
  await expect
    .poll(async () => ((await (await page.request.get(`/api/v1/campaigns/${campaign.id}`)).json()) as { status: string }).status, { timeout: 30_000 })
    .toBe("active");
  await page.goto(`/campaigns/${campaign.id}`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(NAMES.agent);
  await expectInert(page, fired);

  await page.context().clearCookies();
  await new SignInPage(page).signInAsDemo("reviewer");
  await page.goto(`/campaigns/inbox?campaign=${campaign.id}`);
  await expect(page.getByRole("article", { name: `${NAMES.agent} connects to ${NAMES.server}`, exact: true })).toBeVisible();
  await expect(page.getByRole("article", { name: `${NAMES.agent} uses credential ${NAMES.credential}`, exact: true })).toContainText(NAMES.resource);
  // The credentials behind an item are listed in a tooltip (title attribute): text, not markup.
  const titled = page.locator("[title]").filter({ hasText: /./ });
  const titles = await titled.evaluateAll((els) => els.map((e) => e.getAttribute("title") ?? ""));
  expect(titles.some((t) => t.includes(NAMES.credential))).toBe(true);
  // Hover the visible ones (some sit in folded panels, e.g. what an item reaches).
  const shown = page.locator("[title]:visible").filter({ hasText: /./ });
  for (let i = 0; i < Math.min(await shown.count(), 10); i++) await shown.nth(i).hover();
  await expectInert(page, fired);

  const csv = await request.get(`/api/v1/campaigns/${campaign.id}/evidence?format=csv`, { headers: BOOTSTRAP });
  expect(csv.status()).toBe(200);
  const text = await csv.text();
  expect(text).toContain(NAMES.agent.replace(/"/g, '""'));
  expect(text).toContain(NAMES.server.replace(/"/g, '""'));

  const pdf = await request.get(`/api/v1/campaigns/${campaign.id}/evidence?format=pdf`, { headers: BOOTSTRAP });
  expect(pdf.status()).toBe(200);
  const flat = pdfText(await pdf.body()).replace(/\s+/g, " ");
  expect(flat).toContain(NAMES.agent);
  expect(flat).toContain("<script>alert(11)</script>");
});

test("point-in-time access report: CSV neutralises formula cells and keeps markup as text; the PDF keeps the literal names", async ({ request }) => {
  const csv = await request.get(`/api/v1/reports/access?principal=${ids.agent}&format=csv`, { headers: BOOTSTRAP });
  expect(csv.status(), await csv.text()).toBe(200);
  expect(csv.headers()["content-type"]).toContain("text/csv");
  const text = await csv.text();
  expect(text).toContain(NAMES.agent);
  // The formula-shaped resource name is written with a leading apostrophe, so no spreadsheet runs it.
  expect(text).toContain(`"'${NAMES.resource.replace(/"/g, '""')}"`);
  expect(text).not.toMatch(/(^|,)"?=HYPERLINK/m);

  const pdf = await request.get(`/api/v1/reports/access?principal=${ids.agent}&format=pdf`, { headers: BOOTSTRAP });
  expect(pdf.status()).toBe(200);
  const flat = pdfText(await pdf.body()).replace(/\s+/g, " ");
  expect(flat).toContain(NAMES.agent);
  expect(flat).toContain(NAMES.resource);
});

test("API answers carry the security headers and JSON is never sniffed as HTML", async ({ request }) => {
  const r = await request.get(`/api/v1/nodes/${ids.agent}`, { headers: BOOTSTRAP });
  expect(r.headers()["content-type"]).toContain("application/json");
  expect(r.headers()["x-content-type-options"]).toBe("nosniff");
  expect(r.headers()["content-security-policy"]).toContain("default-src 'self'");
  expect(((await r.json()) as { name: string }).name).toBe(NAMES.agent);
});

function pdfText(bytes: Buffer): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "attest-xss-pdf-"));
  try {
    const file = path.join(dir, "doc.pdf");
    writeFileSync(file, bytes);
    return execFileSync("pdftotext", [file, "-"]).toString();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
