import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiTokens, appUserRoles, appUsers, auditEvents } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken } from "@/lib/admin/api-tokens";
import { verifyAuditChain } from "@/lib/audit/emit-audit";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { POST as evaluation } from "@/app/access/v1/evaluation/route";
import { GET as listNodes } from "../nodes/route";
import { DELETE } from "./[id]/route";
import { GET, POST } from "./route";

let t: TestDatabase;
let adminToken: string;
let reviewerToken: string;
const noParams = { params: Promise.resolve({}) } as never;

const call = (token: string, init: RequestInit & { url?: string } = {}) =>
  new Request(init.url ?? "http://attest.test/api/v1/tokens", {
    ...init,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...(init.headers ?? {}) },
  });

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
  useAsAppDatabase(t);
  const admin = await actorByEmail(t, "admin@example.com");
  const reviewer = await actorByEmail(t, "ada@example.com");
  adminToken = (await createApiToken(t.db, admin, { name: "admin", roles: ["admin"] })).token;
  reviewerToken = (await createApiToken(t.db, admin, { name: "ada's", userId: reviewer.id, roles: ["reviewer"] })).token;
});
afterAll(() => t.cleanup());

async function tokenCount() {
  const [r] = await t.db.select({ n: count() }).from(apiTokens);
  return r!.n;
}

describe("tokens API", () => {
  it("a token without the permission gets 403 on a write, and nothing is written or audited", async () => {
    const tokens = await tokenCount();
    const events = (await verifyAuditChain(t.db)).entries;
    const r = await POST(call(reviewerToken, { method: "POST", body: JSON.stringify({ name: "x", roles: ["reviewer"] }) }), noParams);
    expect(r.status).toBe(403);
    expect((await r.json()).error.code).toBe("forbidden");
    expect(await tokenCount()).toBe(tokens);
    expect((await verifyAuditChain(t.db)).entries).toBe(events);
  });

  it("a reviewer token cannot read the graph", async () => {
    const r = await listNodes(call(reviewerToken, { url: "http://attest.test/api/v1/nodes" }), noParams);
    expect(r.status).toBe(403);
  });

  it("an admin creates a token shown once, stored only as a hash, and audited without its value", async () => {
    const r = await POST(call(adminToken, { method: "POST", body: JSON.stringify({ name: "automation", roles: ["admin"] }) }), noParams);
    expect(r.status).toBe(201);
    const created = await r.json();
    expect(created.token).toMatch(/^att_[A-Za-z0-9_-]{43}$/);
    const rows = await t.db.select().from(apiTokens).where(eq(apiTokens.id, created.id));
    expect(rows[0]!.tokenHash).not.toContain(created.token);
    const audit = await t.db.select().from(auditEvents).where(eq(auditEvents.targetId, created.id));
    expect(audit.map((a) => a.action)).toEqual(["token.create"]);
    expect(JSON.stringify(audit)).not.toContain(created.token);
    const listed = await (await GET(call(adminToken, { method: "GET" }), noParams)).json();
    expect(JSON.stringify(listed)).not.toContain(created.token);
  });

  it("refuses roles the user does not hold", async () => {
    const ada = await actorByEmail(t, "ada@example.com");
    const r = await POST(call(adminToken, { method: "POST", body: JSON.stringify({ name: "escalate", userId: ada.id, roles: ["admin"] }) }), noParams);
    expect(r.status).toBe(400);
    expect((await r.json()).error.details).toEqual([{ path: "roles", message: "not held by the user: admin" }]);
  });

  it("a revoked token is refused at once, and revoking twice is 404", async () => {
    const created = await (await POST(call(adminToken, { method: "POST", body: JSON.stringify({ name: "short", roles: ["admin"] }) }), noParams)).json();
    const params = { params: Promise.resolve({ id: created.id }) } as never;
    expect((await DELETE(call(adminToken, { method: "DELETE" }), params)).status).toBe(200);
    expect((await DELETE(call(adminToken, { method: "DELETE" }), params)).status).toBe(404);
    const r = await listNodes(call(created.token, { url: "http://attest.test/api/v1/nodes" }), noParams);
    expect(r.status).toBe(401);
  });

  it("a gateway token: a service user with the pdp role alone is made with it, both audited; it asks for decisions and reads nothing", async () => {
    const users = (await t.db.select({ n: count() }).from(appUsers))[0]!.n;
    const r = await POST(call(adminToken, { method: "POST", body: JSON.stringify({ gateway: true, name: "agentgateway prod" }) }), noParams);
    expect(r.status).toBe(201);
    const created = await r.json();
    expect(created.roles).toEqual(["pdp"]);
    expect(created.userEmail).toMatch(/^gateway-[0-9a-z]{26}@gateways\.attest\.invalid$/);
    const [user] = await t.db.select().from(appUsers).where(eq(appUsers.id, created.userId));
    expect(user).toMatchObject({ name: "Gateway: agentgateway prod", passwordHash: null, oidcIssuer: null, status: "active" });
    expect((await t.db.select({ role: appUserRoles.role }).from(appUserRoles).where(eq(appUserRoles.userId, created.userId))).map((x) => x.role)).toEqual([
      "pdp",
    ]);
    expect((await t.db.select({ n: count() }).from(appUsers))[0]!.n).toBe(users + 1);
    const audited = await t.db.select({ action: auditEvents.action, targetId: auditEvents.targetId }).from(auditEvents);
    expect(audited).toContainEqual({ action: "user.create", targetId: created.userId });
    expect(audited).toContainEqual({ action: "token.create", targetId: created.id });
    // It asks for decisions (a deny for an unknown agent is still a 200) and reads no graph.
    const ask = await evaluation(
      call(created.token, {
        url: "http://attest.test/access/v1/evaluation",
        method: "POST",
        body: JSON.stringify({ subject: { type: "agent", id: "nobody" }, action: { name: "tools/call" }, resource: { type: "tool", id: "nothing" } }),
      }),
      noParams,
    );
    expect(ask.status).toBe(200);
    expect((await ask.json()).decision).toBe(false);
    expect((await listNodes(call(created.token, { url: "http://attest.test/api/v1/nodes" }), noParams)).status).toBe(403);
  });

  it("a gateway token names nothing but its name and expiry; bad input writes nothing", async () => {
    const tokens = await tokenCount();
    const users = (await t.db.select({ n: count() }).from(appUsers))[0]!.n;
    for (const body of [
      { gateway: true, name: "" },
      { gateway: true, name: "x", roles: ["admin"] },
      { gateway: true, name: "x", userId: "usr_someone" },
      { gateway: true, name: "x", expiresAt: "2001-01-01T00:00:00Z" },
      { gateway: "yes", name: "x" },
    ]) {
      const r = await POST(call(adminToken, { method: "POST", body: JSON.stringify(body) }), noParams);
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
    expect(await tokenCount()).toBe(tokens);
    expect((await t.db.select({ n: count() }).from(appUsers))[0]!.n).toBe(users);
  });

  it("a cross-site write without a session is unauthenticated (the CSRF check is for session writes; see e2e/api.spec.ts)", async () => {
    const r = await POST(
      new Request("http://attest.test/api/v1/tokens", {
        method: "POST",
        headers: { origin: "https://evil.example", "content-type": "application/json" },
        body: "{}",
      }),
      noParams,
    );
    expect(r.status).toBe(401);
  });
});
