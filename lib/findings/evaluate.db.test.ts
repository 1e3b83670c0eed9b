import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, findings } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import { verifyAuditChain } from "@/lib/audit/emit-audit";
import type { Actor } from "@/lib/authz/actor";
import { actorByEmail } from "@/lib/testing/app-context";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { evaluateFindings } from "./evaluate";
import { listFindings, listFindingsQuerySchema } from "./queries";
import { updateFinding } from "./update-finding";
import { baseGraph, DAY, findingsOf, importDoc, nodeId, type Doc } from "./test-graphs";

let t: TestDatabase;
let analyst: Actor;

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, baseGraph());
  analyst = await actorByEmail(t, "ana@example.com");
});
afterAll(() => t.cleanup());

/** A laptop's MCP config: a server and the credential it was given, stored as `storage`. */
const laptop = (storage: string): Doc => ({
  source: "laptop",
  nodes: [
    { kind: "mcp_server", externalId: "github", name: "GitHub MCP", attributes: { transport: "stdio", command: "npx", pinned: true } },
    {
      kind: "credential",
      externalId: "pat",
      name: "GitHub PAT",
      attributes: { storage, lastRotatedAt: new Date(Date.now() - 5 * DAY).toISOString(), expiresAt: new Date(Date.now() + 60 * DAY).toISOString() },
    },
  ],
  edges: [{ kind: "uses_credential", from: { kind: "mcp_server", externalId: "github" }, to: { kind: "credential", externalId: "pat" } }],
});

const evaluations = () => t.db.select().from(auditEvents).where(eq(auditEvents.action, "findings.evaluate")).orderBy(asc(auditEvents.seq));

