import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, nodes } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken } from "@/lib/admin/api-tokens";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { smallGraph } from "@/lib/testing/small-graph";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { recordDecision, resetDecisionLogForTests } from "@/lib/usage/decision-log";
import { flushDecisions } from "@/lib/usage/decision-writer";
import type { OcsfApiActivity } from "@/lib/usage/ocsf";
import { decision } from "@/lib/usage/test-decision";
import { GET as exportRoute } from "./export/route";
import { GET as listRoute } from "./route";

let t: TestDatabase;
let agentId: string;
let toolId: string;
const tokens: Record<string, string> = {};
const noParams = { params: Promise.resolve({}) } as never;
const get = (route: typeof listRoute, token: string, url: string) =>
  route(new Request(`http://attest.test${url}`, { headers: { authorization: `Bearer ${token}`, "x-request-id": "req-test" } }), noParams);

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, smallGraph());
  useAsAppDatabase(t);
  resetDecisionLogForTests();
  const admin = await actorByEmail(t, "admin@example.com");
  for (const [email, role] of [
    ["admin@example.com", "admin"],
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
  const [tool] = await t.db.select({ id: nodes.id }).from(nodes).where(eq(nodes.kind, "tool")).limit(1);
  agentId = agent!.id;
  toolId = tool!.id;
  // Five allows and two denies over five minutes, a read, and a subject Attest does not know.
  for (let i = 0; i < 5; i++)
    recordDecision(decision({ subjectId: agentId, resourceId: toolId, decidedAt: new Date(Date.UTC(2026, 11, 1, 10, i)), requestId: `a${i}` }));
  recordDecision(
    decision({
      subjectId: agentId,
      resourceId: toolId,
      decision: false,
      reasonCode: "revoked_in_campaign",
      decidedAt: new Date(Date.UTC(2026, 11, 1, 11)),
      requestId: "d1",
    }),
  );
  recordDecision(
    decision({
      subjectId: null,
      subjectRef: "agent:stranger",
      resourceId: toolId,
      decision: false,
      reasonCode: "unknown_subject",
      decidedAt: new Date(Date.UTC(2026, 11, 1, 12)),
      requestId: null,
    }),
  );
  recordDecision(
    decision({
      subjectId: agentId,
      action: "resources/read",
      resourceId: null,
      resourceRef: "resource:file:///x",
      decidedAt: new Date(Date.UTC(2026, 11, 1, 13)),
    }),
  );
  await flushDecisions(t.db);
});
afterAll(() => t.cleanup());

describe("GET /api/v1/pdp/decisions", () => {
  it("lists newest first with names, and pages by cursor without repeats", async () => {
    const seen: string[] = [];
    let url = "/api/v1/pdp/decisions?limit=3";
    for (let n = 0; n < 5 && url; n++) {
      const res = await get(listRoute, tokens.analyst!, url);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { items: { id: string; decidedAt: string; subject: { name: string | null } }[]; nextCursor: string | null };
      seen.push(...body.items.map((i) => i.decidedAt));
      url = body.nextCursor ? `/api/v1/pdp/decisions?limit=3&cursor=${body.nextCursor}` : "";
    }
    expect(seen).toHaveLength(8);
    expect([...seen].sort().reverse()).toEqual(seen);
    const first = (await (await get(listRoute, tokens.auditor!, "/api/v1/pdp/decisions?limit=1")).json()) as { items: { subject: { name: string } }[] };
    expect(first.items[0]!.subject.name).toBe("Triage bot");
  });

  it("filters by subject, tool, decision and time range", async () => {
    const q = async (qs: string) => ((await (await get(listRoute, tokens.admin!, `/api/v1/pdp/decisions?${qs}`)).json()) as { items: unknown[] }).items.length;
    expect(await q("decision=deny")).toBe(2);
    expect(await q(`subject=${agentId}`)).toBe(7);
    expect(await q("subject=agent:stranger")).toBe(1);
    expect(await q(`tool=${toolId}&decision=allow`)).toBe(5);
    expect(await q("from=2026-12-01T10:01:00Z&to=2026-12-01T10:03:00Z")).toBe(2);
  });

  it("answers 400 naming the parameter for bad input, 403 for a reviewer", async () => {
    for (const [qs, name] of [
      ["decision=maybe", "decision"],
      ["from=yesterday", "from"],
      ["limit=0", "limit"],
      ["limit=9999", "limit"],
      ["cursor=bogus", "cursor"],
      ["from=2026-12-02&to=2026-12-01", "from"],
      ["colour=blue", "colour"],
    ]) {
      const res = await get(listRoute, tokens.admin!, `/api/v1/pdp/decisions?${qs}`);
      expect(res.status, qs).toBe(400);
      const body = (await res.json()) as { error: { message: string; details: { path: string }[] } };
      expect(JSON.stringify(body.error), qs).toContain(name);
    }
    expect((await get(listRoute, tokens.reviewer!, "/api/v1/pdp/decisions")).status).toBe(403);
  });
});

