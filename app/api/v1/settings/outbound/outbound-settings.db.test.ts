import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, outboundSettings } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken } from "@/lib/admin/api-tokens";
import { loadOutboundPolicy } from "@/lib/admin/outbound-settings";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { GET, PUT } from "./route";

let t: TestDatabase;
const tokens = {} as Record<"admin" | "analyst", string>;
const noParams = { params: Promise.resolve({}) } as never;

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
  useAsAppDatabase(t);
  const admin = await actorByEmail(t, "admin@example.com");
  tokens.admin = (await createApiToken(t.db, admin, { name: "admin", userId: admin.id, roles: ["admin"] })).token;
  tokens.analyst = (await createApiToken(t.db, admin, { name: "analyst", userId: (await actorByEmail(t, "ana@example.com")).id, roles: ["analyst"] })).token;
});
afterAll(() => t.cleanup());
afterEach(() => {
  delete process.env.ATTEST_OUTBOUND_ALLOW;
  delete process.env.ATTEST_OUTBOUND_ALLOW_PRIVATE;
});

const url = "http://attest.test/api/v1/settings/outbound";
const auth = (who: keyof typeof tokens) => ({ authorization: `Bearer ${tokens[who]}` });
const get = async (who: keyof typeof tokens = "admin") => {
  const r = await GET(new Request(url, { headers: auth(who) }), noParams);
  return { status: r.status, body: await r.json() };
};
const put = async (body: unknown, who: keyof typeof tokens = "admin") => {
  const r = await PUT(new Request(url, { method: "PUT", headers: { ...auth(who), "content-type": "application/json" }, body: JSON.stringify(body) }), noParams);
  return { status: r.status, body: await r.json() };
};

describe("outbound settings", () => {
  it("allow nothing by default", async () => {
    const r = await get();
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ allowHosts: [], allowPrivateRanges: [], effective: { allowHosts: [], allowPrivateRanges: [] }, updatedBy: null });
    expect(await loadOutboundPolicy(t.db)).toEqual({ allowHosts: [], allowPrivateRanges: [] });
  });

  it("an admin replaces them; they are stored canonical, audited with before and after, and read by the outbound policy", async () => {
    const r = await put({
      allowHosts: ["MCP.Example.com", "*.tools.example.org", "mcp.example.com", "0177.0.0.1:3001"],
      allowPrivateRanges: ["10.20.0.0/16", "[::1]"],
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      allowHosts: ["mcp.example.com", "*.tools.example.org", "127.0.0.1:3001"],
      allowPrivateRanges: ["10.20.0.0/16", "::1"],
      updatedBy: expect.stringMatching(/^admin@example.com \(token /),
    });
    expect(await loadOutboundPolicy(t.db)).toEqual({
      allowHosts: ["mcp.example.com", "*.tools.example.org", "127.0.0.1:3001"],
      allowPrivateRanges: ["10.20.0.0/16", "::1"],
    });
    const [event] = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "outbound.settings.update"));
    expect(event).toMatchObject({
      targetType: "outbound_settings",
      targetId: "1",
      before: { allowHosts: [], allowPrivateRanges: [] },
      after: { allowHosts: ["mcp.example.com", "*.tools.example.org", "127.0.0.1:3001"] },
    });
  });

  it("bad input is a 400 naming each entry, without quoting it, and changes nothing", async () => {
    const before = await t.db.select().from(outboundSettings);
    const events = (await t.db.select().from(auditEvents)).length;
    const r = await put({ allowHosts: ["ok.example.com", "http://evil.example/path"], allowPrivateRanges: ["10.0.0.0/33"], extra: true });
    expect(r.status).toBe(400);
    expect(r.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(["allowHosts[1]", "allowPrivateRanges[0]", "extra"]);
    expect(JSON.stringify(r.body)).not.toContain("evil.example");
    expect((await put({ allowHosts: ["a.example.com"] })).status).toBe(400);
    expect(await t.db.select().from(outboundSettings)).toEqual(before);
    expect((await t.db.select().from(auditEvents)).length).toBe(events);
  });

  it("an analyst may neither read nor change them", async () => {
    expect((await get("analyst")).status).toBe(403);
    expect((await put({ allowHosts: ["*"], allowPrivateRanges: ["0.0.0.0/0"] }, "analyst")).status).toBe(403);
    expect((await loadOutboundPolicy(t.db)).allowHosts).not.toContain("*");
  });

  it("ATTEST_OUTBOUND_ALLOW and ATTEST_OUTBOUND_ALLOW_PRIVATE add to the stored settings, and bad entries there are listed as ignored", async () => {
    process.env.ATTEST_OUTBOUND_ALLOW = "ci-mcp.internal:3001, *.ci.example  http://not-a-pattern/";
    process.env.ATTEST_OUTBOUND_ALLOW_PRIVATE = "10.99.0.0/16,nope";
    const r = await get();
    expect(r.body.env).toEqual({
      allowHosts: ["ci-mcp.internal:3001", "*.ci.example"],
      allowPrivateRanges: ["10.99.0.0/16"],
      ignored: ["http://not-a-pattern/", "nope"],
    });
    expect(await loadOutboundPolicy(t.db)).toEqual({
      allowHosts: ["mcp.example.com", "*.tools.example.org", "127.0.0.1:3001", "ci-mcp.internal:3001", "*.ci.example"],
      allowPrivateRanges: ["10.20.0.0/16", "::1", "10.99.0.0/16"],
    });
  });
});
