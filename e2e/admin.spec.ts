import { expect, test } from "@playwright/test";
import { demoUser, SignInPage } from "./pages";

const BOOTSTRAP = "e2e-bootstrap-token-0123456789abcdef";

test("an admin makes a gateway token: a pdp service user comes with it, it asks for decisions and reads nothing else", async ({ page, request }) => {
  await new SignInPage(page).signInAsDemo("admin");
  await page.goto("/admin");
  const form = page.getByTestId("gateway-token-form");
  // Nothing named: the browser's own check, nothing sent.
  await form.getByRole("button", { name: "Create gateway token" }).click();
  await expect(form.getByTestId("new-gateway-token")).toHaveCount(0);
  await form.getByLabel("Gateway name").fill("e2e-agentgateway");
  await form.getByRole("button", { name: "Create gateway token" }).click();
  const token = (await form.getByTestId("new-gateway-token").textContent())!;
  expect(token).toMatch(/^att_/);
  await page.screenshot({ path: "test-results/admin-gateway-token.png" });
  const auth = { headers: { Authorization: `Bearer ${token}`, "content-type": "application/json" } };
  const asked = await request.post("/access/v1/evaluation", {
    ...auth,
    data: { subject: { type: "agent", id: "nobody-known" }, action: { name: "tools/call" }, resource: { type: "tool", id: "read_text_file" } },
  });
  expect(asked.status()).toBe(200);
  expect(((await asked.json()) as { decision: boolean }).decision).toBe(false);
  expect((await request.get("/api/v1/nodes?limit=1", auth)).status()).toBe(403);
  await page.reload();
  await expect(page.getByTestId("tokens-table").getByRole("row", { name: /e2e-agentgateway/ })).toContainText("pdp");
  await expect(page.getByText("Gateway: e2e-agentgateway")).toBeVisible();
});

test("an admin overrides runtime decisions by tool risk and by source, sees them kept, and puts the defaults back", async ({ page }) => {
  await new SignInPage(page).signInAsDemo("admin");
  await page.goto("/admin");
  const form = page.getByRole("form", { name: "Runtime decisions" });
  const policy = async () => ((await (await page.request.get("/api/v1/pdp/policy")).json()) as { policy: { byRisk: object; bySource: object } }).policy;
  expect(await policy()).toEqual(expect.objectContaining({ byRisk: {}, bySource: {} }));

  await form.getByLabel("critical risk: Destructive").selectOption("deny");
  // A source name is checked before it gets a row.
  await form.getByLabel("Source to override").fill("not a source!");
  await form.getByRole("button", { name: "Add a source" }).click();
  await expect(form.getByRole("alert").filter({ hasText: "A source name" })).toBeVisible();
  await form.getByLabel("Source to override").fill("e2e-nowhere");
  await form.getByLabel("Source to override").press("Enter");
  await form.getByLabel("source e2e-nowhere: Owner gone").selectOption("deny");
  await form.getByLabel("Why (kept with the version)").fill("e2e: critical destructive tools are denied");
  await form.getByRole("button", { name: "Save decision policy" }).click();
  await expect(form.getByText("Saved as a new version")).toBeVisible();
  await page.screenshot({ path: "test-results/admin-pdp-overrides.png", fullPage: true });
  expect(await policy()).toEqual(
    expect.objectContaining({ byRisk: { critical: { destructive: "deny" } }, bySource: { "e2e-nowhere": { ownerGone: "deny" } } }),
  );

  // Kept: the page shows them after a reload; then back to the defaults, so later specs see the demo's policy.
  await page.reload();
  await expect(form.getByLabel("critical risk: Destructive")).toHaveValue("deny");
  await expect(form.getByLabel("source e2e-nowhere: Owner gone")).toHaveValue("deny");
  await form.getByLabel("critical risk: Destructive").selectOption("");
  await form.getByRole("button", { name: "Remove the override for source e2e-nowhere" }).click();
  await form.getByRole("button", { name: "Save decision policy" }).click();
  await expect(form.getByText("Saved as a new version")).toBeVisible();
  expect(await policy()).toEqual(expect.objectContaining({ byRisk: {}, bySource: {} }));
});

