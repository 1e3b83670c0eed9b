import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "@/db/schema";
import { systemActor } from "@/lib/authz/actor";
import { createTestDatabase, testTarget, type TestDatabase } from "@/lib/testing/test-db";
import { emitAudit, GENESIS_HASH, verifyAuditChain } from "./emit-audit";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.cleanup());

describe(`concurrent audited actions (${testTarget()})`, () => {
  it("200 concurrent transactions each append one event, and the chain verifies in one total order", async () => {
    const start = await verifyAuditChain(t.db);
    const n = 200;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        t.db.transaction(async (tx) => {
          // Some work of the change itself first, so transactions overlap before they reach the audit append.
          await tx.execute(sql`select ${i}::int as i`);
          return emitAudit(tx, systemActor("load"), { action: "test.concurrent", target: { type: "node", id: `n${i}` }, after: { i } });
        }),
      ),
    );
    const v = await verifyAuditChain(t.db);
    expect(v.ok).toBe(true);
    expect(v.entries).toBe(start.entries + n);

    const rows = await t.db.select().from(auditEvents).orderBy(auditEvents.seq);
    // One total order: every event points at the one before it, so no two share a predecessor (no fork).
    expect(new Set(rows.map((r) => r.prevHash)).size).toBe(rows.length);
    expect(rows[0]!.prevHash).toBe(GENESIS_HASH);
    rows.forEach((r, i) => i > 0 && expect(r.prevHash).toBe(rows[i - 1]!.hash));
    // Appends are serialised, so chain order is also time order.
    rows.forEach((r, i) => i > 0 && expect(r.occurredAt.getTime()).toBeGreaterThanOrEqual(rows[i - 1]!.occurredAt.getTime()));
    // Every transaction's event is in the chain exactly once, the last one is the head.
    const hashes = new Set(rows.map((r) => r.hash));
    expect(results.every((r) => hashes.has(r.hash))).toBe(true);
    expect(new Set(rows.filter((r) => r.action === "test.concurrent").map((r) => (r.after as { i: number }).i)).size).toBe(n);
    expect(v.head).toBe(rows[rows.length - 1]!.hash);
  });

  it("transactions that roll back under concurrency leave no event and no gap in the chain", async () => {
    const start = await verifyAuditChain(t.db);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        t.db.transaction(async (tx) => {
          await emitAudit(tx, systemActor("load"), { action: "test.maybe", after: { i } });
          if (i % 2 === 1) throw new Error("the change failed");
        }),
      ),
    );
    expect(outcomes.filter((o) => o.status === "rejected")).toHaveLength(20);
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, entries: start.entries + 20 });
  });
});
