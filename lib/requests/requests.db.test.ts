import type { AddressInfo } from "node:net";
import { and, eq, sql } from "drizzle-orm";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { seedDemoAccessRequests } from "@/db/seed/demo-access-requests";
import { buildDemoOrg } from "@/db/seed/demo-org";
import { seedGraph } from "@/db/seed/seed";
import { accessRequests, appUsers, auditEvents, edges, nodes, pdpPolicies, sources } from "@/db/schema";
import type { Actor } from "@/lib/authz/actor";
import { readPdpStateVersion } from "@/lib/db/pdp-state";
import { AppError } from "@/lib/errors";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { newId } from "@/lib/ids";
import { registeredHandlers, registeredSchedules } from "@/lib/jobs/registry";
import { createApiToken } from "@/lib/admin/api-tokens";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { decideAccessRequest } from "./decide";
import { expireAccessRequests } from "./expire";
import { REQUESTS_EXPIRE, REQUESTS_NOTIFY } from "./jobs";
import { notifyNewAccessRequests } from "./notify";
import { getAccessRequest, listAccessRequests, requestsQuerySchema } from "./queries";

/**
 * Access requests on the demo organisation: the rows the decision point (lib/pdp) would open are written here as it
 * writes them; deciding, separation of duties, expiry and notifications go through this area's real functions, with a
 * real SMTP server (smtp-server) on 127.0.0.1 receiving the mail.
 */

const MIN = 60_000;
let t: TestDatabase;
let priya: Actor; // reviewer, business owner of the engineering filesystem server: the demo approver
let claire: Actor; // reviewer; Finance Close Copilot acts for her
let samir: Actor; // admin
let node: (externalId: string) => Promise<string>;
let smtp: SMTPServer;
let smtpPort = 0;
const mails: { rcpt: string[]; parsed: ParsedMail }[] = [];
const env = (): NodeJS.ProcessEnv => ({
  NODE_ENV: "test",
  ATTEST_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
  ATTEST_MAIL_FROM: "Attest <attest@northwind.example>",
  ATTEST_PUBLIC_URL: "https://attest.northwind.example/",
});

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  await seedGraph(t.db, buildDemoOrg());
  priya = await actorByEmail(t, "priya@northwind.example");
  claire = await actorByEmail(t, "claire@northwind.example");
  samir = await actorByEmail(t, "samir@northwind.example");
  // Agents and tools by external id; people as the demo links them: the demo users' own nodes, and the principals
  // agents act for (Mei for her Cursor agent, Lucas for his Claude assistant).
  const people: Record<string, string> = { priya: priya.humanNodeId!, claire: claire.humanNodeId! };
  for (const [person, agent] of [
    ["mei", "agt-mei-cursor"],
    ["lucas", "agt-lucas-claude"],
  ] as const) {
    const [a] = await t.db.select({ id: nodes.id }).from(nodes).where(eq(nodes.externalId, agent));
    const [e] = await t.db
      .select({ to: edges.toId })
      .from(edges)
      .where(and(eq(edges.kind, "acts_for"), eq(edges.fromId, a!.id)));
    people[person] = e!.to;
  }
  node = async (ref) => {
    if (people[ref]) return people[ref];
    const [n] = await t.db.select({ id: nodes.id }).from(nodes).where(eq(nodes.externalId, ref));
    if (!n) throw new Error(`no node ${ref}`);
    return n.id;
  };
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
});
afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await t.cleanup();
});

// Each test starts from no requests and no policy; the graph stays.
beforeEach(async () => {
  await t.db.delete(accessRequests);
  await t.db.delete(pdpPolicies);
  mails.length = 0;
});

interface Open {
  subject: string;
  tool?: string;
  actingFor?: string | null;
  approver?: Actor | null;
  expiresInMin?: number;
  createdAt?: Date;
}

