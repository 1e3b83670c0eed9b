import type { AddressInfo } from "node:net";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";
import { smtpPort } from "../playwright.config";
import { demoUser, SignInPage } from "./pages";

// A reviewer is told: the app (started with ATTEST_SMTP_URL pointing here, playwright.config.ts) e-mails the new-items
// digest of a campaign launched through the API to the SMTP server this spec runs; the reviewer follows the link in
// it to the inbox filtered to that campaign and decides. Cleanup: every item is decided, the campaign closed, the
// spec's API tokens revoked.
const BOOTSTRAP = { authorization: "Bearer e2e-bootstrap-token-0123456789abcdef" };
const NAME = `E2E notified ${Date.now().toString(36)}`;

let smtp: SMTPServer;
const mails: { rcpt: string[]; parsed: ParsedMail }[] = [];
const tokens: { id: string; auth: Record<string, string> }[] = [];

async function tokenFor(request: APIRequestContext, email: string, role: string): Promise<Record<string, string>> {
  const users = (await (await request.get("/api/v1/users", { headers: BOOTSTRAP })).json()) as { items: { id: string; email: string }[] };
  const user = users.items.find((u) => u.email === email)!;
  const res = await request.post("/api/v1/tokens", { headers: BOOTSTRAP, data: { name: `e2e notifications ${role}`, userId: user.id, roles: [role] } });
  expect(res.status()).toBe(201);
  const t = (await res.json()) as { id: string; token: string };
  const auth = { authorization: `Bearer ${t.token}` };
  tokens.push({ id: t.id, auth });
  return auth;
}

test.beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, cb) {
      simpleParser(stream)
        .then((parsed) => {
          mails.push({ rcpt: session.envelope.rcptTo.map((r) => r.address), parsed });
          cb();
        })
        .catch(cb);
    },
  });
  await new Promise<void>((resolve, reject) => {
    smtp.server.once("error", reject);
    smtp.listen(smtpPort, "127.0.0.1", resolve);
  });
  expect((smtp.server.address() as AddressInfo).port).toBe(smtpPort);
});

test.afterAll(async ({ request }) => {
  for (const t of tokens) await request.delete(`/api/v1/tokens/${t.id}`, { headers: BOOTSTRAP });
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

test("a reviewer receives the digest by e-mail, follows its link to the inbox filtered to the campaign, and decides", async ({ page, request, baseURL }) => {
  test.setTimeout(120_000);
  const reviewer = demoUser("reviewer");
  const analyst = demoUser("analyst");
  const asAnalyst = await tokenFor(request, analyst.email, "analyst");
  const asReviewer = await tokenFor(request, reviewer.email, "reviewer");

  // 1. The analyst launches a small campaign through the API; the launch is a background job.
  const nodes = (await (await request.get("/api/v1/nodes?q=GitHub%20MCP%20server", { headers: asAnalyst })).json()) as {
    items: { id: string; name: string }[];
  };
  const github = nodes.items.find((n) => n.name === "GitHub MCP server")!;
  const created = await request.post("/api/v1/campaigns", {
    headers: asAnalyst,
    data: {
      name: NAME,
      scope: { edgeKinds: ["connects_to"], subjectKinds: ["human"], targets: [github.id] },
      reviewerStrategy: "target_owner",
      dueAt: new Date(Date.now() + 14 * 86_400_000).toISOString(),
    },
  });
  expect(created.status()).toBe(201);
  const campaign = (await created.json()) as { id: string };
  expect((await request.post(`/api/v1/campaigns/${campaign.id}/launch`, { headers: asAnalyst })).status()).toBe(202);
  await expect
    .poll(async () => ((await (await request.get(`/api/v1/campaigns/${campaign.id}`, { headers: asAnalyst })).json()) as { status: string }).status, {
      timeout: 60_000,
    })
    .toBe("active");

  // 2. One digest reaches the reviewer, listing every one of their items, with the link to the filtered inbox.
  const mine = async () => mails.filter((m) => m.rcpt.includes(reviewer.email) && (m.parsed.subject ?? "").includes(NAME));
  await expect.poll(async () => (await mine()).length, { timeout: 60_000 }).toBe(1);
  const mail = (await mine())[0]!.parsed;
  const items = (await (await request.get(`/api/v1/review-items?campaign=${campaign.id}&limit=100`, { headers: asReviewer })).json()) as {
    items: { id: string; version: number; subject: { name: string }; target: { name: string } }[];
  };
  expect(items.items.length).toBeGreaterThan(0);
  expect(mail.subject).toBe(`[Attest] ${items.items.length} new item${items.items.length === 1 ? "" : "s"} to review in "${NAME}"`);
  for (const i of items.items) expect(mail.text).toContain(`${i.subject.name}: connects to ${i.target.name}`);
  const link = `${baseURL}/campaigns/inbox?campaign=${campaign.id}`;
  expect(mail.text).toContain(link);

  // 3. The reviewer signs in and follows the link: the inbox shows this campaign's items only.
  await new SignInPage(page).signInAsDemo("reviewer");
  await page.goto(link);
  await expect(page.getByLabel("Campaign")).toHaveValue(campaign.id);
  const rows = page.getByTestId("inbox-item");
  await expect(rows).toHaveCount(items.items.length);
  for (let k = 0; k < items.items.length; k++) await expect(rows.nth(k)).toContainText(NAME);
  await page.screenshot({ path: "test-results/notifications-inbox.png", fullPage: true });
  await rows.first().getByRole("button", { name: "Approve" }).click();
  const dialog = page.getByRole("dialog");
  const justification = dialog.getByLabel(/Justification/);
  if (await justification.count()) await justification.fill("Still on the platform team");
  await dialog.getByRole("button", { name: "Approve" }).click();
  await expect(rows.first()).toHaveAttribute("data-decided", "true");

  // 4. The campaign page says who was told, when and how.
  const deliveries = (await (await request.get(`/api/v1/campaigns/${campaign.id}/deliveries`, { headers: asAnalyst })).json()) as {
    kind: string;
    channel: string;
    status: string;
    address: string;
  }[];
  expect(deliveries).toContainEqual(expect.objectContaining({ kind: "digest", channel: "email", status: "sent", address: reviewer.email }));

  // Cleanup: decide the rest, close the campaign.
  const left = (await (await request.get(`/api/v1/review-items?campaign=${campaign.id}&status=pending&limit=100`, { headers: asReviewer })).json()) as {
    items: { id: string; version: number }[];
  };
  if (left.items.length) {
    const bulk = await request.post("/api/v1/review-items/decisions", {
      headers: asReviewer,
      data: { items: left.items.map((i) => ({ id: i.id, version: i.version })), decision: "approve", justification: "e2e cleanup" },
    });
    expect(bulk.status()).toBe(200);
  }
  expect((await request.post(`/api/v1/campaigns/${campaign.id}/close`, { headers: asAnalyst })).status()).toBe(200);
});