test("an admin creates a token shown once, uses it, and revokes it after confirming; Cancel changes nothing", async ({ page, request }) => {
  await new SignInPage(page).signInAsDemo("admin");
  await page.goto("/admin");
  await page.getByLabel("Token name").fill("e2e-automation");
  await page.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByTestId("new-token").textContent())!;
  expect(token).toMatch(/^att_/);
  await expect(page.getByRole("status").filter({ hasText: "not shown again" }).getByRole("button", { name: "Copy" })).toBeVisible();
  const auth = { headers: { Authorization: `Bearer ${token}` } };
  expect((await request.get("/api/v1/nodes?limit=1", auth)).status()).toBe(200);
  await page.reload();
  await expect(page.getByTestId("new-token")).toHaveCount(0);
  const table = page.getByTestId("tokens-table");
  await expect(table).not.toContainText(token);
  await expect(table).toContainText("e2e-automation");

  // Revoking asks first; Cancel leaves the token working and listed.
  await page.getByRole("button", { name: "Revoke e2e-automation" }).click();
  const dialog = page.getByRole("dialog", { name: "Revoke the token “e2e-automation”?" });
  await expect(dialog).toBeVisible();
  await page.screenshot({ path: "test-results/admin-confirm-revoke.png" });
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await expect(table).toContainText("e2e-automation");
  expect((await request.get("/api/v1/nodes?limit=1", auth)).status()).toBe(200);

  // Confirming revokes it, and it leaves the list without a reload.
  await page.getByRole("button", { name: "Revoke e2e-automation" }).click();
  await dialog.getByRole("button", { name: "Revoke" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("button", { name: "Revoke e2e-automation" })).toHaveCount(0);
  await expect(page.getByTestId("ended-tokens")).toContainText("e2e-automation");
  expect((await request.get("/api/v1/nodes?limit=1", auth)).status()).toBe(401);
  await page.screenshot({ path: "test-results/admin.png", fullPage: true });
});

test("a role change asks first: Cancel leaves the roles as they were, Confirm grants it", async ({ page, request }) => {
  const auditor = demoUser("auditor");
  await new SignInPage(page).signInAsDemo("admin");
  await page.goto("/admin");
  const box = page.getByLabel(`${auditor.name}: analyst`);
  await expect(box).not.toBeChecked();
  await box.click();
  const dialog = page.getByRole("dialog", { name: `Give ${auditor.name} the analyst role?` });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(box).not.toBeChecked();
  const users = async () =>
    (await (await request.get("/api/v1/users", { headers: { Authorization: `Bearer ${BOOTSTRAP}` } })).json()).items as { email: string; roles: string[] }[];
  expect((await users()).find((u) => u.email === auditor.email)!.roles).toEqual(["auditor"]);

  await box.click();
  await dialog.getByRole("button", { name: "Give analyst" }).click();
  await expect(box).toBeChecked();
  expect((await users()).find((u) => u.email === auditor.email)!.roles.sort()).toEqual(["analyst", "auditor"]);
  // And back, so other specs see the demo's roles.
  await box.click();
  await page
    .getByRole("dialog", { name: `Take the analyst role from ${auditor.name}?` })
    .getByRole("button", { name: "Take analyst away" })
    .click();
  await expect(box).not.toBeChecked();
});

test("an admin creates a SCIM source, rotates its token and disables it; /scim/v2 follows each step", async ({ page, request }) => {
  await new SignInPage(page).signInAsDemo("admin");
  await page.goto("/admin");
  const name = `e2e-okta-${Date.now().toString(36)}`;
  await page.getByLabel("Source name").fill(name);
  await page.getByLabel("Source description").fill("Okta provisioning (e2e)");
  await page.getByRole("button", { name: "Create SCIM source" }).click();
  const first = (await page.getByTestId("new-scim-token").textContent())!;
  expect(first).toMatch(/^att_/);
  const row = page.getByTestId(`scim-source-${name}`);
  await expect(row).toContainText("active");
  const scim = (token: string) => request.get("/scim/v2/Users", { headers: { Authorization: `Bearer ${token}` } });
  expect((await scim(first)).status()).toBe(200);

  await page.getByRole("button", { name: `Rotate token of ${name}` }).click();
  const rotate = page.getByRole("dialog", { name: `Rotate the SCIM token of ${name}?` });
  await rotate.getByRole("button", { name: "Cancel" }).click();
  expect((await scim(first)).status()).toBe(200);
  await page.getByRole("button", { name: `Rotate token of ${name}` }).click();
  await rotate.getByRole("button", { name: "Rotate token" }).click();
  await expect(page.getByTestId("new-scim-token")).not.toHaveText(first);
  const second = (await page.getByTestId("new-scim-token").textContent())!;
  expect((await scim(first)).status()).toBe(401);
  expect((await scim(second)).status()).toBe(200);

  await page.getByRole("button", { name: `Disable ${name}` }).click();
  await page
    .getByRole("dialog", { name: `Disable ${name}?` })
    .getByRole("button", { name: "Disable source" })
    .click();
  await expect(page.getByTestId(`scim-source-${name}`)).toContainText("disabled");
  expect((await scim(second)).status()).toBe(403);
  await page.screenshot({ path: "test-results/admin-scim.png", fullPage: true });
  await page.getByRole("button", { name: `Enable ${name}` }).click();
  await expect(page.getByTestId(`scim-source-${name}`)).toContainText("active");
  expect((await scim(second)).status()).toBe(200);
});