/** A pending request as the decision point opens it (its contract: status pending, approver an app user or null). */
async function openRequest(o: Open) {
  const id = newId("areq");
  const now = Date.now();
  const [row] = await t.db
    .insert(accessRequests)
    .values({
      id,
      subjectId: await node(o.subject),
      actingForId: o.actingFor ? await node(o.actingFor) : null,
      toolId: await node(o.tool ?? "filesystem-eng/write_file"),
      action: "tools/call",
      reasonCode: "destructive_tool",
      approverId: o.approver === null ? null : (o.approver ?? priya).id,
      requestExpiresAt: new Date(now + (o.expiresInMin ?? 60) * MIN),
      createdAt: o.createdAt ?? new Date(now),
    })
    .returning();
  return row!;
}

async function failure(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}

const audits = async (action: string) => t.db.select().from(auditEvents).where(eq(auditEvents.action, action));

describe("deciding an access request", () => {
  it("an approval grants for the asked time, cut to the policy's jit.grantMinutes, audits and bumps pdp_state in the same transaction", async () => {
    await t.db.insert(pdpPolicies).values({ version: 1, policy: { jit: { grantMinutes: 240 } }, changedBy: "test" });
    const req = await openRequest({ subject: "agt-mei-cursor" });
    const before = await readPdpStateVersion(t.db);
    const now = new Date("2026-12-06T08:00:00Z");
    await t.db
      .update(accessRequests)
      .set({ requestExpiresAt: new Date(now.getTime() + 60 * MIN) })
      .where(eq(accessRequests.id, req.id));
    const view = await decideAccessRequest(t.db, priya, req.id, { decision: "approve", grantMinutes: 480, note: "runbook update", version: 1 }, { now });
    expect(view.status).toBe("approved");
    expect(view.grantExpiresAt).toBe(new Date(now.getTime() + 240 * MIN).toISOString());
    expect(view.decidedBy?.email).toBe("priya@northwind.example");
    expect(view.version).toBe(2);
    expect(await readPdpStateVersion(t.db)).toBe(before + 1);
    const [ev] = (await audits("access_request.approve")).filter((e) => e.targetId === req.id);
    expect(ev?.actorId).toBe(priya.id);
    expect(ev?.after).toMatchObject({ status: "approved", grantMinutes: 240, grantMinutesAsked: 480, note: "runbook update", version: 2 });
  });

  it("without a policy row an approval grants the default 60 minutes, and a shorter choice is kept", async () => {
    const a = await openRequest({ subject: "agt-mei-cursor" });
    const b = await openRequest({ subject: "agt-mei-cursor", tool: "filesystem-eng/move_file" });
    const now = new Date();
    const va = await decideAccessRequest(t.db, priya, a.id, { decision: "approve", version: 1 }, { now });
    const vb = await decideAccessRequest(t.db, priya, b.id, { decision: "approve", grantMinutes: 15, version: 1 }, { now });
    expect(Date.parse(va.grantExpiresAt!) - now.getTime()).toBe(60 * MIN);
    expect(Date.parse(vb.grantExpiresAt!) - now.getTime()).toBe(15 * MIN);
  });

  it("a deny records the note, grants nothing, audits and bumps pdp_state", async () => {
    const req = await openRequest({ subject: "agt-mei-cursor" });
    const before = await readPdpStateVersion(t.db);
    const view = await decideAccessRequest(t.db, priya, req.id, { decision: "deny", note: "use the read-only tools", version: 1 });
    expect(view).toMatchObject({ status: "denied", grantExpiresAt: null, decisionNote: "use the read-only tools" });
    expect(await readPdpStateVersion(t.db)).toBe(before + 1);
    expect((await audits("access_request.deny")).some((e) => e.targetId === req.id)).toBe(true);
  });

  it("a decision on a stale version answers 409 and changes nothing", async () => {
    const req = await openRequest({ subject: "agt-mei-cursor" });
    await decideAccessRequest(t.db, priya, req.id, { decision: "approve", version: 1 });
    const e = await failure(decideAccessRequest(t.db, priya, req.id, { decision: "deny", version: 1 }));
    expect(e.status).toBe(409);
    expect(e.details[0]?.path).toBe("version");
    const [row] = await t.db.select().from(accessRequests).where(eq(accessRequests.id, req.id));
    expect(row).toMatchObject({ status: "approved", version: 2 });
  });

  it("of two concurrent decisions on one version exactly one wins", async () => {
    const req = await openRequest({ subject: "agt-mei-cursor" });
    const results = await Promise.allSettled([
      decideAccessRequest(t.db, priya, req.id, { decision: "approve", version: 1 }),
      decideAccessRequest(t.db, priya, req.id, { decision: "deny", version: 1 }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const lost = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect((lost.reason as AppError).status).toBe(409);
  });

  it("a pending request past its request_expires_at cannot be approved (409), even before the expiry job ran", async () => {
    const req = await openRequest({ subject: "agt-mei-cursor", expiresInMin: -1 });
    const e = await failure(decideAccessRequest(t.db, priya, req.id, { decision: "approve", version: 1 }));
    expect(e.status).toBe(409);
    expect(e.message).toMatch(/expired/);
    expect((await t.db.select().from(accessRequests).where(eq(accessRequests.id, req.id)))[0]?.status).toBe("pending");
  });

  it("a request already decided cannot be decided again", async () => {
    const req = await openRequest({ subject: "agt-mei-cursor" });
    const v = await decideAccessRequest(t.db, priya, req.id, { decision: "deny", version: 1 });
    const e = await failure(decideAccessRequest(t.db, priya, req.id, { decision: "approve", version: v.version }));
    expect(e.status).toBe(409);
  });
});

describe("separation of duties and who may see a request", () => {
  it("the subject's own user cannot decide a request for their own access (403)", async () => {
    const req = await openRequest({ subject: "priya", approver: priya });
    const e = await failure(decideAccessRequest(t.db, priya, req.id, { decision: "approve", version: 1 }));
    expect(e.status).toBe(403);
    expect(e.message).toMatch(/separation of duties/);
  });

  it("the user of the principal the subject acts for cannot decide, whether the call named the principal or only the graph says so", async () => {
    const named = await openRequest({ subject: "agt-finance-copilot", actingFor: "claire", approver: claire, tool: "filesystem-finance/write_file" });
    const graphOnly = await openRequest({ subject: "agt-finance-copilot", approver: claire, tool: "filesystem-finance/move_file" });
    for (const r of [named, graphOnly]) {
      const e = await failure(decideAccessRequest(t.db, claire, r.id, { decision: "approve", version: 1 }));
      expect(e.status).toBe(403);
      expect(e.message).toMatch(/separation of duties/);
    }
  });

  it("nobody decides for an identity linked to them (identity links, same_as)", async () => {
    const [src] = await t.db.select({ id: sources.id }).from(sources).limit(1);
    const claireNode = await node("claire");
    const other = await node("lucas");
    const edgeId = newId("edg");
    await t.db.insert(edges).values({ id: edgeId, kind: "same_as", sourceId: src!.id, externalId: `test-link-${edgeId}`, fromId: claireNode, toId: other });
    try {
      const req = await openRequest({ subject: "lucas", approver: claire });
      const e = await failure(decideAccessRequest(t.db, claire, req.id, { decision: "approve", version: 1 }));
      expect(e.status).toBe(403);
    } finally {
      await t.db.delete(edges).where(eq(edges.id, edgeId));
    }
  });

  it("a reviewer who is not the approver neither sees nor decides the request: it answers like one that does not exist", async () => {
    const req = await openRequest({ subject: "agt-mei-cursor", approver: priya });
    const seen = await failure(getAccessRequest(t.db, claire, req.id));
    const missing = await failure(getAccessRequest(t.db, claire, "areq_does_not_exist"));
    expect([seen.status, seen.message]).toEqual([missing.status, missing.message]);
    expect(seen.status).toBe(404);
    expect((await failure(decideAccessRequest(t.db, claire, req.id, { decision: "approve", version: 1 }))).status).toBe(404);
    expect((await listAccessRequests(t.db, claire, requestsQuerySchema.parse({}))).items).toEqual([]);
  });

  it("a request naming no approver is any admin's; an admin sees another approver's request but may not decide it", async () => {
    const anyAdmin = await openRequest({ subject: "agt-mei-cursor", approver: null });
    const priyas = await openRequest({ subject: "agt-mei-cursor", tool: "filesystem-eng/move_file", approver: priya });
    const inbox = await listAccessRequests(t.db, samir, requestsQuerySchema.parse({}));
    expect(inbox.items.map((i) => i.id)).toEqual([anyAdmin.id]);
    const all = await listAccessRequests(t.db, samir, requestsQuerySchema.parse({ all: "true" }));
    expect(all.items.map((i) => i.id).sort()).toEqual([anyAdmin.id, priyas.id].sort());
    expect((await failure(decideAccessRequest(t.db, samir, priyas.id, { decision: "approve", version: 1 }))).status).toBe(403);
    expect((await decideAccessRequest(t.db, samir, anyAdmin.id, { decision: "approve", version: 1 })).status).toBe("approved");
    // A reviewer may not widen their view.
    expect((await failure(listAccessRequests(t.db, priya, requestsQuerySchema.parse({ all: "true" })))).status).toBe(403);
    // Nor see a request naming no approver.
    expect((await failure(getAccessRequest(t.db, priya, anyAdmin.id))).status).toBe(404);
  });
});

describe("the inbox list and the detail", () => {
  it("lists the approver's requests newest first, by status, in pages", async () => {
    const base = Date.now();
    const made = [];
    for (const [n, tool] of ["filesystem-eng/write_file", "filesystem-eng/move_file", "filesystem-eng/edit_file"].entries())
      made.push(await openRequest({ subject: "agt-mei-cursor", tool, createdAt: new Date(base - n * MIN) }));
    await decideAccessRequest(t.db, priya, made[2]!.id, { decision: "deny", version: 1 });
    const first = await listAccessRequests(t.db, priya, requestsQuerySchema.parse({ limit: "1" }));
    expect(first.total).toBe(2);
    expect(first.items.map((i) => i.id)).toEqual([made[0]!.id]);
    const second = await listAccessRequests(t.db, priya, requestsQuerySchema.parse({ limit: "1", cursor: first.nextCursor! }));
    expect(second.items.map((i) => i.id)).toEqual([made[1]!.id]);
    expect(second.nextCursor).toBeNull();
    const denied = await listAccessRequests(t.db, priya, requestsQuerySchema.parse({ status: "denied" }));
    expect(denied.items.map((i) => i.id)).toEqual([made[2]!.id]);
    expect(first.grant).toEqual({ limitMinutes: 60, choices: [15, 60] });
  });

  it("the detail names subject, acting-for, tool with its server and risk, why, and the access path from the nodes", async () => {
    const req = await openRequest({ subject: "agt-mei-cursor", actingFor: "mei" });
    const d = await getAccessRequest(t.db, priya, req.id);
    expect(d.subject).toMatchObject({ kind: "agent", name: "Mei's Cursor agent" });
    expect(d.actingFor?.kind).toBe("human");
    expect(d.tool).toMatchObject({ kind: "tool", name: "write_file", risk: "critical" });
    expect(d.tool.server?.name).toBeTruthy();
    expect(d.why).toMatch(/destructive/);
    expect(d.path?.nodes[0]?.id).toBe(req.subjectId);
    expect(d.path?.nodes.at(-1)?.id).toBe(req.toolId);
    expect(d.path?.nodes.every((n) => n.name && n.name !== n.id)).toBe(true);
  });
});

describe("bad input", () => {
  it.each([
    [{ decision: "maybe", version: 1 }, "decision"],
    [{ decision: "approve" }, "version"],
    [{ decision: "approve", version: "one" }, "version"],
    [{ decision: "approve", version: 1, grantMinutes: 0 }, "grantMinutes"],
    [{ decision: "approve", version: 1, grantMinutes: 1441 }, "grantMinutes"],
    [{ decision: "deny", version: 1, grantMinutes: 60 }, "grantMinutes"],
    [{ decision: "approve", version: 1, note: 42 }, "note"],
    [{ decision: "approve", version: 1, decidedBy: "someone-else" }, "decidedBy"],
  ])("%j answers 400 naming %s, without quoting the value", async (body, path) => {
    const req = await openRequest({ subject: "agt-mei-cursor" });
    const e = await failure(decideAccessRequest(t.db, priya, req.id, body));
    expect(e.status).toBe(400);
    expect(e.details.map((d) => d.path)).toContain(path);
    expect(e.message).not.toContain("maybe");
    expect(e.message).not.toContain("someone-else");
  });

  it("a bad list query answers 400 naming the parameter", () => {
    for (const [q, path] of [
      [{ status: "open" }, "status"],
      [{ limit: "0" }, "limit"],
      [{ all: "yes" }, "all"],
      [{ colour: "red" }, "colour"],
    ] as const) {
      const r = requestsQuerySchema.safeParse(q);
      expect(r.success).toBe(false);
      expect(JSON.stringify(r.error?.issues)).toContain(path);
    }
  });
});

describe("the expiry job", () => {
  it("expires undecided requests and ended grants, in one audited batch with one pdp_state bump; a second run changes nothing", async () => {
    const late = await openRequest({ subject: "agt-mei-cursor", expiresInMin: -5 });
    const fresh = await openRequest({ subject: "agt-mei-cursor", tool: "filesystem-eng/edit_file", expiresInMin: 30 });
    const granted = await openRequest({ subject: "agt-mei-cursor", tool: "filesystem-eng/move_file" });
    const past = new Date(Date.now() - 2 * 60 * MIN);
    await decideAccessRequest(t.db, priya, granted.id, { decision: "approve", grantMinutes: 15, version: 1 }, { now: past });
    const live = await openRequest({ subject: "agt-lucas-claude" });
    await decideAccessRequest(t.db, priya, live.id, { decision: "approve", version: 1 });
    const eventsBefore = (await audits("access_request.expire")).length;
    const before = await readPdpStateVersion(t.db);

    const r = await expireAccessRequests(t.db);
    expect(r).toEqual({ requests: [late.id], grants: [granted.id], more: false });
    expect(await readPdpStateVersion(t.db)).toBe(before + 1);
    const events = await audits("access_request.expire");
    expect(events).toHaveLength(eventsBefore + 1);
    expect(events.at(-1)?.after).toMatchObject({ requests: [late.id], grants: [granted.id] });
    const status = async (id: string) => (await t.db.select().from(accessRequests).where(eq(accessRequests.id, id)))[0]?.status;
    expect([await status(late.id), await status(granted.id), await status(fresh.id), await status(live.id)]).toEqual([
      "expired",
      "expired",
      "pending",
      "approved",
    ]);

    expect(await expireAccessRequests(t.db)).toEqual({ requests: [], grants: [], more: false });
    expect(await readPdpStateVersion(t.db)).toBe(before + 1);
  });

  it("works in bounded batches: a full batch says more, the next run takes the rest", async () => {
    const ids = [];
    for (const tool of ["filesystem-eng/write_file", "filesystem-eng/move_file", "filesystem-eng/edit_file"])
      ids.push((await openRequest({ subject: "agt-mei-cursor", tool, expiresInMin: -1 })).id);
    const first = await expireAccessRequests(t.db, { batch: 2 });
    expect(first.requests).toHaveLength(2);
    expect(first.more).toBe(true);
    const second = await expireAccessRequests(t.db, { batch: 2 });
    expect([...first.requests, ...second.requests].sort()).toEqual(ids.sort());
    expect(second.more).toBe(false);
  });

  it("is registered as a job every minute, with the notifier", () => {
    expect(registeredHandlers().has(REQUESTS_EXPIRE)).toBe(true);
    expect(registeredHandlers().has(REQUESTS_NOTIFY)).toBe(true);
    const crons = Object.fromEntries(registeredSchedules().map((s) => [s.name, s.cron]));
    expect(crons[REQUESTS_EXPIRE]).toBe("* * * * *");
    expect(crons[REQUESTS_NOTIFY]).toBe("* * * * *");
  });
});

describe("notifications", () => {
  it("tells the approver of a new pending request once, by e-mail naming the subject and tool and linking the inbox", async () => {
    const req = await openRequest({ subject: "agt-mei-cursor", actingFor: "mei" });
    const r = await notifyNewAccessRequests(t.db, { env: env() });
    expect(r.requests).toEqual([req.id]);
    expect(r.recipients).toEqual([{ userId: priya.id, email: "priya@northwind.example", requests: 1, status: "sent", reason: null }]);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.rcpt).toEqual(["priya@northwind.example"]);
    expect(mails[0]!.parsed.subject).toBe("Access request: Mei's Cursor agent asks to call write_file");
    expect(mails[0]!.parsed.text).toContain("https://attest.northwind.example/campaigns/inbox");
    expect(mails[0]!.parsed.text).toContain("acting for");

    const again = await notifyNewAccessRequests(t.db, { env: env() });
    expect(again).toEqual({ requests: [], recipients: [] });
    expect(mails).toHaveLength(1);
    const [row] = await t.db.select().from(accessRequests).where(eq(accessRequests.id, req.id));
    expect(row?.notifiedAt).toBeInstanceOf(Date);
  });

  it("a request naming no approver goes to every active admin; decided and expired requests are not announced", async () => {
    const anyAdmin = await openRequest({ subject: "agt-mei-cursor", approver: null });
    const decided = await openRequest({ subject: "agt-mei-cursor", tool: "filesystem-eng/move_file" });
    await decideAccessRequest(t.db, priya, decided.id, { decision: "deny", version: 1 });
    await openRequest({ subject: "agt-mei-cursor", tool: "filesystem-eng/edit_file", expiresInMin: -1 });
    const admins = await t.db.execute(
      sql`select u.email from app_users u join app_user_roles r on r.user_id = u.id where r.role = 'admin' and u.status = 'active' order by u.email`,
    );
    const adminEmails = (admins as unknown as { rows: { email: string }[] }).rows.map((x) => x.email);
    const r = await notifyNewAccessRequests(t.db, { env: env() });
    expect(r.requests).toEqual([anyAdmin.id]);
    expect(r.recipients.map((x) => x.email).sort()).toEqual(adminEmails);
    expect(mails.flatMap((m) => m.rcpt).sort()).toEqual(adminEmails);
  });

  it("without e-mail configured requests are still claimed (no stale backlog later) and reported skipped", async () => {
    await openRequest({ subject: "agt-mei-cursor" });
    const r = await notifyNewAccessRequests(t.db, { env: { NODE_ENV: "test" } });
    expect(r.recipients[0]).toMatchObject({ status: "skipped" });
    expect(r.recipients[0]!.reason).toMatch(/not configured/);
    expect(await notifyNewAccessRequests(t.db, { env: env() })).toEqual({ requests: [], recipients: [] });
    expect(mails).toHaveLength(0);
  });
});

describe("an approver who can no longer decide", () => {
  it("hands the request to the admins: their inbox lists it, an admin may decide it, and the admins are told", async () => {
    const req = await openRequest({ subject: "agt-mei-cursor", approver: claire });
    expect((await listAccessRequests(t.db, samir, requestsQuerySchema.parse({}))).items).toEqual([]);
    expect((await failure(decideAccessRequest(t.db, samir, req.id, { decision: "approve", version: 1 }))).status).toBe(403);
    await t.db.update(appUsers).set({ status: "disabled" }).where(eq(appUsers.id, claire.id));
    try {
      const n = await notifyNewAccessRequests(t.db, { env: env() });
      expect(n.recipients.map((x) => x.userId)).toContain(samir.id);
      expect(n.recipients.map((x) => x.userId)).not.toContain(claire.id);
      expect((await listAccessRequests(t.db, samir, requestsQuerySchema.parse({}))).items.map((i) => i.id)).toEqual([req.id]);
      expect((await decideAccessRequest(t.db, samir, req.id, { decision: "deny", note: "approver left", version: 1 })).status).toBe("denied");
    } finally {
      await t.db.update(appUsers).set({ status: "active" }).where(eq(appUsers.id, claire.id));
    }
  });
});

describe("over HTTP (the thin routes)", () => {
  const call = async (file: string, method: "GET" | "POST", url: string, token: string, params: Record<string, string>, body?: unknown) => {
    const mod = (await import(/* @vite-ignore */ file)) as Record<string, (req: Request, ctx: unknown) => Promise<Response>>;
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, "x-forwarded-for": `requests-test:${method}:${url}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await mod[method]!(new Request(`http://attest.test${url}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }), {
      params: Promise.resolve(params),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const ITEM = "@/app/api/v1/access-requests/[id]/route";
  const DECISION = "@/app/api/v1/access-requests/[id]/decision/route";
  const LIST = "@/app/api/v1/access-requests/route";

  it("answers 404 alike for another approver's request and a missing one, 400 naming the field for a bad body, 200 for the approver", async () => {
    useAsAppDatabase(t);
    const tokenOf = async (a: Actor) => (await createApiToken(t.db, samir, { name: `test ${a.name}`, userId: a.id, roles: ["reviewer"] })).token;
    const [priyaToken, claireToken] = [await tokenOf(priya), await tokenOf(claire)];
    const req = await openRequest({ subject: "agt-mei-cursor" });
    const other = await call(ITEM, "GET", `/api/v1/access-requests/${req.id}`, claireToken, { id: req.id });
    const missing = await call(ITEM, "GET", "/api/v1/access-requests/areq_nope", claireToken, { id: "areq_nope" });
    expect(other.status).toBe(404);
    expect((other.body.error as { message: string }).message).toBe((missing.body.error as { message: string }).message);
    const bad = await call(DECISION, "POST", `/api/v1/access-requests/${req.id}/decision`, priyaToken, { id: req.id }, { decision: "sure", version: 1 });
    expect(bad.status).toBe(400);
    const err = bad.body.error as { message: string; details: { path: string }[] };
    expect(err.details.map((d) => d.path)).toEqual(["decision"]);
    expect(err.message).not.toContain("sure");
    const list = await call(LIST, "GET", "/api/v1/access-requests?status=pending", priyaToken, {});
    expect(list.status).toBe(200);
    expect((list.body.items as { id: string }[]).map((i) => i.id)).toEqual([req.id]);
    const ok = await call(
      DECISION,
      "POST",
      `/api/v1/access-requests/${req.id}/decision`,
      priyaToken,
      { id: req.id },
      { decision: "approve", grantMinutes: 15, version: 1 },
    );
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ id: req.id, status: "approved", version: 2 });
    const stale = await call(DECISION, "POST", `/api/v1/access-requests/${req.id}/decision`, priyaToken, { id: req.id }, { decision: "deny", version: 1 });
    expect(stale.status).toBe(409);
  });
});

describe("the demo seed", () => {
  it("leaves two pending requests of destructive tools for the demo reviewer, which she may decide", async () => {
    const ids = await seedDemoAccessRequests(t.db);
    const inbox = await listAccessRequests(t.db, priya, requestsQuerySchema.parse({}));
    expect(inbox.items.map((i) => i.id).sort()).toEqual([...ids].sort());
    expect(inbox.items.every((i) => i.tool.risk === "critical" && i.subject.kind === "agent")).toBe(true);
    const v = await decideAccessRequest(t.db, priya, ids[0]!, { decision: "approve", grantMinutes: 15, version: 1 });
    expect(v.status).toBe("approved");
  });
});
