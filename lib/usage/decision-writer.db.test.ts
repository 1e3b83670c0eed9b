import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auditEvents, decisionLog, toolUsage } from "@/db/schema";
import { verifyAuditChain } from "@/lib/audit/emit-audit";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { batchHash, DECISIONS_LOGGED } from "./decision-batch";
import { configureDecisionSampling, MAX_PENDING, pendingDecisions, recordDecision, resetDecisionLogForTests } from "./decision-log";
import { BATCH_MAX, flushDecisions, resetDecisionWriterForTests } from "./decision-writer";
import { decision } from "./test-decision";
import { verifyDecisionLog } from "./verify-decisions";
import { runDecisionsVerify } from "./verify-decisions-cli";
import { startDecisionFlusher, stopDecisionFlusher } from "./decision-flusher";

let t: TestDatabase;
/** Batches of earlier tests lost their rows to beforeEach: each test verifies its own. */
let fromSeq = 0;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.cleanup());
beforeEach(async () => {
  resetDecisionLogForTests();
  resetDecisionWriterForTests();
  await t.db.delete(decisionLog);
  await t.db.delete(toolUsage);
  fromSeq = (await t.db.select({ seq: auditEvents.seq }).from(auditEvents)).reduce((m, r) => Math.max(m, r.seq), 0);
});
const verify = () => verifyDecisionLog(t.db, { afterSeq: fromSeq });

const batchEvents = () => t.db.select().from(auditEvents).where(eq(auditEvents.action, DECISIONS_LOGGED)).orderBy(asc(auditEvents.seq));

