import { and, count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as evaluationPost } from "@/app/access/v1/evaluation/route";
import { POST as evaluationsPost } from "@/app/access/v1/evaluations/route";
import { POST as resourceSearchPost } from "@/app/access/v1/search/resource/route";
import { POST as subjectSearchPost } from "@/app/access/v1/search/subject/route";
import { GET as policyGet, PUT as policyPut } from "@/app/api/v1/pdp/policy/route";
import { accessRequests, auditEvents } from "@/db/schema";
import { createApiToken, revokeApiToken } from "@/lib/admin/api-tokens";
import type { Actor } from "@/lib/authz/actor";
import { decideItem } from "@/lib/campaigns/decide-item";
import { listMyItems } from "@/lib/campaigns/queries";
import { launched } from "@/lib/campaigns/test-helpers";
import { bumpPdpState, readPdpStateVersion } from "@/lib/db/pdp-state";
import { clearAccessCache, getAccessIndex } from "@/lib/graph/access-cache";
import { notifyGraphChanged } from "@/lib/graph/after-change";
import { bumpGraphVersion } from "@/lib/graph/version";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { takeDecisions } from "@/lib/usage/decision-log";
import { accessEvaluation } from "./authzen";
import { clearPdpTokenCache } from "./http";
import { loadGraphFacts } from "./load-state";
import { pdpRuntimeStats, pdpSnapshot } from "./runtime";
import { callRoute, gatewayWorld, importGateway, type GatewayWorld } from "./test-fixture";

let t: TestDatabase;
let w: GatewayWorld;
let analyst: Actor;
let olga: Actor;

beforeAll(async () => {
  t = await createTestDatabase();
  clearAccessCache();
  useAsAppDatabase(t);
  w = await gatewayWorld(t);
  analyst = await actorByEmail(t, "ana@example.com");
  olga = await actorByEmail(t, "olga@example.com");
}, 120_000);
afterAll(() => t.cleanup());

/**
 * Waits until this instance's decision point has heard of every decision-state change committed so far (the
 * notification, or the poll when it is lost), then lets node facts catch up with the graph. Decisions themselves are
 * answered from memory, as in production.
 */
async function caughtUp(): Promise<void> {
  const v = await readPdpStateVersion(t.db);
  await vi.waitFor(() => expect(pdpRuntimeStats(t.db).known).toBeGreaterThanOrEqual(v), { timeout: 5000, interval: 5 });
  await pdpSnapshot(t.db, { fresh: true });
}

const toolCall = (tool: string, subject = w.ids.agent) => ({
  subject: { type: "agent", id: subject },
  action: { name: "tools/call" },
  resource: { type: "tool", id: tool },
});
async function decide(body: unknown, token = w.tokens.pdp, headers: Record<string, string> = {}) {
  return callRoute(evaluationPost, "/access/v1/evaluation", { token, body, headers });
}

/** Launches a campaign on connects_to → srv and has olga (srv's owner, the reviewer) decide agent-x's item. */
async function campaignDecision(decision: "approve" | "revoke"): Promise<void> {
  const admin = await actorByEmail(t, "admin@example.com");
  const c = await launched(t.db, admin, {
    name: `gw ${decision} ${Date.now()}`,
    scope: { edgeKinds: ["connects_to"], targets: [w.ids.srv] },
    fallbackReviewer: "admin@example.com",
  });
  const items = (await listMyItems(t.db, olga, { status: "all", limit: 50, campaign: c.id })).items;
  const item = items.find((i) => i.subject.id === w.ids.agent);
  if (!item) throw new Error("no item for agent-x");
  await decideItem(t.db, olga, item.id, { decision, justification: "test", version: item.version });
}

