import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken } from "@/lib/admin/api-tokens";
import { emitAudit, verifyAuditChain } from "@/lib/audit/emit-audit";
import { systemActor } from "@/lib/authz/actor";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { and, eq } from "drizzle-orm";
import { auditEvents, nodes } from "@/db/schema";
import { readCsv } from "@/lib/api/csv";
import { AUDIT_CSV_HEADER, nameAuditEvents } from "@/lib/audit/audit-export";
import { listAuditEventsFor } from "@/lib/audit/audit-api";
import { GET as exportEvents } from "./events/export/route";
import { GET as listEvents } from "./events/route";
import { GET as verify } from "./verify/route";

let t: TestDatabase;
let agentId: string;
const tokens: Record<string, string> = {};
const noParams = { params: Promise.resolve({}) } as never;
const get = (route: typeof verify, token: string, url: string) =>
  route(new Request(`http://attest.test${url}`, { headers: { authorization: `Bearer ${token}` } }), noParams);

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
  useAsAppDatabase(t);
  const admin = await actorByEmail(t, "admin@example.com");
  for (const [email, role] of [
    ["audit@example.com", "auditor"],
    ["ada@example.com", "reviewer"],
    ["ana@example.com", "analyst"],
  ] as const) {
    const u = await actorByEmail(t, email);
    tokens[role] = (await createApiToken(t.db, admin, { name: role, userId: u.id, roles: [role] })).token;
  }
  const [agent] = await t.db
    .select({ id: nodes.id })
    .from(nodes)
    .where(and(eq(nodes.kind, "agent"), eq(nodes.name, "Triage bot")));
  agentId = agent!.id;
  const [ada] = await t.db.select({ id: nodes.id }).from(nodes).where(eq(nodes.name, "Ada Lovelace"));
  const analyst = await actorByEmail(t, "ana@example.com");
  await t.db.transaction(async (tx) =>
    emitAudit(tx, analyst, {
      action: "owner.assign",
      target: { type: "node", id: agentId },
      before: { owners: [] },
      after: { owners: [ada!.id], note: "=cmd|' /C calc'!A0" },
    }),
  );
  for (let i = 0; i < 5; i++) {
    await t.db.transaction((tx) =>
      emitAudit(tx, systemActor("test"), { action: i % 2 ? "test.odd" : "test.even", target: { type: "node", id: `n${i}` }, after: { i } }),
    );
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
    for (const [q, path] of [
      ["from=yesterday", "from"],
      ["limit=0", "limit"],
      ["cursor=zzz", "cursor"],
      ["colour=red", "colour"],
    ]) {
      const r = await get(listEvents, tokens.auditor!, `/api/v1/audit/events?${q}`);
      expect(r.status, q).toBe(400);
      expect(
        (await r.json()).error.details.map((d: { path: string }) => d.path),
        q,
      ).toContain(path);
    }
    expect((await get(listEvents, tokens.reviewer!, "/api/v1/audit/events")).status).toBe(403);
  });
});

describe("names in the audit log", () => {
  it("resolves actors, subjects and ids inside changes to names in one batch, keeping the ids", async () => {
    const auditor = await actorByEmail(t, "audit@example.com");
    const page = await listAuditEventsFor(t.db, auditor, { limit: 50 });
    const { items, names } = await nameAuditEvents(t.db, page.items);
    const assign = items.find((e) => e.action === "owner.assign")!;
    expect(assign).toMatchObject({ actorName: "Ana Lyst", actorLabel: "ana@example.com", targetName: "Triage bot", targetId: agentId });
    expect(names[agentId]).toEqual({ name: "Triage bot", kind: "agent", href: `/nodes/${agentId}` });
    const owner = assign.changes.find((c) => c.field === "owners")!;
    expect(owner.kind).toBe("list");
    expect(names[(owner as { added: string[] }).added[0]!]?.name).toBe("Ada Lovelace");
    // The tokens the admin created: subject is the token, by its name.
    const created = items.filter((e) => e.action === "token.create").map((e) => e.targetName);
    expect(created.sort()).toEqual(["analyst", "auditor", "reviewer"]);
    // Ids nothing resolves (test targets) stay ids; a system actor keeps its label.
    const odd = items.find((e) => e.action === "test.odd")!;
    expect(odd).toMatchObject({ actorName: null, actorLabel: "test", targetName: null, targetId: "n3" });
  });
});

