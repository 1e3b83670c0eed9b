import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, campaigns, findings } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import { createApiToken } from "@/lib/admin/api-tokens";
import { verifyAuditChain } from "@/lib/audit/emit-audit";
import { baseGraph, importDoc, nodeId } from "@/lib/findings/test-graphs";
import { actorByEmail, useAsAppDatabase } from "@/lib/testing/app-context";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { PATCH, GET as getOne } from "./[id]/route";
import { POST as createCampaign } from "./campaign/route";
import { GET as getGroup } from "./groups/[id]/route";
import { GET as listGroups } from "./groups/route";
import { POST as evaluate } from "./evaluate/route";
import { GET as list } from "./route";
import { GET as getSettings, PUT as putSettings } from "./settings/route";
import { GET as summary } from "./summary/route";

let t: TestDatabase;
const tokens: Record<"admin" | "analyst" | "reviewer" | "auditor", string> = { admin: "", analyst: "", reviewer: "", auditor: "" };
const noParams = { params: Promise.resolve({}) } as never;
const idParams = (id: string) => ({ params: Promise.resolve({ id }) }) as never;
const call = (who: keyof typeof tokens, path: string, init: RequestInit = {}) =>
  new Request(`http://attest.test${path}`, {
    ...init,
    headers: { authorization: `Bearer ${tokens[who]}`, "content-type": "application/json", ...(init.headers ?? {}) },
  });
const json = async (r: Response) => ({ status: r.status, body: await r.json() });

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, baseGraph());
  useAsAppDatabase(t);
  const admin = await actorByEmail(t, "admin@example.com");
  for (const [who, email, role] of [
    ["admin", "admin@example.com", "admin"],
    ["analyst", "ana@example.com", "analyst"],
    ["reviewer", "ada@example.com", "reviewer"],
    ["auditor", "audit@example.com", "auditor"],
  ] as const) {
    const user = await actorByEmail(t, email);
    tokens[who] = (await createApiToken(t.db, admin, { name: who, userId: user.id, roles: [role] })).token;
  }
  const analyst = await actorByEmail(t, "ana@example.com");
  await importDoc(t.db, analyst, {
    source: "cfg",
    nodes: [
      { kind: "mcp_server", externalId: "fs", name: "Filesystem", attributes: { transport: "http", url: "http://files.internal/mcp" } },
      { kind: "credential", externalId: "key", name: "Files key", attributes: { storage: "hard_coded" } },
      { kind: "agent", externalId: "bot", name: "Files bot" },
    ],
    edges: [
      { kind: "uses_credential", from: { kind: "mcp_server", externalId: "fs" }, to: { kind: "credential", externalId: "key" } },
      { kind: "uses_credential", from: { kind: "agent", externalId: "bot" }, to: { kind: "credential", externalId: "key" } },
      { kind: "connects_to", from: { kind: "agent", externalId: "bot" }, to: { kind: "mcp_server", externalId: "fs" } },
    ],
  });
});
afterAll(() => t.cleanup());

async function hardcoded() {
  const key = await nodeId(t.db, "cfg", "credential", "key");
  const [f] = await t.db
    .select()
    .from(findings)
    .where(and(eq(findings.rule, "hardcoded_secret"), eq(findings.subjectId, key)));
  return f!;
}

