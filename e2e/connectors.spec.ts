import AxeBuilder from "@axe-core/playwright";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { startFakeVendor, type FakeVendor } from "../lib/testing/fake-vendor";
import { SignInPage } from "./pages";

const BOOTSTRAP = "e2e-bootstrap-token-0123456789abcdef";
const auth = { Authorization: `Bearer ${BOOTSTRAP}` };
const VIEWPORTS = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "phone", width: 390, height: 844 },
] as const;

interface Field {
  name: string;
  label: string;
  required?: boolean;
  secret?: boolean;
  placeholder?: string;
}
interface Kind {
  kind: string;
  label: string;
  settingsFields: Field[];
  credentialFields: Field[];
}

let fake: FakeVendor;
let kinds: Kind[] = [];
let outboundBefore: { allowHosts: string[]; allowPrivateRanges: string[] } | null = null;

const isAddress = (f: Field) => /url|endpoint|host|base/i.test(`${f.name} ${f.label}`);

/** Fills a kind's fields: an address field points at the fake, other required ones take their documented example, and the first credential field a made-up secret. */
async function fillFields(form: ReturnType<Page["getByTestId"]>, fields: Field[], fakeUrl: string, credential = false) {
  for (const [i, f] of fields.entries()) {
    const value = isAddress(f) ? fakeUrl : credential ? "e2e-not-a-real-secret-0123456789" : (f.placeholder ?? "e2e");
    if (f.required || isAddress(f) || (credential && i === 0)) await form.getByLabel(f.label, { exact: false }).first().fill(value);
  }
}

async function axeViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(" | ")}`);
}

async function deleteAll(request: APIRequestContext) {
  const list = (await (await request.get("/api/v1/connectors", { headers: auth })).json()) as { items: { id: string }[] };
  for (const c of list.items) await request.delete(`/api/v1/connectors/${c.id}`, { headers: auth });
}

test.beforeAll(async ({ request }) => {
  // Any vendor answers "401 Bad credentials": the page must still say, in words, what the test found.
  fake = await startFakeVendor(() => ({ status: 401, json: { message: "Bad credentials" } }), { tls: true });
  kinds = ((await (await request.get("/api/v1/connectors/kinds", { headers: auth })).json()) as { items: Kind[] }).items;
  outboundBefore = await (await request.get("/api/v1/settings/outbound", { headers: auth })).json();
  // The fake listens on loopback: open it for the server's outbound client.
  const put = await request.put("/api/v1/settings/outbound", {
    headers: auth,
    data: { allowHosts: outboundBefore!.allowHosts, allowPrivateRanges: [...outboundBefore!.allowPrivateRanges, "127.0.0.1/32", "::1/128"] },
  });
  expect(put.status()).toBe(200);
  await deleteAll(request);
});

test.afterAll(async ({ request }) => {
  await deleteAll(request);
  // Later specs count the demo's people: the account made here for linking ends (a full import of nothing), and the
  // admin's decision about it goes, so the demo is as it was.
  const ended = await request.post("/api/v1/imports", { headers: auth, data: { source: "e2e-github", mode: "full", nodes: [], edges: [] } });
  expect([201, 400]).toContain(ended.status());
  const overrides = (await (await request.get("/api/v1/identity-links/overrides", { headers: auth })).json()) as {
    items: { id: string; personRef: string; accountRef: string }[];
  };
  for (const o of overrides.items)
    if (`${o.personRef} ${o.accountRef}`.includes("e2e-github:")) await request.delete(`/api/v1/identity-links/overrides/${o.id}`, { headers: auth });
  await request.post("/api/v1/identity-links/refresh", { headers: auth });
  if (outboundBefore)
    await request.put("/api/v1/settings/outbound", {
      headers: auth,
      data: { allowHosts: outboundBefore.allowHosts, allowPrivateRanges: outboundBefore.allowPrivateRanges },
    });
  await fake?.close();
});

test("the empty page tells an admin what a connector is and how to start, links the docs, and has no accessibility violations on desktop and phone", async ({
  page,
}) => {
  await new SignInPage(page).signInAsDemo("admin");
  await page.goto("/admin");
  await page.getByRole("main").getByRole("link", { name: "Connectors" }).click();
  await expect(page).toHaveURL(/\/admin\/connectors$/);
  await expect(page.getByRole("heading", { name: "Connectors", level: 1 })).toBeVisible();
  await expect(page.getByTestId("connectors-empty")).toContainText("A connector pulls people");
  await expect(page.getByRole("link", { name: "OpenAPI document" })).toBeVisible();
  // This server has ATTEST_SECRET_KEY (playwright.config.ts): no refusal banner.
  await expect(page.getByTestId("secret-key-banner")).toHaveCount(0);
  for (const vp of VIEWPORTS) {
    await page.setViewportSize({ width: vp.width, height: vp.height });
    await page.reload();
    await page.waitForLoadState("networkidle");
    expect(await axeViolations(page), vp.name).toEqual([]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${vp.name}: nothing wider than the screen`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `test-results/connectors-empty-${vp.name}.png`, fullPage: true });
  }
});

test("analysts and auditors see the page read-only; reviewers are refused", async ({ page }) => {
  for (const role of ["analyst", "auditor"] as const) {
    await new SignInPage(page).signInAsDemo(role);
    await page.goto("/admin/connectors");
    await expect(page.getByRole("heading", { name: "Connectors", level: 1 })).toBeVisible();
    await expect(page.getByRole("button", { name: "Add connector" })).toHaveCount(0);
    await expect(page.getByTestId("connector-form")).toHaveCount(0);
    await page.context().clearCookies();
  }
  await new SignInPage(page).signInAsDemo("reviewer");
  await page.goto("/admin/connectors");
  await expect(page).toHaveURL(/\/forbidden/);
});