describe("the decision point through its endpoints", () => {
  it("allows a read-only tool reached by a path, echoes X-Request-ID, and logs the decision", async () => {
    await caughtUp();
    takeDecisions(100_000);
    const r = await decide(toolCall(w.ids.read), w.tokens.pdp, { "x-request-id": "bfe9eb29-ab87-4ca3-be83-a1d5d8305716" });
    expect(r.status).toBe(200);
    expect(r.headers.get("x-request-id")).toBe("bfe9eb29-ab87-4ca3-be83-a1d5d8305716");
    expect(r.body).toMatchObject({ decision: true, context: { reason_code: "access_path", path: [w.ids.agent, w.ids.srv, w.ids.read] } });
    const logged = takeDecisions(100).records;
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      decision: true,
      reasonCode: "access_path",
      subjectId: w.ids.agent,
      resourceId: w.ids.read,
      requestId: expect.any(String),
    });
  });

  it("denies a terminated subject with 200 and reasons for admins and users", async () => {
    const r = await decide(toolCall(w.ids.read, w.ids.tom));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      decision: false,
      context: { reason_code: "subject_inactive", reason_admin: { en: expect.any(String) }, reason_user: { en: expect.any(String) } },
    });
  });

  it("resolves COAZ-MCP's shape: subject = the person (by claim), context.agent = the agent, the tool by name and server", async () => {
    const r = await decide({
      subject: { type: "identity", id: "alice@example.com" },
      action: { name: "tools/call" },
      resource: { type: "tool", id: "read_thing", properties: { server: "srv" } },
      context: { agent: "gw:agent:agent-x" },
    });
    expect(r.body).toMatchObject({ decision: true, context: { reason_code: "access_path" } });
  });

  it("bad input is a 400 naming the field, without quoting what was sent", async () => {
    const r = await decide({ subject: { type: "agent" }, action: { name: "tools/call" }, resource: { type: "tool", id: "secret-value-xyz" } });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: "validation", details: [{ path: "subject.id" }] });
    expect(JSON.stringify(r.body)).not.toContain("secret-value-xyz");
    const b = await callRoute(evaluationsPost, "/access/v1/evaluations", {
      token: w.tokens.pdp,
      body: { evaluations: [{ action: { name: "tools/call" }, resource: { type: "tool", id: w.ids.read } }] },
    });
    expect(b.status).toBe(400);
    expect(b.body.error).toMatchObject({ details: [{ path: "evaluations[0].subject" }] });
  });

  it("a reviewer's or auditor's token may not ask for decisions (403); a pdp token may not search (403)", async () => {
    expect((await decide(toolCall(w.ids.read), w.tokens.reviewer)).status).toBe(403);
    expect((await decide(toolCall(w.ids.read), w.tokens.auditor)).status).toBe(403);
    const s = await callRoute(resourceSearchPost, "/access/v1/search/resource", {
      token: w.tokens.pdp,
      body: { subject: { type: "agent", id: w.ids.agent }, action: { name: "tools/call" }, resource: { type: "tool" } },
    });
    expect(s.status).toBe(403);
  });

  it("resource search lists what the subject may call, paged with page.token", async () => {
    const body = { subject: { type: "agent", id: w.ids.agent }, action: { name: "tools/call" }, resource: { type: "tool" }, page: { limit: 1 } };
    const first = await callRoute(resourceSearchPost, "/access/v1/search/resource", { token: w.tokens.analyst, body });
    expect(first.status).toBe(200);
    // drop_thing needs approval: a search lists only what would be allowed now.
    expect(first.body).toMatchObject({ page: { next_token: "", count: 1, total: 1 }, results: [{ type: "tool", id: w.ids.read }] });
    const stale = await callRoute(resourceSearchPost, "/access/v1/search/resource", {
      token: w.tokens.analyst,
      body: { ...body, page: { limit: 1, token: Buffer.from("1.AAAAAAAAAAAAAAAA").toString("base64url") } },
    });
    expect(stale.status).toBe(400);
    expect(stale.body.error).toMatchObject({ details: [{ path: "page.token" }] });
  });
});

describe("subject search", () => {
  it("lists who may call a tool named as COAZ-MCP names it (name + server), leaving out a terminated person who has a path", async () => {
    const r = await callRoute(subjectSearchPost, "/access/v1/search/subject", {
      token: w.tokens.analyst,
      body: { subject: { type: "identity" }, action: { name: "tools/call" }, resource: { type: "tool", id: "read_thing", properties: { server: "srv" } } },
    });
    expect(r.status).toBe(200);
    const ids = (r.body.results as { id: string }[]).map((x) => x.id);
    expect(ids).toContain(w.ids.agent);
    expect(ids).not.toContain(w.ids.tom);
    expect(r.body.page).toMatchObject({ next_token: "" });
  });
});

describe("gateway tokens", () => {
  it("a gateway's token is trusted from memory for a few seconds; a revoked one is refused once that has passed (0 = at once)", async () => {
    const admin = await actorByEmail(t, "admin@example.com");
    const made = await createApiToken(t.db, admin, { name: "short", userId: "usr_gw", roles: ["pdp"] });
    expect((await decide(toolCall(w.ids.read), made.token)).status).toBe(200);
    await revokeApiToken(t.db, admin, made.id);
    // Within the cache window the decision path does not re-read the token…
    expect((await decide(toolCall(w.ids.read), made.token)).status).toBe(200);
    // …and without one (or once it has passed) the revoke holds.
    clearPdpTokenCache();
    process.env.ATTEST_PDP_TOKEN_CACHE_MS = "0";
    try {
      expect((await decide(toolCall(w.ids.read), made.token)).status).toBe(401);
    } finally {
      delete process.env.ATTEST_PDP_TOKEN_CACHE_MS;
    }
  });
});

