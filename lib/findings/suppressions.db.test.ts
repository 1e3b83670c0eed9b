import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { strFromU8, unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, findingGroups, findings, findingSuppressions } from "@/db/schema";
import { seedGraph } from "@/db/seed/seed";
import type { Actor } from "@/lib/authz/actor";
import { isAppError, type AppError } from "@/lib/errors";
import { exportAcceptanceEvidence } from "@/lib/evidence/acceptance-evidence";
import type { JobEngine } from "@/lib/jobs/engine";
import { actorByEmail } from "@/lib/testing/app-context";
import { eventually, startTestEngine } from "@/lib/testing/jobs";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { evaluateFindings } from "./evaluate";
import { evaluateIncremental } from "./evaluate-incremental";
import { refreshGroups } from "./groups";
import "./jobs";
import { APPLY_SUPPRESSION, createSuppression, listSuppressions, revokeSuppression } from "./manage-suppressions";
import { settleSuppression } from "./suppressions";
import { baseGraph, daysFromNow, DAY, importDoc, nodeId, type Doc } from "./test-graphs";

let t: TestDatabase;
let engine: JobEngine;
let analyst: Actor;
let reviewer: Actor;
let auditor: Actor;
const ids: Record<string, string> = {};
const enqueue = (name: string, data: object) => engine.enqueue(name, data);

/** Three agents and two credentials, nobody owns any: a no_active_owner finding each; `shared` is used by a1 and a2. */
const lab = (laterStorage: string): Doc => {
  const cred = (externalId: string, storage: string) => ({
    kind: "credential" as const,
    externalId,
    name: `cred ${externalId}`,
    attributes: { storage, lastRotatedAt: daysFromNow(-5), expiresAt: daysFromNow(60) },
  });
  return {
    source: "lab",
    nodes: [
      { kind: "agent", externalId: "a1", name: "agent one" },
      { kind: "agent", externalId: "a2", name: "agent two" },
      { kind: "agent", externalId: "a3", name: "agent three" },
      cred("shared", "vault"),
      cred("later", laterStorage),
    ],
    edges: [
      { kind: "uses_credential", from: { kind: "agent", externalId: "a1" }, to: { kind: "credential", externalId: "shared" } },
      { kind: "uses_credential", from: { kind: "agent", externalId: "a2" }, to: { kind: "credential", externalId: "shared" } },
      { kind: "uses_credential", from: { kind: "agent", externalId: "a3" }, to: { kind: "credential", externalId: "later" } },
    ],
  };
};

const finding = async (rule: string, subjectId: string) => {
  const [f] = await t.db
    .select()
    .from(findings)
    .where(and(eq(findings.rule, rule as never), eq(findings.subjectId, subjectId)));
  if (!f) throw new Error(`no ${rule} finding about ${subjectId}`);
  return f;
};
const suppression = async (id: string) => (await t.db.select().from(findingSuppressions).where(eq(findingSuppressions.id, id)))[0]!;
const eventsOf = (id: string) =>
  t.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.targetType, "finding_suppression"), eq(auditEvents.targetId, id)))
    .orderBy(asc(auditEvents.seq));
const failure = async (p: Promise<unknown>): Promise<AppError> => {
  try {
    await p;
  } catch (e) {
    if (isAppError(e)) return e;
    throw e;
  }
  throw new Error("expected an AppError");
};

beforeAll(async () => {
  t = await createTestDatabase();
  await seedGraph(t.db, baseGraph());
  analyst = await actorByEmail(t, "ana@example.com");
  reviewer = await actorByEmail(t, "ada@example.com");
  auditor = await actorByEmail(t, "audit@example.com");
  await importDoc(t.db, analyst, lab("vault"));
  for (const x of ["a1", "a2", "a3"]) ids[x] = await nodeId(t.db, "lab", "agent", x);
  for (const x of ["shared", "later"]) ids[x] = await nodeId(t.db, "lab", "credential", x);
  engine = await startTestEngine(t, { only: [APPLY_SUPPRESSION] });
}, 120_000);
afterAll(async () => {
  await engine?.stop();
  await t.cleanup();
});

const until = daysFromNow(30).slice(0, 10);