describe("the decision log writer", () => {
  it("writes a batch in one transaction with one audit event carrying count, first/last decidedAt and the rows' hash; each row points at it", async () => {
    const before = (await batchEvents()).length;
    recordDecision(decision({ decidedAt: new Date("2026-12-01T10:00:02.000Z"), requestId: "b" }));
    recordDecision(decision({ decidedAt: new Date("2026-12-01T10:00:01.000Z"), requestId: "a", decision: false, reasonCode: "no_path" }));
    recordDecision(decision({ decidedAt: new Date("2026-12-01T10:00:03.000Z"), requestId: "c", context: { reason: "ok", nested: { z: 1, a: [1, "x"] } } }));
    const r = await flushDecisions(t.db);
    expect(r).toMatchObject({ batches: 1, rows: 3 });
    expect(pendingDecisions()).toBe(0);
    const events = await batchEvents();
    expect(events).toHaveLength(before + 1);
    const e = events.at(-1)!;
    expect(e.id).toBe(r.auditIds[0]);
    expect(e.actorType).toBe("system");
    const rows = await t.db.select().from(decisionLog).orderBy(asc(decisionLog.id));
    expect(rows.every((x) => x.batchAuditId === e.id)).toBe(true);
    expect(e.after).toMatchObject({
      count: 3,
      decisions: 3,
      firstDecidedAt: "2026-12-01T10:00:01.000Z",
      lastDecidedAt: "2026-12-01T10:00:03.000Z",
      sha256: batchHash(rows),
      dropped: 0,
    });
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
    expect(await verify()).toMatchObject({ ok: true, rows: 3, problems: [] });
  });

  it("verification finds a changed row, a deleted row and a row written around the writer", async () => {
    for (let i = 0; i < 4; i++) recordDecision(decision({ requestId: `r${i}` }));
    await flushDecisions(t.db);
    for (let i = 0; i < 2; i++) recordDecision(decision({ requestId: `s${i}`, decision: false, reasonCode: "no_path" }));
    await flushDecisions(t.db);
    expect((await verify()).ok).toBe(true);

    const [victim] = await t.db.select().from(decisionLog).where(eq(decisionLog.requestId, "r2"));
    // A deny rewritten as an allow.
    await t.db.update(decisionLog).set({ decision: false }).where(eq(decisionLog.id, victim!.id));
    let v = await verify();
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual([{ auditEventId: victim!.batchAuditId, seq: expect.any(Number), reason: expect.stringMatching(/hash/) }]);
    await t.db.update(decisionLog).set({ decision: true }).where(eq(decisionLog.id, victim!.id));
    expect((await verify()).ok).toBe(true);

    await t.db.delete(decisionLog).where(eq(decisionLog.requestId, "s1"));
    v = await verify();
    expect(v.ok).toBe(false);
    expect(v.problems[0]!.reason).toMatch(/recorded 2 rows; 1 are in the log/);

    await t.db.insert(decisionLog).values({ ...victim!, id: "dec_forged", batchAuditId: null });
    v = await verify();
    expect(v.problems.map((p) => p.reason)).toContainEqual(expect.stringMatching(/1 rows name no batch event/));
  });

  it("allowed tools/call decisions upsert tool_usage in the batch: last use, calls += weight, seen via pdp; denies do not count", async () => {
    configureDecisionSampling({ allowRate: 0.5, random: () => 0 }); // weight 2, every draw kept
    recordDecision(decision({ decidedAt: new Date("2026-12-01T10:00:00Z") }));
    recordDecision(decision({ decidedAt: new Date("2026-12-02T10:00:00Z") }));
    recordDecision(decision({ decidedAt: new Date("2026-12-03T10:00:00Z"), decision: false, reasonCode: "revoked" }));
    recordDecision(decision({ action: "resources/read", resourceId: "res_1" }));
    await flushDecisions(t.db);
    recordDecision(decision({ decidedAt: new Date("2026-11-01T10:00:00Z") }));
    await flushDecisions(t.db);
    const usage = await t.db.select().from(toolUsage);
    expect(usage).toHaveLength(1);
    expect(usage[0]).toMatchObject({
      subjectId: "agt_1",
      toolId: "tool_1",
      calls: 6,
      lastSeenVia: "pdp",
      lastUsedAt: new Date("2026-12-02T10:00:00Z"),
      firstUsedAt: new Date("2026-11-01T10:00:00Z"),
    });
  });

  it("writes at most BATCH_MAX rows per batch, one event each, and reports records dropped at a full intake in the next event", async () => {
    for (let i = 0; i < MAX_PENDING + 7; i++) recordDecision(decision({ decision: false }));
    const r = await flushDecisions(t.db, { maxBatches: 2 });
    expect(r).toMatchObject({ batches: 2, rows: 2 * BATCH_MAX });
    const events = (await batchEvents()).slice(-2);
    expect(events.map((e) => (e.after as { dropped: number }).dropped)).toEqual([7, 0]);
    expect(events.map((e) => (e.after as { count: number }).count)).toEqual([BATCH_MAX, BATCH_MAX]);
    expect(pendingDecisions()).toBe(MAX_PENDING - 2 * BATCH_MAX);
    resetDecisionLogForTests();
  });

  it("a batch that fails to write is given back and written next time; failing twice, its records are counted as dropped", async () => {
    const failing = Object.create(t.db) as typeof t.db;
    failing.transaction = (() => Promise.reject(new Error("connection lost"))) as never;
    recordDecision(decision({ requestId: "kept" }));
    await expect(flushDecisions(failing)).rejects.toThrow(/connection lost/);
    expect(pendingDecisions()).toBe(0); // held for the retry, ahead of newer records
    await flushDecisions(t.db);
    expect((await t.db.select().from(decisionLog)).map((r) => r.requestId)).toEqual(["kept"]);

    recordDecision(decision({ requestId: "lost-1" }));
    recordDecision(decision({ requestId: "lost-2" }));
    await expect(flushDecisions(failing)).rejects.toThrow();
    await expect(flushDecisions(failing)).rejects.toThrow();
    recordDecision(decision({ requestId: "after" }));
    await flushDecisions(t.db);
    const last = (await batchEvents()).at(-1)!;
    expect(last.after).toMatchObject({ count: 1, dropped: 2 });
    expect((await verify()).ok).toBe(true);
  });

  it("decisions:verify exits 1 naming the batch whose row was changed, and 2 on an unknown option", async () => {
    recordDecision(decision({ requestId: "cli" }));
    const { auditIds } = await flushDecisions(t.db);
    const lines: string[] = [];
    const io = { env: {}, out: (l: string) => lines.push(l), err: (l: string) => lines.push(l), open: async () => t };
    const before = await verify();
    expect(before.ok).toBe(true);
    await t.db.update(decisionLog).set({ reasonCode: "forged" }).where(eq(decisionLog.requestId, "cli"));
    const code = await runDecisionsVerify([], io);
    expect(code).toBe(1);
    expect(lines.join("\n")).toContain(`batch ${auditIds[0]}`);
    expect(await runDecisionsVerify(["--bogus"], io)).toBe(2);
  });

  it("the server's flusher refuses a bad ATTEST_PDP_ALLOW_SAMPLE, writes when woken, and writes what waits when stopped", async () => {
    expect(() => startDecisionFlusher(t.db, { ATTEST_PDP_ALLOW_SAMPLE: "2" })).toThrow(/ATTEST_PDP_ALLOW_SAMPLE/);
    startDecisionFlusher(t.db, {});
    try {
      for (let i = 0; i < 1_500; i++) recordDecision(decision({ decision: false, requestId: `f${i}` }));
    } finally {
      await stopDecisionFlusher();
    }
    expect(pendingDecisions()).toBe(0);
    expect((await t.db.select().from(decisionLog)).length).toBe(1_500);
    expect((await verify()).ok).toBe(true);
  });
});