describe("campaign revokes at runtime", () => {
  it("a revoke denies the next evaluation without an import; a re-import keeping or re-adding the edge stays denied; approving again allows", async () => {
    await caughtUp();
    expect((await decide(toolCall(w.ids.read))).body).toMatchObject({ decision: true });
    const before = await readPdpStateVersion(t.db);
    await campaignDecision("revoke");
    expect(await readPdpStateVersion(t.db)).toBeGreaterThan(before);
    // Heard through the feed (notification or poll): no import, no graph change.
    await vi.waitFor(() => expect(pdpRuntimeStats(t.db).known).toBeGreaterThan(before), { timeout: 5000, interval: 5 });
    expect((await decide(toolCall(w.ids.read))).body).toMatchObject({ decision: false, context: { reason_code: "access_revoked" } });

    await importGateway(t, { withAgentEdge: false });
    await importGateway(t, { withAgentEdge: true });
    await caughtUp();
    expect((await decide(toolCall(w.ids.read))).body).toMatchObject({ decision: false, context: { reason_code: "access_revoked" } });

    await campaignDecision("approve");
    await caughtUp();
    expect((await decide(toolCall(w.ids.read))).body).toMatchObject({ decision: true, context: { reason_code: "access_path" } });
  });
});

describe("step-up: approval_required and just-in-time grants", () => {
  const pending = async () =>
    (
      await t.db
        .select({ n: count() })
        .from(accessRequests)
        .where(and(eq(accessRequests.subjectId, w.ids.agent), eq(accessRequests.toolId, w.ids.drop), eq(accessRequests.status, "pending")))
    )[0]!.n;

  it("a destructive tool answers approval_required and opens exactly one pending request, for the tool's owner, audited", async () => {
    await caughtUp();
    const first = await decide(toolCall(w.ids.drop));
    expect(first.body).toMatchObject({
      decision: false,
      context: { reason: "approval_required", reason_code: "approval_required", access_request: { status: "pending", request_id: expect.any(String) } },
    });
    const second = await decide(toolCall(w.ids.drop));
    expect((second.body.context as { access_request: { request_id: string } }).access_request.request_id).toBe(
      (first.body.context as { access_request: { request_id: string } }).access_request.request_id,
    );
    expect(await pending()).toBe(1);
    const [req] = await t.db.select().from(accessRequests).where(eq(accessRequests.subjectId, w.ids.agent));
    expect(req).toMatchObject({ approverId: w.olgaUserId, reasonCode: "destructive_tool", action: "tools/call" });
    const audits = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "access_request.open"), eq(auditEvents.targetId, req!.id)));
    expect(audits).toHaveLength(1);
  });

  it("an approved, unexpired request allows the pair (jit_grant); an expired one does not", async () => {
    const [req] = await t.db.select().from(accessRequests).where(eq(accessRequests.subjectId, w.ids.agent));
    const approve = async (grantExpiresAt: Date) =>
      t.db.transaction(async (tx) => {
        await tx
          .update(accessRequests)
          .set({ status: "approved", decidedById: w.olgaUserId, decidedAt: new Date(), grantExpiresAt })
          .where(eq(accessRequests.id, req!.id));
        await bumpPdpState(tx);
      });
    await approve(new Date(Date.now() + 60 * 60_000));
    await caughtUp();
    expect((await decide(toolCall(w.ids.drop))).body).toMatchObject({ decision: true, context: { reason_code: "jit_grant" } });
    await approve(new Date(Date.now() - 1000));
    await caughtUp();
    expect((await decide(toolCall(w.ids.drop))).body).toMatchObject({ decision: false, context: { reason_code: "approval_required" } });
  });
});

