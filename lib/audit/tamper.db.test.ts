import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auditEvents } from "@/db/schema";
import { systemActor } from "@/lib/authz/actor";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { emitAudit, GENESIS_HASH, verifyAuditChain } from "./emit-audit";

/**
 * Someone with the database owner's rights (who can switch the trigger off)
 * edits, deletes or reorders rows behind the application's back: verify must
 * name the first row that no longer fits. Each test restores the rows it
 * touched, so the next starts from an intact chain.
 */
let t: TestDatabase;
type Row = typeof auditEvents.$inferSelect;
let rows: Row[];

beforeAll(async () => {
  t = await createTestDatabase();
  for (let i = 1; i <= 6; i++) {
    await t.db.transaction((tx) => emitAudit(tx, systemActor("test"), { action: `test.event-${i}`, target: { type: "node", id: `n${i}` }, after: { i } }));
  }
  rows = await t.db.select().from(auditEvents).orderBy(auditEvents.seq);
});
afterAll(() => t.cleanup());

beforeEach(async () => {
  expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, entries: 6 });
});

/** Runs `fn` with the append-only trigger off, as only the table's owner could. */
async function behindTheTrigger(fn: () => Promise<unknown>) {
  await t.db.execute(sql`alter table audit_events disable trigger audit_events_no_update`);
  try {
    await fn();
  } finally {
    await t.db.execute(sql`alter table audit_events enable trigger audit_events_no_update`);
  }
}

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

async function writeRow(seq: number, r: Row) {
  await t.db.execute(sql`
    update audit_events set id = ${r.id}, occurred_at = ${r.occurredAt.toISOString()}, actor_type = ${r.actorType}, actor_id = ${r.actorId},
      actor_label = ${r.actorLabel}, action = ${r.action}, target_type = ${r.targetType}, target_id = ${r.targetId},
      before = ${json(r.before)}::jsonb, after = ${json(r.after)}::jsonb, request_id = ${r.requestId},
      prev_hash = ${r.prevHash}, hash = ${r.hash}
    where seq = ${seq}`);
}

async function reinsert(r: Row) {
  await t.db.execute(sql`
    insert into audit_events (seq, id, occurred_at, actor_type, actor_id, actor_label, action, target_type, target_id, before, after, request_id, prev_hash, hash)
    overriding system value
    values (${r.seq}, ${r.id}, ${r.occurredAt.toISOString()}, ${r.actorType}, ${r.actorId}, ${r.actorLabel}, ${r.action}, ${r.targetType}, ${r.targetId},
      ${json(r.before)}::jsonb, ${json(r.after)}::jsonb, ${r.requestId}, ${r.prevHash}, ${r.hash})`);
}

describe("tampering with the audit log", () => {
  it("an edited event is named: its content no longer matches its hash", async () => {
    const victim = rows[2]!;
    await behindTheTrigger(() => t.db.execute(sql`update audit_events set after = '{"i": 99}'::jsonb where seq = ${victim.seq}`));
    const v = await verifyAuditChain(t.db);
    expect(v).toMatchObject({
      ok: false,
      entries: 2,
      head: rows[1]!.hash,
      brokenAt: { seq: victim.seq, id: victim.id, reason: expect.stringMatching(/content/) },
    });
    await behindTheTrigger(() => writeRow(victim.seq, victim));
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });

  it("an edit that also recomputes the event's own hash is named by the next event, which points at the old hash", async () => {
    const victim = rows[3]!;
    const { chainHash } = await import("./emit-audit");
    const forged = { ...victim, action: "test.forged" };
    forged.hash = chainHash(victim.prevHash, forged);
    await behindTheTrigger(() => writeRow(victim.seq, forged));
    const v = await verifyAuditChain(t.db);
    expect(v.brokenAt).toMatchObject({ seq: rows[4]!.seq, id: rows[4]!.id, reason: expect.stringMatching(/previous hash/) });
    await behindTheTrigger(() => writeRow(victim.seq, victim));
  });

  it("a deleted event is detected at the event that followed it", async () => {
    const victim = rows[2]!;
    await behindTheTrigger(() => t.db.execute(sql`delete from audit_events where seq = ${victim.seq}`));
    const v = await verifyAuditChain(t.db);
    expect(v).toMatchObject({ ok: false, entries: 2, brokenAt: { seq: rows[3]!.seq, id: rows[3]!.id, reason: expect.stringMatching(/previous hash/) } });
    await reinsert(victim);
  });

  it("two events swapped in the chain order are detected at the first of them", async () => {
    const [a, b] = [rows[1]!, rows[2]!];
    // Ids are unique: park one on a temporary id while the rows trade places.
    await behindTheTrigger(async () => {
      await writeRow(a.seq, { ...b, id: "evt_parked" });
      await writeRow(b.seq, a);
      await writeRow(a.seq, b);
    });
    const v = await verifyAuditChain(t.db);
    expect(v).toMatchObject({ ok: false, entries: 1, brokenAt: { seq: a.seq, id: b.id } });
    await behindTheTrigger(async () => {
      await writeRow(a.seq, { ...a, id: "evt_parked" });
      await writeRow(b.seq, b);
      await writeRow(a.seq, a);
    });
  });

  it("events cut off the end leave a valid shorter chain, which an anchor recorded earlier exposes", async () => {
    const anchor = rows[5]!.hash;
    expect(await verifyAuditChain(t.db, { anchor })).toMatchObject({ ok: true, anchor: { hash: anchor, found: true, seq: rows[5]!.seq } });
    await behindTheTrigger(() => t.db.execute(sql`delete from audit_events where seq = ${rows[5]!.seq}`));
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, entries: 5 });
    expect(await verifyAuditChain(t.db, { anchor })).toMatchObject({ ok: false, entries: 5, anchor: { hash: anchor, found: false, seq: null } });
    await reinsert(rows[5]!);
    expect(await verifyAuditChain(t.db, { anchor: GENESIS_HASH })).toMatchObject({ ok: true, anchor: { found: true } });
  });

  it("verifies in pages exactly as in one pass", async () => {
    expect(await verifyAuditChain(t.db, { pageSize: 2 })).toEqual(await verifyAuditChain(t.db));
  });
});