describe("creating a suppression", () => {
  it("needs findings.manage: a reviewer and an auditor are forbidden; a reviewer cannot list", async () => {
    const input = { scope: "subject", nodeId: ids.a1, reason: "break-glass", expiresAt: until };
    expect((await failure(createSuppression(t.db, reviewer, input))).code).toBe("forbidden");
    expect((await failure(createSuppression(t.db, auditor, input))).code).toBe("forbidden");
    expect((await failure(listSuppressions(t.db, reviewer, { limit: 50 }))).code).toBe("forbidden");
    expect((await listSuppressions(t.db, auditor, { limit: 50 })).items).toEqual([]);
    expect(await t.db.select().from(findingSuppressions)).toHaveLength(0);
  });

  it("answers 400 naming each bad field, never quoting the input", async () => {
    const paths = async (input: unknown) => {
      const e = await failure(createSuppression(t.db, analyst, input, { enqueue }));
      expect(e.code).toBe("validation");
      expect(e.message).not.toContain("sneaky-value");
      return e.details.map((d) => d.path).sort();
    };
    expect(await paths({ scope: "sneaky-value", nodeId: ids.a1, expiresAt: until })).toEqual(["reason", "scope"]);
    expect(await paths({ rule: "sneaky-value", scope: "via", nodeId: ids.a1, reason: "x".repeat(501), expiresAt: "sneaky-value" })).toEqual([
      "expiresAt",
      "reason",
      "rule",
    ]);
    expect(await paths({ scope: "via", nodeId: ids.a1, reason: "r", expiresAt: until, matched: 5 })).toEqual(["matched"]);
    expect(await paths({ scope: "via", nodeId: ids.a1, reason: "r", expiresAt: daysFromNow(-1) })).toEqual(["expiresAt"]);
    expect(await paths({ scope: "via", nodeId: ids.a1, reason: "r", expiresAt: daysFromNow(367) })).toEqual(["expiresAt"]);
    expect(await paths({ scope: "via", nodeId: "sneaky-value", reason: "r", expiresAt: until })).toEqual(["nodeId"]);
    expect(await t.db.select().from(findingSuppressions)).toHaveLength(0);
  });

  it("writes nothing when its audit event cannot be written: row and event are one transaction", async () => {
    await t.db.execute(sql.raw(`alter table audit_events add constraint no_sup_create check (action <> 'finding.suppression.create') not valid`));
    try {
      await expect(createSuppression(t.db, analyst, { scope: "subject", nodeId: ids.a3, reason: "r", expiresAt: until }, { enqueue })).rejects.toThrow();
    } finally {
      await t.db.execute(sql.raw(`alter table audit_events drop constraint no_sup_create`));
    }
    expect(await t.db.select().from(findingSuppressions)).toHaveLength(0);
  });

  it("is applied by the job: the open findings its rule and scope match are accepted with its reason, expiry, creator and id, audited", async () => {
    const created = await createSuppression(
      t.db,
      analyst,
      { rule: null, scope: "via", nodeId: ids.a1, reason: "agent one is the break-glass agent", expiresAt: until },
      { enqueue },
    );
    ids.s1 = created.id;
    expect(created).toMatchObject({
      status: "applying",
      rule: null,
      scope: { kind: "via", node: { id: ids.a1, name: "agent one" } },
      createdBy: "ana@example.com",
    });
    await eventually("the suppression applied", async () => (await suppression(created.id)).appliedAt);
    // Through a1: its own ownerless finding and the shared credential's finding (a1 is in its evidence).
    for (const f of [await finding("no_active_owner", ids.a1!), await finding("shared_credential", ids.shared!)]) {
      expect(f).toMatchObject({
        status: "accepted",
        suppressionId: created.id,
        acceptedReason: "Accepted by rule: agent one is the break-glass agent",
        acceptedBy: "ana@example.com",
      });
      expect(f.acceptedUntil!.toISOString()).toBe(created.expiresAt);
    }
    for (const x of ["a2", "a3"]) expect((await finding("no_active_owner", ids[x]!)).status).toBe("open");
    expect((await suppression(created.id)).matched).toBe(2);
    const events = await eventsOf(created.id);
    expect(events.map((e) => e.action)).toEqual(["finding.suppression.create", "finding.suppression.apply"]);
    expect(events[0]!.actorId).toBe(analyst.id);
    expect(events[1]!.after).toMatchObject({ accepted: 2 });
    const list = await listSuppressions(t.db, auditor, { limit: 50 });
    expect(list.items[0]).toMatchObject({ id: created.id, status: "active", matched: 2 });
  });

  it("refuses a second active suppression with the same rule and scope (409)", async () => {
    const e = await failure(createSuppression(t.db, analyst, { scope: "via", nodeId: ids.a1, reason: "again", expiresAt: until }, { enqueue }));
    expect(e.code).toBe("conflict");
  });
});