test("an admin adds a connector pointing at a local fake, tests the connection and sees the answer in words", async ({ page }) => {
  // Okta: its SDK refuses plain http, so this also proves the server reaches a TLS vendor through the outbound client.
  const kind = kinds.find((k) => k.kind === "okta")!;
  expect(kind, "the Okta driver is registered").toBeTruthy();
  await new SignInPage(page).signInAsDemo("admin");
  await page.goto("/admin/connectors");
  const form = page.getByTestId("connector-form");
  await form.getByLabel("System").selectOption(kind.kind);
  await form.getByLabel("Name", { exact: true }).fill("e2e fake");
  await fillFields(form, kind.settingsFields, fake.url);
  await fillFields(form, kind.credentialFields, fake.url, true);
  await form.getByLabel("Schedule (optional)").fill("30 2 * * *");
  await expect(form).toContainText("Runs every day at 02:30 UTC");
  for (const vp of VIEWPORTS) {
    await page.setViewportSize({ width: vp.width, height: vp.height });
    await page.screenshot({ path: `test-results/connectors-form-${vp.name}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  await form.getByRole("button", { name: "Add connector" }).click();
  const card = page.getByTestId("connector-e2e fake");
  await expect(card).toBeVisible();
  await expect(card.getByTestId("connector-credential")).toContainText("set on");
  await card.getByRole("button", { name: "Test connection" }).click();
  // The fake refuses every credential: the answer says so in words, and quotes nothing the vendor said.
  await expect(card.getByTestId("connector-test-answer")).toHaveText(/^Connection failed: the credential was refused/);
  await expect(card.getByTestId("connector-test-answer")).not.toContainText("Bad credentials");
  expect(fake.requests.length).toBeGreaterThan(0);
  for (const vp of VIEWPORTS) {
    await page.setViewportSize({ width: vp.width, height: vp.height });
    expect(await axeViolations(page), vp.name).toEqual([]);
    await page.screenshot({ path: `test-results/connectors-${vp.name}.png`, fullPage: true });
  }
});

test("a connector without a credential is refused a run, and says why", async ({ page, request }) => {
  const kind = kinds.find((k) => k.kind === "okta")!;
  expect(kind, "the Okta driver is registered").toBeTruthy();
  const settings: Record<string, string> = {};
  for (const f of kind.settingsFields) if (f.required) settings[f.name] = isAddress(f) ? fake.url : (f.placeholder ?? "e2e");
  const created = await request.post("/api/v1/connectors", { headers: auth, data: { name: "e2e no credential", kind: kind.kind, settings } });
  expect(created.status(), await created.text()).toBe(201);
  await new SignInPage(page).signInAsDemo("admin");
  await page.goto("/admin/connectors");
  const card = page.getByTestId("connector-e2e no credential");
  await expect(card.getByTestId("connector-credential")).toContainText("not set");
  await expect(card.getByRole("button", { name: "Test connection" })).toBeDisabled();
  await card.getByRole("button", { name: "Run now (full)" }).click();
  await expect(card.getByRole("alert")).toContainText("set the connector's credential before running it");
});

test("a person's page lists the same person's account in another system; an admin keeps them apart and sees it pending", async ({ page, request }) => {
  test.setTimeout(90_000);
  const humans = (await (await request.get("/api/v1/nodes?kind=human&limit=50", { headers: auth })).json()) as {
    items: { id: string; name: string; attributes: { email?: string } }[];
  };
  const person = humans.items.find((h) => typeof h.attributes.email === "string")!;
  // The same address in another system: the linking job joins the two accounts.
  const imported = await request.post("/api/v1/imports", {
    headers: auth,
    data: {
      source: "e2e-github",
      mode: "full",
      nodes: [{ kind: "human", externalId: "e2e-gh-1", name: "e2e-octo", attributes: { email: person.attributes.email } }],
      edges: [],
    },
  });
  expect(imported.status()).toBe(201);
  expect((await request.post("/api/v1/identity-links/refresh", { headers: auth })).status()).toBe(202);
  await expect
    .poll(async () => ((await (await request.get(`/api/v1/nodes/${person.id}/links`, { headers: auth })).json()) as { total: number }).total, {
      timeout: 60_000,
    })
    .toBeGreaterThan(0);

  await new SignInPage(page).signInAsDemo("admin");
  await page.goto(`/nodes/${person.id}`);
  const panel = page.getByTestId("same-person");
  await expect(panel.getByTestId("linked-account").filter({ hasText: "e2e-octo" })).toContainText("same e-mail address");
  for (const vp of VIEWPORTS) {
    await page.setViewportSize({ width: vp.width, height: vp.height });
    expect(await axeViolations(page), vp.name).toEqual([]);
    await page.screenshot({ path: `test-results/node-same-person-${vp.name}.png`, fullPage: true });
  }
  await panel.getByRole("button", { name: "Not the same person: e2e-octo in e2e-github" }).click();
  await expect(panel.getByTestId("link-pending")).toContainText("applies when the linking job runs");
  await expect(panel).toContainText("Not the same person as e2e-github:human:e2e-gh-1");

  // An analyst sees the links, without the admin's actions.
  await page.context().clearCookies();
  await new SignInPage(page).signInAsDemo("analyst");
  await page.goto(`/nodes/${person.id}`);
  await expect(page.getByTestId("same-person")).toBeVisible();
  await expect(page.getByRole("button", { name: /Not the same person/ })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Link account" })).toHaveCount(0);
});