describe("GET /api/v1/audit/events/export", () => {
  const exp = (token: string, q: string) => get(exportEvents, token, `/api/v1/audit/events/export?${q}`);

  it("exports the filtered view as CSV with the documented columns, names resolved and formulas neutralised", async () => {
    const r = await exp(tokens.auditor!, "format=csv&targetType=node");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toContain("text/csv");
    expect(r.headers.get("content-disposition")).toMatch(/^attachment; filename="attest-audit-log-\d{4}-\d{2}-\d{2}\.csv"$/);
    const { header, rows } = readCsv(await r.text());
    expect(header).toEqual([...AUDIT_CSV_HEADER]);
    const col = (name: string) => header.indexOf(name);
    // Filter applied: node targets only (five test events and the owner change), newest first.
    expect(rows.map((x) => x[col("action")])).toEqual(["test.even", "test.odd", "test.even", "test.odd", "test.even", "owner.assign"]);
    expect(Number(r.headers.get("x-total-count"))).toBe(6);
    const assign = rows.at(-1)!;
    expect(assign[col("actor_name")]).toBe("Ana Lyst");
    expect(assign[col("target_name")]).toBe("Triage bot");
    expect(assign[col("changes")]).toContain(`owners: +`);
    expect(JSON.parse(assign[col("after")]!).note).toBe("=cmd|' /C calc'!A0");
    const seqs = rows.map((x) => Number(x[col("seq")]));
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
  });

  it("exports JSON with the same filters and audits the export, which is not part of its own file", async () => {
    const before = (await t.db.select().from(auditEvents).where(eq(auditEvents.action, "audit.export"))).length;
    const r = await exp(tokens.auditor!, "format=json&action=test.odd");
    expect(r.status).toBe(200);
    const body = await r.json();
    expect(body).toMatchObject({ filters: { action: "test.odd" }, total: 2 });
    expect(body.items.map((e: { after: { i: number } }) => e.after.i)).toEqual([3, 1]);
    expect(body.items[0]).toMatchObject({ changes: [{ field: "i", kind: "added", after: "3" }], actorLabel: "test" });
    const events = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "audit.export"));
    expect(events).toHaveLength(before + 1);
    expect(events.at(-1)!.after).toMatchObject({ format: "json", filters: { action: "test.odd" }, rows: 2 });
    const all = await (await exp(tokens.auditor!, "format=json")).json();
    // The newest row is the earlier export; this export's own event is not in its file.
    expect(all.items[0]).toMatchObject({ action: "audit.export", after: { format: "json", filters: { action: "test.odd" } } });
    expect(all.items.filter((e: { action: string }) => e.action === "audit.export")).toHaveLength(before + 1);
    expect(all.items.length).toBe(all.total);
  });

  it("pages through a log longer than one read, all rows once", async () => {
    await t.db.transaction(async (tx) => {
      for (let i = 0; i < 520; i++) await emitAudit(tx, systemActor("bulk"), { action: "test.bulk", target: { type: "node", id: `b${i}` } });
    });
    const { rows } = readCsv(await (await exp(tokens.auditor!, "format=csv&action=test.bulk")).text());
    expect(rows).toHaveLength(520);
    expect(new Set(rows.map((x) => x[0])).size).toBe(520);
  });

  it("needs audit.read: a reviewer and an analyst cannot export; a bad format is named", async () => {
    expect((await exp(tokens.reviewer!, "format=csv")).status).toBe(403);
    expect((await exp(tokens.analyst!, "format=json")).status).toBe(403);
    const bad = await exp(tokens.auditor!, "format=xml&limit=5");
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.details.map((d: { path: string }) => d.path).sort()).toEqual(["format", "limit"]);
  });
});