describe("at evaluation", () => {
  it("a new finding an active suppression matches is written accepted at once, without the job", async () => {
    const s2 = await createSuppression(t.db, analyst, {
      rule: "hardcoded_secret",
      scope: "subject",
      nodeId: ids.later,
      reason: "test fixture",
      expiresAt: until,
    });
    ids.s2 = s2.id;
    // Nothing enqueued: no engine in this call. The next import's evaluation finds the hard-coded secret.
    await importDoc(t.db, analyst, lab("hard_coded"));
    const f = await finding("hardcoded_secret", ids.later!);
    expect(f).toMatchObject({ status: "accepted", suppressionId: s2.id, acceptedReason: "Accepted by rule: test fixture" });
    expect((await suppression(s2.id)).matched).toBe(1);
    // Other rules about the same credential are not this suppression's.
    expect((await finding("no_active_owner", ids.later!)).status).toBe("open");
  });

  it("a cause scope accepts the findings of that cause and refreshes its group", async () => {
    // The engine's cause of an ownerless agent is the agent itself (no path behind the finding).
    expect((await finding("no_active_owner", ids.a3!)).causeId).toBe(ids.a3);
    await refreshGroups(t.db, "all", new Date());
    expect(await t.db.select().from(findingGroups).where(eq(findingGroups.causeId, ids.a3!))).toHaveLength(1);
    const s3 = await createSuppression(
      t.db,
      analyst,
      { rule: "no_active_owner", scope: "cause", nodeId: ids.a3, reason: "cause", expiresAt: until },
      { enqueue },
    );
    await eventually("applied", async () => (await suppression(s3.id)).appliedAt);
    expect(await finding("no_active_owner", ids.a3!)).toMatchObject({ status: "accepted", suppressionId: s3.id });
    expect(await t.db.select().from(findingGroups).where(eq(findingGroups.causeId, ids.a3!))).toHaveLength(0);
  });
});

describe("revoking", () => {
  it("reopens the findings it accepted (by the job), audited; it accepts nothing more; again changes nothing", async () => {
    const revoked = await revokeSuppression(t.db, analyst, ids.s1!, { enqueue });
    expect(revoked.status).toMatch(/^revok/);
    await eventually("released", async () => (await suppression(ids.s1!)).releasedAt);
    for (const f of [await finding("no_active_owner", ids.a1!), await finding("shared_credential", ids.shared!)])
      expect(f).toMatchObject({ status: "open", suppressionId: null, acceptedReason: null, acceptedUntil: null, acceptedBy: null });
    expect(await suppression(ids.s1!)).toMatchObject({ matched: 2, revokedBy: "ana@example.com" });
    expect((await eventsOf(ids.s1!)).map((e) => e.action)).toEqual([
      "finding.suppression.create",
      "finding.suppression.apply",
      "finding.suppression.revoke",
      "finding.suppression.release",
    ]);
    expect((await revokeSuppression(t.db, analyst, ids.s1!, { enqueue })).status).toBe("revoked");
    expect(await eventsOf(ids.s1!)).toHaveLength(4);
    // An evaluation now leaves them open: the revoked suppression matches nothing.
    await evaluateFindings(t.db, analyst);
    expect((await finding("no_active_owner", ids.a1!)).status).toBe("open");
    expect((await failure(revokeSuppression(t.db, reviewer, ids.s2!))).code).toBe("forbidden");
  });
});