describe("evaluation", () => {
  it("opens a finding when an import brings its cause, audited once per evaluation with the counts", async () => {
    const before = (await evaluations()).length;
    const rec = await importDoc(t.db, analyst, laptop("hard_coded"));
    const pat = await nodeId(t.db, "laptop", "credential", "pat");
    const [f] = await findingsOf(t.db, "hardcoded_secret", [pat]);
    expect(f).toMatchObject({ status: "open", severity: "critical", subjectName: "GitHub PAT" });
    const events = await evaluations();
    expect(events).toHaveLength(before + 1);
    const after = events.at(-1)!.after as { trigger: string; importId: string; counts: { new: number }; newIds: string[] };
    // The import's follow-up in the after-change pipeline: an incremental evaluation of what it changed.
    expect(after).toMatchObject({ trigger: "change" });
    expect(rec.status).toBe("succeeded");
    expect(after.counts.new).toBeGreaterThanOrEqual(1);
    expect(after.newIds).toContain(f!.id);
    expect(events.at(-1)!.actorId).toBe("system:findings");
  });

  it("is idempotent: a second evaluation of an unchanged graph changes no finding", async () => {
    const rows = async () => t.db.select().from(findings).orderBy(asc(findings.id));
    const before = await rows();
    const r = await evaluateFindings(t.db, analyst);
    expect(r.counts).toMatchObject({ new: 0, updated: 0, resolved: 0, reopened: 0, expired: 0 });
    expect(r.counts.unchanged).toBe(before.filter((f) => f.status !== "resolved").length);
    expect(await rows()).toEqual(before);
    const last = (await evaluations()).at(-1)!;
    expect(last.actorId).toBe(analyst.id);
    expect((last.after as { counts: unknown }).counts).toEqual(r.counts);
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });

  it("resolves a finding by itself when a re-import fixes the cause, and reopens it when the cause returns", async () => {
    const pat = await nodeId(t.db, "laptop", "credential", "pat");
    const [open] = await findingsOf(t.db, "hardcoded_secret", [pat]);
    await importDoc(t.db, analyst, laptop("vault"));
    const [resolved] = await t.db.select().from(findings).where(eq(findings.id, open!.id));
    expect(resolved).toMatchObject({ status: "resolved" });
    expect(resolved!.resolvedAt).not.toBeNull();
    expect((await evaluations()).at(-1)!.after).toMatchObject({ counts: { resolved: 1 }, resolvedIds: [open!.id] });

    await importDoc(t.db, analyst, laptop("hard_coded"));
    const [back] = await t.db.select().from(findings).where(eq(findings.id, open!.id));
    expect(back).toMatchObject({ status: "open", reopenCount: 1, resolvedAt: null, firstSeenAt: open!.firstSeenAt });
    expect((await evaluations()).at(-1)!.after).toMatchObject({ counts: { reopened: 1 }, reopenedIds: [open!.id] });
  });

  it("keeps an accepted finding accepted until its acceptance expires, then opens it again", async () => {
    const pat = await nodeId(t.db, "laptop", "credential", "pat");
    const [f] = await findingsOf(t.db, "hardcoded_secret", [pat]);
    const until = new Date(Date.now() + 2 * DAY);
    const accepted = await updateFinding(t.db, analyst, f!.id, { status: "accepted", reason: "test laptop, rotated weekly", expiresAt: until.toISOString() });
    expect(accepted).toMatchObject({ status: "accepted", acceptance: { reason: "test laptop, rotated weekly", by: "ana@example.com", expired: false } });
    const audit = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "finding.accept"), eq(auditEvents.targetId, f!.id)));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.before).toMatchObject({ status: "open" });
    expect(audit[0]!.after).toMatchObject({ status: "accepted", acceptedReason: "test laptop, rotated weekly", acceptedUntil: until.toISOString() });

    // Still found, still accepted.
    expect((await evaluateFindings(t.db, analyst)).counts.expired).toBe(0);
    expect((await findingsOf(t.db, "hardcoded_secret", [pat]))[0]!.status).toBe("accepted");

    // Three days on: the list already shows it open, and the next evaluation records that.
    const later = new Date(Date.now() + 3 * DAY);
    const listed = await listFindings(t.db, analyst, listFindingsQuerySchema.parse({ status: "open", subject: pat }), later);
    expect(listed.items.map((i) => i.id)).toContain(f!.id);
    const r = await evaluateFindings(t.db, analyst, { now: later });
    expect(r.counts.expired).toBe(1);
    const [row] = await t.db.select().from(findings).where(eq(findings.id, f!.id));
    expect(row).toMatchObject({ status: "open", acceptedReason: null, acceptedUntil: null });
    expect((await evaluations()).at(-1)!.after).toMatchObject({ expiredIds: [f!.id] });
  });

  it("a disabled person's findings follow the graph: terminating an owner opens an ownerless finding", async () => {
    await importDoc(t.db, analyst, {
      source: "hr2",
      nodes: [
        { kind: "human", externalId: "kim", name: "Kim Keeper", attributes: { status: "active" } },
        { kind: "agent", externalId: "helper", name: "Kim's helper" },
      ],
      edges: [{ kind: "owns", from: { kind: "human", externalId: "kim" }, to: { kind: "agent", externalId: "helper" }, attributes: { role: "business" } }],
    });
    const helper = await nodeId(t.db, "hr2", "agent", "helper");
    expect(await findingsOf(t.db, "no_active_owner", [helper])).toHaveLength(0);
    await importDoc(t.db, analyst, {
      source: "hr2",
      nodes: [
        { kind: "human", externalId: "kim", name: "Kim Keeper", attributes: { status: "terminated" } },
        { kind: "agent", externalId: "helper", name: "Kim's helper" },
      ],
      edges: [{ kind: "owns", from: { kind: "human", externalId: "kim" }, to: { kind: "agent", externalId: "helper" }, attributes: { role: "business" } }],
    });
    expect((await findingsOf(t.db, "no_active_owner", [helper])).map((f) => f.evidence.facts.reasons)).toEqual([["inactive_owners"]]);
    expect(await findingsOf(t.db, "agent_inactive_principal", [helper])).toHaveLength(1);
  });

  it("changing a rule's severity updates its findings; disabling a rule resolves them", async () => {
    const admin = await actorByEmail(t, "admin@example.com");
    const { updateFindingSettings } = await import("./settings");
    const pat = await nodeId(t.db, "laptop", "credential", "pat");
    await updateFindingSettings(t.db, admin, { rules: { hardcoded_secret: { severity: "high" } } });
    const r1 = await evaluateFindings(t.db, analyst);
    expect(r1.counts.updated).toBeGreaterThanOrEqual(1);
    expect((await findingsOf(t.db, "hardcoded_secret", [pat]))[0]!.severity).toBe("high");
    await updateFindingSettings(t.db, admin, { rules: { hardcoded_secret: { enabled: false } } });
    await evaluateFindings(t.db, analyst);
    expect(await findingsOf(t.db, "hardcoded_secret", [pat])).toHaveLength(0);
    const audit = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "findings.settings.update"));
    expect(audit.at(-1)!.after).toEqual({ rules: { hardcoded_secret: { enabled: false } } });
    await updateFindingSettings(t.db, admin, {});
  });
});
