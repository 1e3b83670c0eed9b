import type { AddressInfo } from "node:net";
import { and, eq, sql } from "drizzle-orm";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { buildDemoOrg } from "@/db/seed/demo-org";
import { seedGraph } from "@/db/seed/seed";
import { appUsers, auditEvents, campaignNotifications, campaigns, notificationChannels, notificationDeliveries } from "@/db/schema";
import type { Actor } from "@/lib/authz/actor";
import { closeCampaign } from "@/lib/campaigns/close-campaign";
import { runReminders } from "@/lib/campaigns/reminders";
import { auditOf, DAY, launched, nodeId } from "@/lib/campaigns/test-helpers";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { actorByEmail } from "@/lib/testing/app-context";
import { startFakeVendor, type FakeAnswer, type FakeVendor } from "@/lib/testing/fake-vendor";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { createChannel, deleteChannel, listChannels, testChannel, testEmail, updateChannel } from "./channels";
import { attemptDelivery, MAX_ATTEMPTS } from "./deliver";
import { recordDigests } from "./digest";
import { dispatchNotifications } from "./dispatch";
import { registeredHandlers } from "@/lib/jobs/registry";
import { NOTIFY_DELIVER, NOTIFY_DIGEST, NOTIFY_DISPATCH } from "./jobs";
import { getPreferences, updatePreferences } from "./preferences";
import { listCampaignDeliveries, listRecentDeliveries } from "./queries";

/**
 * Notifications end to end below the browser: a real SMTP server (smtp-server)
 * on 127.0.0.1 receives the digests and mailparser reads them; a real HTTP
 * server stands in for the chat webhooks and answers what the test says.
 */

let t: TestDatabase;
let chloe: Actor; // analyst, owns the campaigns
let admin: Actor;
let priya: Actor;
let github: string;
let smtp: SMTPServer;
let smtpPort = 0;
const mails: { rcpt: string[]; parsed: ParsedMail }[] = [];
let hook: FakeVendor;
let answers: FakeAnswer[] = [];

const SECRET_PATH = "/services/T0000/B0000/Zq8v4LmT2wXr9pKdWebhookToken";
const policy = { allowHosts: [], allowPrivateRanges: ["127.0.0.1"] };
const env = (): NodeJS.ProcessEnv => ({
  NODE_ENV: "test",
  ATTEST_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
  ATTEST_MAIL_FROM: "Attest <attest@northwind.example>",
  ATTEST_PUBLIC_URL: "https://attest.northwind.example/",
  ATTEST_SECRET_KEY: "test-master-key-for-notifications-0123456789",
});
const noSmtp = (): NodeJS.ProcessEnv => ({ ...env(), ATTEST_SMTP_URL: "" });

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  await seedGraph(t.db, buildDemoOrg());
  chloe = await actorByEmail(t, "chloe@northwind.example");
  priya = await actorByEmail(t, "priya@northwind.example");
  admin = await actorByEmail(t, "samir@northwind.example");
  github = await nodeId(t.db, "GitHub MCP server");
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
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;
  hook = await startFakeVendor(() => answers.shift() ?? { status: 200, text: "ok" });
});
// Each test launches its own campaign over the same accesses: the earlier ones are closed first, since an access
// under review in an open campaign is not added to another (it would have no items of its own).
beforeEach(async () => {
  for (const c of await t.db.select({ id: campaigns.id, dueAt: campaigns.dueAt }).from(campaigns).where(eq(campaigns.status, "active")))
    await closeCampaign(t.db, chloe, c.id, {}, { now: new Date(c.dueAt.getTime() + 1000) });
});

afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await hook.close();
  await t.cleanup();
});

const deliveriesOf = (campaignId: string) => t.db.select().from(notificationDeliveries).where(eq(notificationDeliveries.campaignId, campaignId));

