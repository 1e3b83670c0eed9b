import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken } from "@/lib/admin/api-tokens";
import { emitAudit, verifyAuditChain } from "@/lib/audit/emit-audit";
import { systemActor } from "@/lib/authz/actor";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { GET as listEvents } from "./events/route";
import { GET as verify } from "./verify/route";

let t: TestDatabase;
const tokens: Record<string, string> = {};
const noParams = { params: Promise.resolve({}) } as never;
const get = (route: typeof verify, token: string, url: string) => route(new Request(`http://attest.test${url}`, { headers: { authorization: `Bearer ${token}` } }), noParams);

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
  useAsAppDatabase(t);
  const admin = await actorByEmail(t, "admin@example.com");
  for (const [email, role] of [["audit@example.com", "auditor"], ["ada@example.com", "reviewer"], ["ana@example.com", "analyst"]] as const) {
    const u = await actorByEmail(t, email);
    tokens[role] = (await createApiToken(t.db, admin, { name: role, userId: u.id, roles: [role] })).token;
  }
  for (let i = 0; i < 5; i++) {
    await t.db.transaction((tx) => emitAudit(tx, systemActor("test"), { action: i % 2 ? "test.odd" : "test.even", target: { type: "node", id: `n${i}` }, after: { i } }));
  }
});
afterAll(() => t.cleanup());

describe("GET /api/v1/audit/verify", () => {
  it("answers an auditor ok, the number of entries and the head", async () => {
    const r = await get(verify, tokens.auditor!, "/api/v1/audit/verify");
    expect(r.status).toBe(200);
    const body = await r.json();
    const direct = await verifyAuditChain(t.db);
    expect(body).toEqual({ ok: true, entries: direct.entries, head: direct.head });
    expect(body.entries).toBeGreaterThanOrEqual(9); // seed, three tokens, five test events
  });

  it("checks an anchor, and refuses one that is not a hash", async () => {
    const { head } = await verifyAuditChain(t.db);
    expect(await (await get(verify, tokens.auditor!, `/api/v1/audit/verify?anchor=${head}`)).json()).toMatchObject({ ok: true, anchor: { found: true } });
    const missing = await (await get(verify, tokens.auditor!, `/api/v1/audit/verify?anchor=${"a".repeat(64)}`)).json();
    expect(missing).toMatchObject({ ok: false, anchor: { found: false } });
    const bad = await get(verify, tokens.auditor!, "/api/v1/audit/verify?anchor=xyz");
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.details[0].path).toBe("anchor");
  });

  it("refuses a reviewer and an analyst (403): verifying needs audit.read", async () => {
    expect((await get(verify, tokens.reviewer!, "/api/v1/audit/verify")).status).toBe(403);
    expect((await get(verify, tokens.analyst!, "/api/v1/audit/verify")).status).toBe(403);
  });
});

describe("GET /api/v1/audit/events", () => {
  it("lists newest first and pages with a cursor to the end", async () => {
    const first = await (await get(listEvents, tokens.auditor!, "/api/v1/audit/events?limit=3")).json();
    expect(first.items).toHaveLength(3);
    expect(first.items[0].seq).toBeGreaterThan(first.items[1].seq);
    const seen = [...first.items];
    let cursor = first.nextCursor;
    while (cursor) {
      const next = await (await get(listEvents, tokens.auditor!, `/api/v1/audit/events?limit=3&cursor=${cursor}`)).json();
      seen.push(...next.items);
      cursor = next.nextCursor;
    }
    expect(seen).toHaveLength(first.total);
    expect(new Set(seen.map((e: { id: string }) => e.id)).size).toBe(first.total);
  });

  it("filters by action, actor, target and date range", async () => {
    const odd = await (await get(listEvents, tokens.auditor!, "/api/v1/audit/events?action=test.odd")).json();
    expect(odd.total).toBe(2);
    expect(odd.items.map((e: { after: { i: number } }) => e.after.i)).toEqual([3, 1]);
    const byTarget = await (await get(listEvents, tokens.auditor!, "/api/v1/audit/events?targetType=node&target=n4")).json();
    expect(byTarget.items.map((e: { action: string }) => e.action)).toEqual(["test.even"]);
    const byActor = await (await get(listEvents, tokens.auditor!, "/api/v1/audit/events?actor=ADMIN@example")).json();
    expect(byActor.total).toBe(3);
    expect(byActor.items.every((e: { action: string }) => e.action === "token.create")).toBe(true);
    const today = new Date().toISOString().slice(0, 10);
    const all = (await (await get(listEvents, tokens.auditor!, "/api/v1/audit/events")).json()).total;
    expect((await (await get(listEvents, tokens.auditor!, `/api/v1/audit/events?from=${today}&to=${today}`)).json()).total).toBe(all);
    expect((await (await get(listEvents, tokens.auditor!, "/api/v1/audit/events?to=2001-01-01")).json()).total).toBe(0);
  });

  it("refuses bad filters with the parameter named, and a reviewer with 403", async () => {
    for (const [q, path] of [["from=yesterday", "from"], ["limit=0", "limit"], ["cursor=zzz", "cursor"], ["colour=red", "colour"]]) {
      const r = await get(listEvents, tokens.auditor!, `/api/v1/audit/events?${q}`);
      expect(r.status, q).toBe(400);
      expect((await r.json()).error.details.map((d: { path: string }) => d.path), q).toContain(path);
    }
    expect((await get(listEvents, tokens.reviewer!, "/api/v1/audit/events")).status).toBe(403);
  });
});