test("a disabled user loses access at once, and can sign in again when enabled", async ({ browser, baseURL }) => {
  const auditor = demoUser("auditor");
  const adminPage = await (await browser.newContext({ baseURL })).newPage();
  const auditorPage = await (await browser.newContext({ baseURL })).newPage();
  await new SignInPage(auditorPage).signInAsDemo("auditor");
  await new SignInPage(adminPage).signInAsDemo("admin");
  await adminPage.goto("/admin");
  await adminPage.getByRole("button", { name: `Disable ${auditor.name}` }).click();
  await adminPage
    .getByRole("dialog", { name: `Disable ${auditor.name}?` })
    .getByRole("button", { name: "Disable" })
    .click();
  await expect(adminPage.getByRole("button", { name: `Enable ${auditor.name}` })).toBeVisible();

  // The auditor's existing session stops working on the next request.
  await auditorPage.goto("/nodes");
  await expect(auditorPage).toHaveURL(/\/sign-in$/);
  await new SignInPage(auditorPage).signInWith(auditor.email, auditor.password);
  await expect(auditorPage.getByRole("alert").filter({ hasText: "do not match" })).toBeVisible();

  await adminPage.getByRole("button", { name: `Enable ${auditor.name}` }).click();
  await adminPage
    .getByRole("dialog", { name: `Enable ${auditor.name}?` })
    .getByRole("button", { name: "Enable" })
    .click();
  await expect(adminPage.getByRole("button", { name: `Disable ${auditor.name}` })).toBeVisible();
  await auditorPage.goto("/sign-in");
  await new SignInPage(auditorPage).signInAsDemo("auditor");
  await expect(auditorPage.getByTestId("current-user")).toContainText("auditor");
});

test("an admin allows a host for outbound requests; a bad pattern is refused by name", async ({ page }) => {
  await new SignInPage(page).signInAsDemo("admin");
  await page.goto("/admin");
  await page.getByLabel("Allowed hosts").fill("mcp.example.com\nhttp://not-a-pattern/");
  await page.getByRole("button", { name: "Save outbound settings" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "allowHosts[1]" })).toBeVisible();
  await page.getByLabel("Allowed hosts").fill("mcp.example.com");
  await page.getByRole("button", { name: "Save outbound settings" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved" })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Allowed hosts")).toHaveValue("mcp.example.com");
  // Back to the demo's default (nothing allowed), so other specs see what a new install sees.
  await page.getByLabel("Allowed hosts").fill("");
  await page.getByRole("button", { name: "Save outbound settings" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved" })).toBeVisible();
});

test("an admin sees the background jobs with their schedules in words and filters them by state", async ({ page }) => {
  await new SignInPage(page).signInAsDemo("admin");
  await page.goto("/admin");
  await page.getByRole("link", { name: "Background jobs" }).click();
  await expect(page.getByRole("heading", { name: "Background jobs", level: 1 })).toBeVisible();
  const names = page.getByTestId("job-names");
  await expect(names.getByRole("row").filter({ hasText: "findings.full-evaluation" })).toContainText("every night at 02:00 UTC");
  await expect(names.getByRole("row").filter({ hasText: "graph.after-change" })).toContainText("every minute");
  await page.getByRole("navigation", { name: "Filter jobs by state" }).getByRole("link", { name: "failed" }).click();
  await expect(page).toHaveURL(/state=failed/);
  await expect(page.getByText("No failed jobs")).toBeVisible();
});