describe("the new-items digest by e-mail", () => {
  it("sends one message per reviewer carrying all of their new items, with the inbox link filtered to the campaign", async () => {
    const c = await launched(t.db, chloe, {
      name: "GitHub MCP access",
      scope: { edgeKinds: ["connects_to"], targets: [github] },
      fallbackReviewer: "omar@northwind.example",
    });
    const ids = await recordDigests(t.db, c.id);
    expect(ids).toHaveLength(2);
    expect(await recordDigests(t.db, c.id), "recorded once").toEqual([]);
    const notes = await t.db.select().from(campaignNotifications).where(eq(campaignNotifications.campaignId, c.id));
    expect(notes.map((n) => [n.kind, n.pendingItems]).sort()).toEqual([
      ["digest", 1],
      ["digest", 5],
    ]);

    const pending = await dispatchNotifications(t.db, { env: env() });
    expect(pending).toHaveLength(2);
    expect(await dispatchNotifications(t.db, { env: env() }), "dispatched once").toEqual([]);
    mails.length = 0;
    for (const id of pending) expect(await attemptDelivery(t.db, id, { env: env(), policy })).toMatchObject({ status: "sent", attempts: 1 });
    expect(mails).toHaveLength(2);

    const toPriya = mails.filter((m) => m.rcpt.includes("priya@northwind.example"));
    expect(toPriya).toHaveLength(1);
    const mail = toPriya[0]!.parsed;
    expect(mail.subject).toBe('[Attest] 5 new items to review in "GitHub MCP access"');
    expect(mail.from?.text).toContain("attest@northwind.example");
    const link = `https://attest.northwind.example/campaigns/inbox?campaign=${c.id}`;
    expect(mail.text).toContain(link);
    expect(mail.html).toContain(`href="${link.replace(/&/g, "&amp;")}"`);
    // A digest: every one of Priya's five items is in this one message.
    const items = await t.db.execute(sql`select subject_name, target_name from review_items where campaign_id = ${c.id} and reviewer_id = ${priya.id}`);
    const rows = (items as unknown as { rows: { subject_name: string; target_name: string }[] }).rows;
    expect(rows).toHaveLength(5);
    for (const r of rows) expect(mail.text).toContain(`${r.subject_name}: connects to ${r.target_name}`);
    expect(mails.find((m) => m.rcpt.includes("omar@northwind.example"))!.parsed.subject).toBe('[Attest] 1 new item to review in "GitHub MCP access"');

    const stored = await deliveriesOf(c.id);
    expect(stored.every((d) => d.status === "sent" && d.channel === "email" && d.attempts === 1 && !!d.messageId && !!d.sentAt)).toBe(true);
    const shown = await listCampaignDeliveries(t.db, chloe, c.id);
    expect(shown.map((d) => [d.kind, d.recipient?.name, d.channel, d.status]).sort()).toEqual([
      ["digest", "Omar Farouk", "email", "sent"],
      ["digest", "Priya Natarajan", "email", "sent"],
    ]);
    await expect(listCampaignDeliveries(t.db, priya, c.id)).rejects.toMatchObject({ code: "forbidden" });
  });

  it("records a skipped delivery, with the reason, when e-mail is not configured or the reviewer has no address", async () => {
    const [omar] = await t.db.select().from(appUsers).where(eq(appUsers.email, "omar@northwind.example"));
    const c = await launched(t.db, chloe, {
      name: "no mail",
      scope: { edgeKinds: ["connects_to"], targets: [github] },
      fallbackReviewer: "omar@northwind.example",
    });
    await t.db.update(appUsers).set({ email: "" }).where(eq(appUsers.id, omar!.id));
    try {
      await recordDigests(t.db, c.id);
      expect(await dispatchNotifications(t.db, { env: noSmtp() })).toEqual([]);
    } finally {
      await t.db.update(appUsers).set({ email: omar!.email }).where(eq(appUsers.id, omar!.id));
    }
    const reasons = Object.fromEntries((await deliveriesOf(c.id)).map((d) => [d.recipientId, [d.status, d.reason]]));
    expect(reasons[omar!.id]).toEqual(["skipped", "the recipient has no e-mail address"]);
    expect(reasons[priya.id]![0]).toBe("skipped");
    expect(reasons[priya.id]![1]).toMatch(/^e-mail is not configured \(ATTEST_SMTP_URL is not set/);
  });
});

describe("chat channels", () => {
  let channelId = "";

  it("keeps the webhook URL sealed: shown and audited by host only", async () => {
    const ch = await createChannel(
      t.db,
      admin,
      { kind: "slack", name: "#access-reviews", url: `${hook.url}${SECRET_PATH}`, events: ["digest", "escalation", "overdue"] },
      { env: env() },
    );
    channelId = ch.id;
    expect(ch).toMatchObject({ kind: "slack", host: `127.0.0.1:${hook.port}`, events: ["digest", "escalation", "overdue"], enabled: true });
    expect(JSON.stringify(ch)).not.toContain(SECRET_PATH);
    const [row] = await t.db.select().from(notificationChannels).where(eq(notificationChannels.id, ch.id));
    expect(JSON.stringify(row)).not.toContain("Zq8v4LmT2wXr9pKd");
    const audits = await t.db.select().from(auditEvents).where(eq(auditEvents.targetId, ch.id));
    expect(audits.map((a) => a.action)).toEqual(["notification.channel.create"]);
    expect(JSON.stringify(audits)).not.toContain("Zq8v4LmT2wXr9pKd");
    expect(JSON.stringify(await listChannels(t.db, admin))).not.toContain("Zq8v4LmT2wXr9pKd");
    await expect(createChannel(t.db, chloe, { kind: "slack", name: "x", url: hook.url, events: ["digest"] }, { env: env() })).rejects.toMatchObject({
      code: "forbidden",
    });
    await expect(createChannel(t.db, admin, { kind: "slack", name: "bad", url: "ftp://x", events: [] }, { env: env() })).rejects.toMatchObject({
      code: "validation",
      details: expect.arrayContaining([expect.objectContaining({ path: "url" }), expect.objectContaining({ path: "events" })]),
    });
  });

  it("the test button posts a Slack-compatible body to the webhook through the outbound client", async () => {
    hook.requests.length = 0;
    answers = [{ status: 200, text: "ok" }];
    expect(await testChannel(t.db, admin, channelId, { env: env(), policy })).toEqual({ ok: true, to: `127.0.0.1:${hook.port}`, reason: null });
    const body = JSON.parse(hook.requests[0]!.body) as { text: string; blocks: { type: string }[] };
    expect(hook.requests[0]!.path).toBe(SECRET_PATH);
    expect(body.text).toMatch(/^Test message/);
    expect(body.blocks.map((b) => b.type)).toEqual(["section", "actions"]);
    // Without the private range opened, the outbound client refuses 127.0.0.1 and says so.
    const refused = await testChannel(t.db, admin, channelId, { env: env(), policy: { allowHosts: [], allowPrivateRanges: [] } });
    expect(refused).toMatchObject({ ok: false, reason: expect.stringMatching(/^blocked_address/) });
    expect(refused.reason).not.toContain(SECRET_PATH);
    expect((await auditOf(t.db, "notification.channel.test", channelId)).length).toBe(2);
  });

  it("retries a webhook on 5xx until it is delivered; a 400 fails at once; a 429's Retry-After is honoured", async () => {
    const c = await launched(t.db, chloe, {
      name: "late reviewers",
      scope: { edgeKinds: ["connects_to"], targets: [github] },
      fallbackReviewer: "omar@northwind.example",
    });
    const due = Date.parse(c.dueAt);
    const now = new Date(due + 8 * DAY);
    const run = await runReminders(t.db, chloe, { now });
    expect(
      run.notifications
        .filter((n) => n.campaignId === c.id)
        .map((n) => n.kind)
        .sort(),
    ).toEqual(["escalation", "escalation", "overdue", "overdue"]);
    const pending = await dispatchNotifications(t.db, { env: env(), now });
    // Two overdue notices and two escalations, each by e-mail and on the channel (the other open campaigns' too).
    const all = await deliveriesOf(c.id);
    expect(all.filter((d) => d.channel === "slack")).toHaveLength(4);
    expect(all.filter((d) => pending.includes(d.id))).toHaveLength(8);
    const slack = all.filter((d) => d.channel === "slack");

    // 500, 500, then 200: delivered on the third attempt, each failure recorded.
    answers = [{ status: 500 }, { status: 502 }, { status: 200, text: "ok" }];
    hook.requests.length = 0;
    const first = await attemptDelivery(t.db, slack[0]!.id, { env: env(), policy, now });
    expect(first).toMatchObject({ status: "pending", attempts: 1, retryInMs: 30_000 });
    const [mid] = await t.db.select().from(notificationDeliveries).where(eq(notificationDeliveries.id, slack[0]!.id));
    expect(mid).toMatchObject({ status: "pending", attempts: 1, reason: "attempt 1 of 5 failed: HTTP 500; trying again" });
    expect(await attemptDelivery(t.db, slack[0]!.id, { env: env(), policy, now })).toMatchObject({ status: "pending", attempts: 2, retryInMs: 120_000 });
    expect(await attemptDelivery(t.db, slack[0]!.id, { env: env(), policy, now })).toMatchObject({ status: "sent", attempts: 3 });
    expect(hook.requests).toHaveLength(3);
    const [done] = await t.db.select().from(notificationDeliveries).where(eq(notificationDeliveries.id, slack[0]!.id));
    expect(done).toMatchObject({ status: "sent", attempts: 3, reason: null });
    const posted = JSON.parse(hook.requests[2]!.body) as { text: string; blocks: { elements?: { url: string }[] }[] };
    expect(posted.blocks[1]!.elements![0]!.url).toBe(`https://attest.northwind.example/campaigns/inbox?campaign=${c.id}`);
    // Sent is final: the job running again sends nothing.
    expect(await attemptDelivery(t.db, slack[0]!.id, { env: env(), policy, now })).toMatchObject({ status: "sent" });
    expect(hook.requests).toHaveLength(3);

    // 400: failed after one attempt, not retried.
    answers = [{ status: 400, text: "invalid_payload" }];
    expect(await attemptDelivery(t.db, slack[1]!.id, { env: env(), policy, now })).toMatchObject({ status: "failed", attempts: 1, reason: "HTTP 400" });

    // 429 with Retry-After: 7 → the next attempt waits 7 s, not the backoff.
    answers = [{ status: 429, headers: { "retry-after": "7" } }];
    expect(await attemptDelivery(t.db, slack[2]!.id, { env: env(), policy, now })).toMatchObject({ status: "pending", attempts: 1, retryInMs: 7_000 });

    // Always 503: gives up after MAX_ATTEMPTS.
    answers = Array.from({ length: MAX_ATTEMPTS }, () => ({ status: 503 }));
    let last = null;
    for (let i = 0; i < MAX_ATTEMPTS; i++) last = await attemptDelivery(t.db, slack[3]!.id, { env: env(), policy, now });
    expect(last).toMatchObject({ status: "failed", attempts: MAX_ATTEMPTS, reason: `gave up after ${MAX_ATTEMPTS} attempts: HTTP 503` });

    const stored = await deliveriesOf(c.id);
    expect(JSON.stringify(stored)).not.toContain("Zq8v4LmT2wXr9pKd");
    const recent = await listRecentDeliveries(t.db, admin, 200);
    expect(recent.some((d) => d.campaignId === c.id && d.status === "failed" && d.reason === "HTTP 400")).toBe(true);
  });

  it("posts a Teams workflow body: a message with one Adaptive Card attachment", async () => {
    const teams = await createChannel(
      t.db,
      admin,
      { kind: "teams", name: "Access reviews (Teams)", url: `${hook.url}/workflows/abc/triggers/manual/paths/invoke?sig=TeamsSig123`, events: ["digest"] },
      { env: env() },
    );
    hook.requests.length = 0;
    answers = [{ status: 202, text: "" }];
    expect(await testChannel(t.db, admin, teams.id, { env: env(), policy })).toMatchObject({ ok: true });
    const body = JSON.parse(hook.requests[0]!.body) as {
      type: string;
      attachments: { contentType: string; content: { type: string; version: string; body: unknown[]; actions: { type: string; url: string }[] } }[];
    };
    expect(body.type).toBe("message");
    expect(body.attachments).toHaveLength(1);
    expect(body.attachments[0]!.contentType).toBe("application/vnd.microsoft.card.adaptive");
    expect(body.attachments[0]!.content).toMatchObject({
      type: "AdaptiveCard",
      actions: [{ type: "Action.OpenUrl", url: "https://attest.northwind.example/campaigns/inbox" }],
    });
    expect(teams.host).toBe(`127.0.0.1:${hook.port}`);
    expect(JSON.stringify(teams)).not.toContain("TeamsSig123");
    await updateChannel(t.db, admin, teams.id, { enabled: false }, { env: env() });
    await deleteChannel(t.db, admin, teams.id);
    expect((await listChannels(t.db, admin)).map((c) => c.id)).not.toContain(teams.id);
    expect((await auditOf(t.db, "notification.channel.delete", teams.id)).length).toBe(1);
  });
});

describe("opting out", () => {
  it("a reviewer who opted out of digests gets none (skipped, with the reason), but still gets overdue notices and escalations", async () => {
    expect(await getPreferences(t.db, priya)).toMatchObject({ digestOptOut: false });
    expect(await updatePreferences(t.db, priya, { digestOptOut: true })).toMatchObject({ digestOptOut: true });
    expect((await auditOf(t.db, "notification.preferences.update", priya.id)).length).toBe(1);
    await expect(updatePreferences(t.db, priya, { digestOptOut: "yes" })).rejects.toMatchObject({ code: "validation" });

    const c = await launched(t.db, chloe, {
      name: "opted out",
      scope: { edgeKinds: ["connects_to"], targets: [github] },
      fallbackReviewer: "omar@northwind.example",
    });
    await recordDigests(t.db, c.id);
    await dispatchNotifications(t.db, { env: env() });
    const digests = await deliveriesOf(c.id);
    const priyas = digests.filter((d) => d.recipientId === priya.id);
    expect(priyas.map((d) => [d.channel, d.status, d.reason]).sort()).toEqual([
      ["email", "skipped", "the recipient opted out of digests"],
      ["slack", "skipped", "the recipient opted out of digests"],
    ]);
    expect(digests.filter((d) => d.recipientId !== priya.id).every((d) => d.status === "pending")).toBe(true);

    const now = new Date(Date.parse(c.dueAt) + 8 * DAY);
    await runReminders(t.db, chloe, { now });
    await dispatchNotifications(t.db, { env: env(), now });
    const later = await t.db
      .select({ kind: campaignNotifications.kind, status: notificationDeliveries.status, channel: notificationDeliveries.channel })
      .from(notificationDeliveries)
      .innerJoin(campaignNotifications, eq(campaignNotifications.id, notificationDeliveries.notificationId))
      .where(and(eq(notificationDeliveries.campaignId, c.id), eq(campaignNotifications.reviewerId, priya.id)));
    const overdue = later.filter((r) => r.kind === "overdue");
    const escalations = later.filter((r) => r.kind === "escalation");
    expect(overdue.length).toBeGreaterThan(0);
    expect(escalations.length).toBeGreaterThan(0);
    expect([...overdue, ...escalations].every((r) => r.status === "pending")).toBe(true);

    mails.length = 0;
    const [od] = await t.db
      .select({ id: notificationDeliveries.id })
      .from(notificationDeliveries)
      .innerJoin(campaignNotifications, eq(campaignNotifications.id, notificationDeliveries.notificationId))
      .where(
        and(
          eq(notificationDeliveries.campaignId, c.id),
          eq(campaignNotifications.kind, "overdue"),
          eq(notificationDeliveries.recipientId, priya.id),
          eq(notificationDeliveries.channel, "email"),
        ),
      );
    expect(await attemptDelivery(t.db, od!.id, { env: env(), policy })).toMatchObject({ status: "sent" });
    expect(mails[0]!.rcpt).toEqual(["priya@northwind.example"]);
    expect(mails[0]!.parsed.subject).toMatch(/^\[Attest\] Overdue: 5 items to review in "opted out"/);
    await updatePreferences(t.db, priya, { digestOptOut: false });
  });
});

describe("test e-mail", () => {
  it("goes to the admin's own address; refused (409) without SMTP settings", async () => {
    mails.length = 0;
    const r = await testEmail(t.db, admin, { env: env() });
    expect(r).toMatchObject({ ok: true, reason: null });
    expect(mails).toHaveLength(1);
    expect(mails[0]!.rcpt).toEqual([r.to]);
    expect(mails[0]!.parsed.subject).toBe("[Attest] Test message");
    await expect(testEmail(t.db, admin, { env: noSmtp() })).rejects.toMatchObject({ code: "conflict" });
    await expect(testEmail(t.db, chloe, { env: env() })).rejects.toMatchObject({ code: "forbidden" });
  });
});

describe("the launch hook", () => {
  it("is registered by lib/notifications/jobs and only enqueues (no engine here: nothing is recorded inline)", async () => {
    const hooks = (globalThis as { __attestAfterLaunch?: Map<string, unknown> }).__attestAfterLaunch;
    expect(hooks?.has("notifications.digest")).toBe(true);
    const c = await launched(t.db, chloe, {
      name: "hook only",
      scope: { edgeKinds: ["connects_to"], targets: [github] },
      fallbackReviewer: "omar@northwind.example",
    });
    expect(await t.db.select().from(campaignNotifications).where(eq(campaignNotifications.campaignId, c.id))).toEqual([]);
  });
});

describe("the jobs", () => {
  it("notifications.digest records and dispatches a launched campaign's digests; notifications.deliver sends one; dispatch picks up the rest", async () => {
    for (const [k, v] of Object.entries(env())) vi.stubEnv(k, v!);
    try {
      const c = await launched(t.db, chloe, {
        name: "by the jobs",
        scope: { edgeKinds: ["connects_to"], targets: [github] },
        fallbackReviewer: "omar@northwind.example",
      });
      const run = async (name: string, data: object) => {
        const h = registeredHandlers().get(name)!;
        await h.fn(data, { db: t.db, jobId: "test", name, attempt: 0 });
      };
      await run(NOTIFY_DIGEST, { campaignId: c.id });
      const rows = await deliveriesOf(c.id);
      expect(rows.filter((d) => d.channel === "email").map((d) => d.status)).toEqual(["pending", "pending"]);
      mails.length = 0;
      const priyaMail = rows.find((d) => d.channel === "email" && d.recipientId === priya.id)!;
      await run(NOTIFY_DELIVER, { deliveryId: priyaMail.id });
      expect(mails.map((m) => m.rcpt)).toEqual([["priya@northwind.example"]]);
      const [after] = await t.db.select().from(notificationDeliveries).where(eq(notificationDeliveries.id, priyaMail.id));
      expect(after).toMatchObject({ status: "sent", attempts: 1 });
      // A malformed job does nothing; the dispatch job is idempotent.
      await run(NOTIFY_DIGEST, {});
      await run(NOTIFY_DISPATCH, {});
      expect(await deliveriesOf(c.id)).toHaveLength(rows.length);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