describe("expiry", () => {
  it("reopens the findings when it runs out, clearing the suppression, in incremental and full evaluations", async () => {
    const past = new Date(Date.now() - 2 * DAY);
    const ended = new Date(Date.now() - DAY).toISOString();
    const a = await createSuppression(t.db, analyst, { scope: "subject", nodeId: ids.a2, reason: "short", expiresAt: ended }, { now: past });
    const b = await createSuppression(
      t.db,
      analyst,
      { rule: "no_active_owner", scope: "subject", nodeId: ids.shared, reason: "short", expiresAt: ended },
      { now: past },
    );
    for (const s of [a, b]) expect((await settleSuppression(t.db, s.id, { now: past })).did).toBe("applied");
    expect(await finding("no_active_owner", ids.a2!)).toMatchObject({ status: "accepted", suppressionId: a.id });
    await evaluateIncremental(t.db, { nodeIds: [], edgeIds: [], sourceIds: [], full: false });
    expect(await finding("no_active_owner", ids.a2!)).toMatchObject({ status: "open", suppressionId: null, acceptedReason: null });
    expect(await finding("no_active_owner", ids.shared!)).toMatchObject({ status: "open", suppressionId: null });
    expect((await listSuppressions(t.db, analyst, { limit: 50 })).items.find((s) => s.id === a.id)?.status).toBe("expired");
    // The full evaluation's path: accepted by b again (as of the past), then evaluated now.
    await t.db
      .update(findings)
      .set({ status: "accepted", acceptedReason: "x", acceptedUntil: new Date(ended), suppressionId: b.id })
      .where(inArray(findings.id, [(await finding("no_active_owner", ids.shared!)).id]));
    await evaluateFindings(t.db, analyst);
    expect(await finding("no_active_owner", ids.shared!)).toMatchObject({ status: "open", suppressionId: null, acceptedUntil: null });
  });
});

describe("a person's acceptance running out", () => {
  it("under an active suppression: the finding is accepted by the suppression again at once", async () => {
    const s6 = await createSuppression(t.db, analyst, { rule: "no_active_owner", scope: "subject", nodeId: ids.a2, reason: "covered", expiresAt: until });
    expect((await settleSuppression(t.db, s6.id)).did).toBe("applied");
    const f = await finding("no_active_owner", ids.a2!);
    // Fixture: a person had accepted it instead, and that acceptance has just run out.
    await t.db
      .update(findings)
      .set({ acceptedReason: "a person's", acceptedUntil: new Date(Date.now() - 1000), acceptedBy: "someone", suppressionId: null })
      .where(eq(findings.id, f.id));
    await evaluateIncremental(t.db, { nodeIds: [], edgeIds: [], sourceIds: [], full: false });
    expect(await finding("no_active_owner", ids.a2!)).toMatchObject({ status: "accepted", suppressionId: s6.id, acceptedReason: "Accepted by rule: covered" });
    await revokeSuppression(t.db, analyst, s6.id);
    expect((await settleSuppression(t.db, s6.id)).did).toBe("released");
  });
});

describe("evidence", () => {
  it("exports every suppression (rule, scope, reason, expiry, creator, matched) and the findings they accepted", async () => {
    const out = await exportAcceptanceEvidence(t.db, auditor, { format: "json" });
    if (out.format !== "json") throw new Error("json expected");
    const body = out.body as {
      suppressions: {
        id: string;
        rule: string | null;
        scope: string;
        node: { name: string };
        reason: string;
        expiresAt: string;
        createdBy: string;
        matched: number;
        status: string;
      }[];
      acceptedFindings: { id: string; suppressionId: string | null; rule: string }[];
    };
    expect(body.suppressions.find((s) => s.id === ids.s1)).toMatchObject({
      rule: null,
      scope: "via",
      node: { name: "agent one" },
      reason: "agent one is the break-glass agent",
      createdBy: "ana@example.com",
      matched: 2,
      status: "revoked",
    });
    expect(body.suppressions.find((s) => s.id === ids.s2)).toMatchObject({ rule: "hardcoded_secret", status: "active", matched: 1 });
    expect(body.acceptedFindings).toContainEqual(expect.objectContaining({ rule: "hardcoded_secret", suppressionId: ids.s2 }));
    const zip = await exportAcceptanceEvidence(t.db, auditor, { format: "zip" });
    if (zip.format !== "zip") throw new Error("zip expected");
    const files = unzipSync(zip.bytes);
    expect(Object.keys(files).sort()).toEqual([
      "README.txt",
      "acceptances.json",
      "accepted-findings.csv",
      "audit-extract.csv",
      "manifest.json",
      "suppressions.csv",
    ]);
    expect(strFromU8(files["suppressions.csv"]!)).toContain(`"${ids.s2}","active","hardcoded_secret","subject","cred later"`);
    expect(strFromU8(files["audit-extract.csv"]!)).toContain("finding.suppression.release");
    expect((await failure(exportAcceptanceEvidence(t.db, analyst, { format: "json" }))).code).toBe("forbidden");
  });
});
