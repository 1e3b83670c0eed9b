import { expect, test } from "@playwright/test";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { SignInPage } from "./pages";

// Event-triggered micro-certifications through the UI and the SSF push endpoint: the admin configures a transmitter
// (keys made here) and a trigger rule, a CAEP session-revoked SET about Mei Chen is pushed, and a micro-campaign over
// her access and her agents' appears, marked with what fired it. Cleanup: the admin (its named reviewer) answers its
// items and closes it; the rule and the transmitter are turned off (a rule that fired and a transmitter that sent keep
// their record).
const RUN = Date.now().toString(36);
const ISSUER = `https://idp-${RUN}.example.com/`;
const AUDIENCE = "https://attest.northwind.example/ssf";
const RULE = `E2E revoked sessions ${RUN}`;

test("a Shared Signals event opens a micro-campaign addressed to the rule's reviewer, marked with what fired it", async ({ page }) => {
  test.setTimeout(150_000);
  const admin = await new SignInPage(page).signInAsDemo("admin");
  const origin = new URL(page.url()).origin;
  const keys = await generateKeyPair("ES256", { extractable: true });
  const jwk = { ...(await exportJWK(keys.publicKey)), kid: `e2e-${RUN}`, alg: "ES256", use: "sig" };

  // 1. The transmitter, with its public key pasted.
  await page.goto("/admin");
  await page.getByRole("link", { name: "Shared Signals" }).click();
  await page.getByLabel("Transmitter name").fill(`E2E IdP ${RUN}`);
  await page.getByLabel("Issuer").fill(ISSUER);
  await page.getByLabel("Audience").fill(AUDIENCE);
  await page.getByLabel("Paste the key set").check();
  await page.getByLabel("Key set (JWKS)").fill(JSON.stringify({ keys: [jwk] }));
  await page.getByRole("button", { name: "Add transmitter" }).click();
  const transmitterRow = page.getByTestId("ssf-transmitters").locator("tr", { hasText: ISSUER });
  await expect(transmitterRow).toContainText("enabled");

  // 2. The rule: revoked sessions, addressed to the admin by name.
  await page.goto("/campaigns/triggers");
  await page.getByLabel("Name", { exact: true }).fill(RULE);
  await page.getByLabel("When").selectOption("ssf_event");
  await page.getByLabel("Session revoked (CAEP)").check();
  await page.getByLabel("Addressed to").selectOption({ label: admin.name });
  await page.getByLabel("Due after (days)").fill("3");
  await page.getByRole("button", { name: "Create rule" }).click();
  const ruleRow = page.getByTestId("trigger-rules").locator("tr", { hasText: RULE });
  await expect(ruleRow).toContainText("A Shared Signals event arrived");
  await expect(ruleRow).toContainText("on");
  await page.screenshot({ path: "test-results/campaign-triggers.png", fullPage: true });

  // 3. The transmitter pushes a SET (the CAEP session-revoked example's shape) about Mei Chen.
  const set = await new SignJWT({
    iss: ISSUER,
    jti: `e2e-${RUN}`,
    iat: Math.floor(Date.now() / 1000),
    aud: AUDIENCE,
    sub_id: {
      format: "complex",
      user: { format: "iss_sub", iss: ISSUER, sub: "mei@northwind.example" },
      device: { format: "iss_sub", iss: ISSUER, sub: "e9297990-14d2-42ec-a4a9-4036db86509a" },
    },
    events: {
      "https://schemas.openid.net/secevent/caep/event-type/session-revoked": { initiating_entity: "policy", event_timestamp: Math.floor(Date.now() / 1000) },
    },
  })
    .setProtectedHeader({ alg: "ES256", kid: jwk.kid, typ: "secevent+jwt" })
    .sign(keys.privateKey);
  const pushed = await page.request.post("/api/v1/ssf/events", { headers: { "content-type": "application/secevent+jwt" }, data: set });
  expect(pushed.status()).toBe(202);
  const replay = await page.request.post("/api/v1/ssf/events", { headers: { "content-type": "application/secevent+jwt" }, data: set });
  expect(replay.status()).toBe(400);
  expect(await replay.json()).toMatchObject({ err: "invalid_request" });

  // 4. The trigger job (enqueued on acceptance, and every minute) opens the micro-campaign.
  const firedBy = `Session revoked (CAEP) for Mei Chen (from E2E IdP ${RUN})`;
  await page.goto("/campaigns");
  const row = page.getByTestId("campaigns-table").locator("tr", { hasText: firedBy });
  await expect(async () => {
    await page.reload();
    await expect(row).toHaveCount(1, { timeout: 2_000 });
  }).toPass({ timeout: 90_000 });
  await expect(row.getByTestId("fired-by")).toContainText(`fired by: ${firedBy}`);
  await expect(row).toContainText("active");
  await row.getByRole("link").first().click();
  await expect(page.getByTestId("fired-by")).toContainText(`Fired by: ${firedBy}`);
  const campaignId = new URL(page.url()).pathname.split("/").pop()!;
  await page.screenshot({ path: "test-results/campaign-micro.png", fullPage: true });

  // Every item is the admin's: the rule names them.
  const items = (await (await page.request.get(`/api/v1/campaigns/${campaignId}/items?status=all&limit=500`)).json()) as {
    items: { id: string; version: number; reviewer: { email: string } | null }[];
  };
  expect(items.items.length).toBeGreaterThan(0);
  for (const i of items.items) {
    expect(i.reviewer?.email).toBe(admin.email);
  }
  await page.goto("/admin/shared-signals");
  await expect(page.getByTestId("ssf-events").locator("tr", { hasText: "Mei Chen" }).first()).toContainText("campaign opened");

  // 5. Cleanup: answer and close the campaign, turn the rule and the transmitter off.
  const headers = { Origin: origin };
  const decided = await page.request.post("/api/v1/review-items/decisions", {
    headers,
    data: { items: items.items.map((i) => ({ id: i.id, version: i.version })), decision: "abstain" },
  });
  expect(decided.status()).toBe(200);
  expect((await page.request.post(`/api/v1/campaigns/${campaignId}/close`, { headers, data: {} })).status()).toBe(200);
  const rules = (await (await page.request.get("/api/v1/campaigns/triggers")).json()) as { items: { id: string; name: string }[] };
  const rule = rules.items.find((r) => r.name === RULE)!;
  expect((await page.request.patch(`/api/v1/campaigns/triggers/${rule.id}`, { headers, data: { enabled: false } })).status()).toBe(200);
  const transmitters = (await (await page.request.get("/api/v1/ssf/transmitters")).json()) as { items: { id: string; issuer: string }[] };
  const tr = transmitters.items.find((x) => x.issuer === ISSUER)!;
  expect((await page.request.patch(`/api/v1/ssf/transmitters/${tr.id}`, { headers, data: { enabled: false } })).status()).toBe(200);
});