/** What the mapping promises, checked against the OCSF API Activity class and the Security Control profile. */
function expectOcsfApiActivity(e: OcsfApiActivity) {
  expect(e.class_uid).toBe(6003);
  expect(e.category_uid).toBe(6);
  expect([1, 2, 3, 4, 99]).toContain(e.activity_id);
  expect(e.type_uid).toBe(6003 * 100 + e.activity_id);
  expect(Number.isInteger(e.time)).toBe(true);
  expect(e.severity_id).toBe(1);
  // Required by the class: actor, api, src_endpoint.
  expect(e.actor.user.uid).toBeTruthy();
  expect(e.api.operation).toBeTruthy();
  expect(e.src_endpoint).toBeTruthy();
  expect(e.metadata).toMatchObject({ version: expect.stringMatching(/^1\.\d+\.\d+$/), product: { name: "Attest", version: expect.any(String) } });
  expect(e.metadata.uid).toMatch(/^dec_/);
  // Outcome fields agree with each other.
  const allowed = e.disposition_id === 1;
  expect(e).toMatchObject(
    allowed
      ? { disposition: "Allowed", action_id: 1, action: "Allowed", status_id: 1, status: "Success" }
      : { disposition_id: 2, disposition: "Blocked", action_id: 2, action: "Denied", status_id: 2, status: "Failure" },
  );
  expect(e.unmapped).toMatchObject({ reason_code: expect.any(String), graph_version: expect.any(Number) });
  expect(e.count).toBeGreaterThanOrEqual(1);
}

describe("GET /api/v1/pdp/decisions/export?format=ocsf", () => {
  it("streams OCSF API Activity JSON lines, oldest first, for the from/to range, and audits the export", async () => {
    const res = await get(exportRoute, tokens.auditor!, "/api/v1/pdp/decisions/export?format=ocsf&from=2026-12-01T10:00:00Z&to=2026-12-01T12:30:00Z");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/x-ndjson/);
    const lines = (await res.text()).trimEnd().split("\n");
    expect(lines).toHaveLength(7);
    const events = lines.map((l) => JSON.parse(l) as OcsfApiActivity);
    for (const e of events) expectOcsfApiActivity(e);
    expect(events.map((e) => e.time)).toEqual([...events.map((e) => e.time)].sort((a, b) => a - b));
    const deny = events.find((e) => e.metadata.correlation_uid === "d1")!;
    expect(deny).toMatchObject({
      activity_id: 99,
      activity_name: "tools/call",
      disposition: "Blocked",
      status_detail: "revoked_in_campaign",
      api: { operation: "tools/call", request: { uid: "d1" } },
      actor: { user: { uid: agentId, name: "Triage bot" } },
      resources: [{ uid: toolId }],
      unmapped: { reason_code: "revoked_in_campaign", graph_version: 7, pdp_state_version: 3 },
    });
    const stranger = events.find((e) => e.unmapped.reason_code === "unknown_subject")!;
    expect(stranger.actor.user.uid).toBe("agent:stranger");
    expect(stranger.metadata.correlation_uid).toBeUndefined();
    const [audit] = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "pdp.decisions.export"));
    expect(audit).toMatchObject({ requestId: "req-test", after: { format: "ocsf", to: "2026-12-01T12:30:00.000Z" } });
  });

  it("maps resources/read to activity 2 Read", async () => {
    const res = await get(exportRoute, tokens.admin!, "/api/v1/pdp/decisions/export?format=ocsf&from=2026-12-01T13:00:00Z");
    const [e] = (await res.text())
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as OcsfApiActivity);
    expectOcsfApiActivity(e!);
    expect(e).toMatchObject({ activity_id: 2, activity_name: "Read", type_uid: 600302 });
  });

  it("refuses a missing or other format and bad times with 400 naming them; an analyst gets 403", async () => {
    for (const [qs, name] of [
      ["", "format"],
      ["format=csv", "format"],
      ["format=ocsf&to=soon", "to"],
    ]) {
      const res = await get(exportRoute, tokens.admin!, `/api/v1/pdp/decisions/export?${qs}`);
      expect(res.status, qs).toBe(400);
      expect(JSON.stringify(await res.json()), qs).toContain(name);
    }
    expect((await get(exportRoute, tokens.analyst!, "/api/v1/pdp/decisions/export?format=ocsf")).status).toBe(403);
  });
});