describe("findings API", () => {
  it("lists findings most severe first (sort=severity), filtered by rule, severity and status, one page at a time", async () => {
    const all = await json(await list(call("analyst", "/api/v1/findings?status=open&sort=severity"), noParams));
    expect(all.status).toBe(200);
    expect(all.body.total).toBeGreaterThanOrEqual(4);
    const ranks = all.body.items.map((i: { severity: string }) => ["low", "medium", "high", "critical"].indexOf(i.severity));
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
    expect(all.body.items[0]).toMatchObject({ rule: "hardcoded_secret", severity: "critical", owasp: [{ id: "NHI2", name: "Secret Leakage" }] });

    const byRule = await json(await list(call("auditor", "/api/v1/findings?rule=insecure_mcp_server&severity=high"), noParams));
    expect(byRule.body.items.map((i: { title: string }) => i.title)).toEqual(["Filesystem is reached over plain HTTP (http://files.internal/mcp)"]);

    const first = await json(await list(call("analyst", "/api/v1/findings?status=open&sort=severity&limit=2"), noParams));
    expect(first.body.items).toHaveLength(2);
    const second = await json(await list(call("analyst", `/api/v1/findings?status=open&sort=severity&limit=2&cursor=${first.body.nextCursor}`), noParams));
    const ids = [...first.body.items, ...second.body.items].map((i: { id: string }) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.slice(0, 4)).toEqual(all.body.items.slice(0, 4).map((i: { id: string }) => i.id));
  });

  it("refuses unknown filters and values, naming them", async () => {
    const r = await json(await list(call("analyst", "/api/v1/findings?rule=nope&colour=red"), noParams));
    expect(r.status).toBe(400);
    expect(r.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(["colour", "rule"]);
  });

  it("answers one finding with its evidence and the evidence's nodes; an unknown id is 404", async () => {
    const f = await hardcoded();
    const r = await json(await getOne(call("auditor", `/api/v1/findings/${f.id}`), idParams(f.id)));
    expect(r.status).toBe(200);
    expect(r.body.evidence.attributes).toContainEqual({ node: f.subjectId, key: "storage", value: "hard_coded" });
    expect(r.body.nodes[f.subjectId]).toMatchObject({ kind: "credential", name: "Files key", current: true });
    expect((await getOne(call("auditor", "/api/v1/findings/fnd_nope"), idParams("fnd_nope"))).status).toBe(404);
  });

  it("a reviewer cannot read findings; an auditor reads but cannot change, evaluate or configure them", async () => {
    const f = await hardcoded();
    const events = (await verifyAuditChain(t.db)).entries;
    expect((await list(call("reviewer", "/api/v1/findings"), noParams)).status).toBe(403);
    expect((await getOne(call("reviewer", `/api/v1/findings/${f.id}`), idParams(f.id))).status).toBe(403);
    const body = JSON.stringify({ status: "accepted", reason: "x", expiresAt: "2099-01-01" });
    expect((await PATCH(call("auditor", `/api/v1/findings/${f.id}`, { method: "PATCH", body }), idParams(f.id))).status).toBe(403);
    expect((await evaluate(call("auditor", "/api/v1/findings/evaluate", { method: "POST" }), noParams)).status).toBe(403);
    expect((await putSettings(call("auditor", "/api/v1/findings/settings", { method: "PUT", body: "{}" }), noParams)).status).toBe(403);
    expect((await getSettings(call("auditor", "/api/v1/findings/settings"), noParams)).status).toBe(200);
    expect((await verifyAuditChain(t.db)).entries).toBe(events);
    expect((await hardcoded()).status).toBe("open");
  });

  it("an analyst evaluates on demand: audited, and nothing changes when nothing did", async () => {
    const r = await json(await evaluate(call("analyst", "/api/v1/findings/evaluate", { method: "POST" }), noParams));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ trigger: "manual", counts: { new: 0, resolved: 0, reopened: 0 } });
    const [event] = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "findings.evaluate"), eq(auditEvents.targetId, r.body.id)));
    expect(event!.after).toMatchObject({ trigger: "manual", counts: r.body.counts });
  });

  it("accepting a risk needs a reason and a future expiry within the policy; 'resolved' cannot be set by hand", async () => {
    const f = await hardcoded();
    const patch = (body: unknown) =>
      PATCH(call("analyst", `/api/v1/findings/${f.id}`, { method: "PATCH", body: JSON.stringify(body) }), idParams(f.id)).then(json);
    expect((await patch({ status: "accepted", expiresAt: "2099-01-01" })).body.error.details).toEqual([
      { path: "reason", message: "is required to accept a risk" },
    ]);
    expect((await patch({ status: "accepted", reason: "ok", expiresAt: "2001-01-01" })).body.error.details).toEqual([
      { path: "expiresAt", message: "must be in the future" },
    ]);
    expect((await patch({ status: "accepted", reason: "ok", expiresAt: "2099-01-01" })).body.error.details[0].path).toBe("expiresAt");
    const resolved = await patch({ status: "resolved" });
    expect(resolved.status).toBe(400);
    expect(resolved.body.error.details[0].message).toMatch(/resolved only by an evaluation/);
    expect((await patch({ status: "accepted", reason: "ok", expiresAt: "2099-01-01", by: "me" })).body.error.details).toEqual([
      { path: "by", message: "is not a known field" },
    ]);
  });

  it("accepts a risk and opens it again, each change audited with before and after", async () => {
    const f = await hardcoded();
    const until = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const patch = (body: unknown) =>
      PATCH(call("analyst", `/api/v1/findings/${f.id}`, { method: "PATCH", body: JSON.stringify(body) }), idParams(f.id)).then(json);
    const accepted = await patch({ status: "accepted", reason: "lab machine, isolated network", expiresAt: until });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ status: "accepted", acceptance: { reason: "lab machine, isolated network", expiresAt: `${until}T23:59:59.999Z` } });
    const filtered = await json(await list(call("analyst", "/api/v1/findings?status=accepted"), noParams));
    expect(filtered.body.items.map((i: { id: string }) => i.id)).toEqual([f.id]);
    const reopened = await patch({ status: "open", reason: "the lab joined the corporate network" });
    expect(reopened.body).toMatchObject({ status: "open", acceptance: null });
    const events = await t.db.select().from(auditEvents).where(eq(auditEvents.targetId, f.id));
    expect(events.map((e) => e.action)).toEqual(["finding.accept", "finding.reopen"]);
    expect(events[1]!.before).toMatchObject({ status: "accepted", acceptedReason: "lab machine, isolated network" });
    // Opening an open finding changes nothing and records nothing.
    expect((await patch({ status: "open" })).status).toBe(200);
    expect(await t.db.select().from(auditEvents).where(eq(auditEvents.targetId, f.id))).toHaveLength(2);
  });

  it("a resolved finding cannot be accepted (409)", async () => {
    const analyst = await actorByEmail(t, "ana@example.com");
    await importDoc(t.db, analyst, {
      source: "cfg2",
      nodes: [{ kind: "credential", externalId: "k", name: "Temp key", attributes: { storage: "hard_coded" } }],
      edges: [],
    });
    const id = await nodeId(t.db, "cfg2", "credential", "k");
    await importDoc(t.db, analyst, {
      source: "cfg2",
      nodes: [{ kind: "credential", externalId: "k", name: "Temp key", attributes: { storage: "vault" } }],
      edges: [],
    });
    const [f] = await t.db
      .select()
      .from(findings)
      .where(and(eq(findings.rule, "hardcoded_secret"), eq(findings.subjectId, id)));
    expect(f!.status).toBe("resolved");
    const soon = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const r = await PATCH(
      call("analyst", `/api/v1/findings/${f!.id}`, { method: "PATCH", body: JSON.stringify({ status: "accepted", reason: "x", expiresAt: soon }) }),
      idParams(f!.id),
    );
    expect(r.status).toBe(409);
  });

  it("summarises counts by severity and rule, cross-filtered", async () => {
    const r = await json(await summary(call("auditor", "/api/v1/findings/summary?status=open&rule=hardcoded_secret"), noParams));
    expect(r.status).toBe(200);
    expect(r.body.bySeverity).toMatchObject({ critical: 1, high: 0 });
    expect(r.body.byRule.insecure_mcp_server).toBe(1);
    // The last evaluation was the one after the previous test's import (the pipeline's incremental one).
    expect(r.body.lastEvaluation).toMatchObject({ trigger: "change" });
  });

  it("settings: an analyst overrides a threshold (audited); unknown fields are refused", async () => {
    const bad = await json(
      await putSettings(call("analyst", "/api/v1/findings/settings", { method: "PUT", body: JSON.stringify({ rotationDayz: 30 }) }), noParams),
    );
    expect(bad.status).toBe(400);
    const ok = await json(
      await putSettings(
        call("analyst", "/api/v1/findings/settings", {
          method: "PUT",
          body: JSON.stringify({ rotationDays: 30, rules: { shared_credential: { severity: "high" } } }),
        }),
        noParams,
      ),
    );
    expect(ok.status).toBe(200);
    expect(ok.body.settings).toMatchObject({
      rotationDays: 30,
      rules: { shared_credential: { enabled: true, severity: "high" }, hardcoded_secret: { severity: "critical" } },
    });
    expect(ok.body.defaults.rotationDays).toBe(90);
    const [event] = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "findings.settings.update"));
    expect(event!.after).toEqual({ rotationDays: 30, rules: { shared_credential: { severity: "high" } } });
    await putSettings(call("analyst", "/api/v1/findings/settings", { method: "PUT", body: "{}" }), noParams);
  });

  it("creates a draft campaign scoped to the findings' subjects and targets", async () => {
    const f = await hardcoded();
    const insecure = (await json(await list(call("analyst", "/api/v1/findings?rule=insecure_mcp_server"), noParams))).body.items[0];
    const r = await json(
      await createCampaign(
        call("analyst", "/api/v1/findings/campaign", { method: "POST", body: JSON.stringify({ findingIds: [f.id, insecure.id] }) }),
        noParams,
      ),
    );
    expect(r.status).toBe(201);
    expect(r.body.definition.scope.targets).toEqual([f.subjectId, insecure.subject.id]);
    expect(r.body.definition.scope.edgeKinds).toEqual(expect.arrayContaining(["uses_credential", "connects_to"]));
    const [row] = await t.db.select().from(campaigns).where(eq(campaigns.id, r.body.campaign.id));
    expect(row).toMatchObject({ status: "draft", control: "OWASP NHI — non-human identity review" });
    expect(row!.description).toContain(f.id);
    expect(
      (await createCampaign(call("auditor", "/api/v1/findings/campaign", { method: "POST", body: JSON.stringify({ findingIds: [f.id] }) }), noParams)).status,
    ).toBe(403);
    const missing = await json(
      await createCampaign(call("analyst", "/api/v1/findings/campaign", { method: "POST", body: JSON.stringify({ findingIds: ["fnd_nope"] }) }), noParams),
    );
    expect(missing.body.error.details).toEqual([{ path: "findingIds[0]", message: "no such finding" }]);
  });

  it("lists findings by priority by default, and a cursor made for one sort is refused with another (400 naming cursor)", async () => {
    const r = await json(await list(call("auditor", "/api/v1/findings?status=open&limit=3"), noParams));
    expect(r.status).toBe(200);
    const scores = r.body.items.map((i: { score: number }) => i.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const wrong = await json(await list(call("auditor", `/api/v1/findings?status=open&limit=3&sort=newest&cursor=${r.body.nextCursor}`), noParams));
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details).toEqual([{ path: "cursor", message: expect.stringContaining("sort=priority") }]);
    const bad = await json(await list(call("auditor", "/api/v1/findings?sort=loudest"), noParams));
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(["sort"]);
  });

  it("drafts a campaign from a root-cause group: its open members, one group at a time; validation names the field", async () => {
    const f = await hardcoded();
    // The evaluations so far grouped the open findings by cause: the hard-coded key is the cause of its own findings.
    const all = await json(await listGroups(call("auditor", "/api/v1/findings/groups?limit=200"), noParams));
    expect(all.status).toBe(200);
    const open = await json(await list(call("auditor", "/api/v1/findings?status=open&limit=1"), noParams));
    expect(all.body.items.reduce((n: number, g: { count: number }) => n + g.count, 0)).toBe(open.body.total);
    const scores = all.body.items.map((g: { score: number }) => g.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const groups = await json(await listGroups(call("auditor", "/api/v1/findings/groups?causeKind=credential&q=files"), noParams));
    expect(groups.body.items.map((g: { id: string }) => g.id)).toEqual([f.subjectId]);
    const g = groups.body.items[0];
    expect(g).toMatchObject({ cause: { name: "Files key", kind: "credential" }, action: { kind: "rotate_credential" } });
    expect((await json(await getGroup(call("auditor", `/api/v1/findings/groups/${f.subjectId}`), idParams(f.subjectId)))).body).toEqual(g);
    expect((await getGroup(call("auditor", "/api/v1/findings/groups/nope"), idParams("nope"))).status).toBe(404);
    expect((await listGroups(call("reviewer", "/api/v1/findings/groups"), noParams)).status).toBe(403);
    const members = await json(await list(call("auditor", `/api/v1/findings?group=${f.subjectId}&status=open`), noParams));
    expect(members.body.total).toBe(g.count);
    expect(members.body.items.map((i: { id: string }) => i.id)).toContain(f.id);
    expect(members.body.items.every((i: { cause: { id: string } }) => i.cause.id === f.subjectId)).toBe(true);

    const post = (body: unknown, who: keyof typeof tokens = "analyst") =>
      createCampaign(call(who, "/api/v1/findings/campaign", { method: "POST", body: JSON.stringify(body) }), noParams).then(json);
    const r = await post({ group: f.subjectId });
    expect(r.status).toBe(201);
    expect(r.body.campaign.status).toBe("draft");
    expect(r.body.definition.name).toContain("Files key");
    expect(r.body.definition.scope.targets).toEqual([f.subjectId]);
    expect(r.body.definition.description).toContain(f.id);
    expect(r.body.definition.description).toContain(`Created from ${g.count} findings`);
    expect((await post({ group: "nope" })).body.error.details).toEqual([{ path: "group", message: "no open findings have this cause" }]);
    expect((await post({ group: f.subjectId, findingIds: [f.id] })).body.error.details).toEqual([{ path: "group", message: expect.any(String) }]);
    expect((await post({})).body.error.details).toEqual([{ path: "findingIds", message: expect.any(String) }]);
    expect((await post({ group: "" })).body.error.details.map((d: { path: string }) => d.path)).toEqual(["group"]);
    expect((await post({ group: f.subjectId }, "auditor")).status).toBe(403);
  });
});