describe("node facts follow the graph", () => {
  it("a person terminated by an import is denied once this instance's facts catch up, off the request path", async () => {
    await importGateway(t, { tomStatus: "active" });
    await caughtUp();
    expect((await decide(toolCall(w.ids.read, w.ids.tom))).body).toMatchObject({ decision: true });
    await importGateway(t, { tomStatus: "terminated" });
    // The first call after the import may still answer from the previous facts; it starts the reload.
    await decide(toolCall(w.ids.read, w.ids.tom));
    const { ix } = await pdpSnapshot(t.db);
    await vi.waitFor(() => expect(pdpRuntimeStats(t.db).factsGraphVersion).toBeGreaterThanOrEqual(ix.version), { timeout: 10_000, interval: 10 });
    expect((await decide(toolCall(w.ids.read, w.ids.tom))).body).toMatchObject({ decision: false, context: { reason_code: "subject_inactive" } });
  });

  it("an import that only changes people is applied from the change records, and equals a full reload", async () => {
    const deltas = pdpRuntimeStats(t.db).factDeltas;
    await importGateway(t, { tomStatus: "active" });
    await caughtUp();
    expect(pdpRuntimeStats(t.db).factDeltas).toBeGreaterThan(deltas);
    const { state } = await pdpSnapshot(t.db);
    const full = await loadGraphFacts(t.db);
    const norm = (m: Map<string, unknown>) =>
      [...m.entries()].map(([k, v]) => [k, Array.isArray(v) ? [...v].sort() : v]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    for (const key of ["nodes", "byRef", "byClaim", "toolsByName", "serversByName", "tools"] as const)
      expect(norm(state.facts[key] as Map<string, unknown>), key).toEqual(norm(full[key] as Map<string, unknown>));
    expect((await decide(toolCall(w.ids.read, w.ids.tom))).body).toMatchObject({ decision: true });
  });
});

describe("trying a decision as a person", () => {
  it("a signed-in analyst sees approval_required without opening a request in anyone's inbox", async () => {
    const total = async () => (await t.db.select({ n: count() }).from(accessRequests))[0]!.n;
    const before = await total();
    const ev = await accessEvaluation(t.db, analyst, toolCall(w.ids.drop));
    expect(ev).toMatchObject({ decision: false, context: { reason_code: "approval_required", access_request_opened: false } });
    expect(await total()).toBe(before);
  });
});

describe("the policy", () => {
  it("an admin reads it, edits it as a new version (audited, enforced), and a stale version is a 409", async () => {
    const got = await callRoute(policyGet, "/api/v1/pdp/policy", { method: "GET", token: w.tokens.admin });
    expect(got.status).toBe(200);
    const version = got.body.version as number;
    const put = await callRoute(policyPut, "/api/v1/pdp/policy", {
      method: "PUT",
      token: w.tokens.admin,
      body: {
        version,
        policy: { defaults: { destructive: "deny", unknownAnnotations: "allow_with_log", openWorld: "allow_with_log", ownerGone: "allow" } },
        reason: "lock down",
      },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ version: version + 1, policy: { defaults: { destructive: "deny" }, jit: { grantMinutes: 60 } } });
    const audits = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "pdp.policy.update"));
    expect(audits.map((a) => a.targetId)).toContain(String(version + 1));
    await caughtUp();
    expect((await decide(toolCall(w.ids.drop))).body).toMatchObject({ decision: false, context: { reason_code: "denied_by_policy" } });

    const stale = await callRoute(policyPut, "/api/v1/pdp/policy", { method: "PUT", token: w.tokens.admin, body: { version, policy: {} } });
    expect(stale.status).toBe(409);
    const bad = await callRoute(policyPut, "/api/v1/pdp/policy", {
      method: "PUT",
      token: w.tokens.admin,
      body: { version: version + 1, policy: { jit: { grantMinutes: 5000 } } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ details: [{ path: "policy.jit.grantMinutes" }] });
    expect((await callRoute(policyGet, "/api/v1/pdp/policy", { method: "GET", token: w.tokens.analyst })).status).toBe(403);
  });

  it("ownerGone: deny refuses tools whose owner left; the defaults allow them", async () => {
    const cur = (await callRoute(policyGet, "/api/v1/pdp/policy", { method: "GET", token: w.tokens.admin })).body.version as number;
    const put = await callRoute(policyPut, "/api/v1/pdp/policy", {
      method: "PUT",
      token: w.tokens.admin,
      body: { version: cur, policy: { bySource: { gw: { ownerGone: "deny" } } } },
    });
    expect(put.status).toBe(200);
    await caughtUp();
    expect((await decide(toolCall(w.ids.read))).body).toMatchObject({ decision: true });
    // olga, srv's only owner, leaves.
    const v = await t.db.transaction(async (tx) => {
      await tx.execute(sql`update nodes set status = 'terminated' where id = ${w.ids.olga}`);
      return bumpGraphVersion(tx);
    });
    notifyGraphChanged();
    await getAccessIndex(t.db, undefined, { atLeast: v });
    await caughtUp();
    expect((await decide(toolCall(w.ids.read))).body).toMatchObject({ decision: false, context: { reason_code: "owner_gone" } });
  });

  it("an analyst may test a decision (pdp.evaluate) like a gateway", async () => {
    expect(analyst.roles).toContain("analyst");
    expect((await decide(toolCall(w.ids.read), w.tokens.analyst)).status).toBe(200);
  });
});
