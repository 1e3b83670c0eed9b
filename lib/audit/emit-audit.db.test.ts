import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "@/db/schema";
import { systemActor } from "@/lib/authz/actor";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-db";
import { emitAudit, GENESIS_HASH, verifyAuditChain } from "./emit-audit";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.cleanup());

describe("audit log", () => {
  it("chains each event to the previous one and verifies", async () => {
    const actor = systemActor("test");
    const a = await t.db.transaction((tx) => emitAudit(tx, actor, { action: "test.one", target: { type: "node", id: "n1" }, after: { b: 2, a: 1 } }));
    const b = await t.db.transaction((tx) => emitAudit(tx, actor, { action: "test.two", before: { x: [1, { z: 1, y: 2 }] } }));
    const rows = await t.db.select().from(auditEvents).orderBy(auditEvents.seq);
    expect(rows[0]!.prevHash).toBe(GENESIS_HASH);
    expect(rows[1]!.prevHash).toBe(a.hash);
    const v = await verifyAuditChain(t.db);
    expect(v).toEqual({ ok: true, entries: 2, head: b.hash });
  });

  it("refuses to append inside a repeatable read transaction, whose snapshot could fork the chain", async () => {
    const before = (await verifyAuditChain(t.db)).entries;
    await expect(
      t.db.transaction((tx) => emitAudit(tx, systemActor("test"), { action: "test.snapshot" }), { isolationLevel: "repeatable read" }),
    ).rejects.toThrow(/read committed/);
    expect((await verifyAuditChain(t.db)).entries).toBe(before);
  });

  it("refuses updates and deletes of events", async () => {
    await expect(t.db.execute(sql`update audit_events set action = 'forged'`)).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/append-only/) },
    });
    await expect(t.db.execute(sql`delete from audit_events`)).rejects.toMatchObject({ cause: { message: expect.stringMatching(/append-only/) } });
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });

  it("an event written in a transaction that fails is not kept", async () => {
    const before = (await verifyAuditChain(t.db)).entries;
    await expect(
      t.db.transaction(async (tx) => {
        await emitAudit(tx, systemActor("test"), { action: "test.rolled-back" });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect((await verifyAuditChain(t.db)).entries).toBe(before);
  });

  it("detects an event whose content was altered behind the trigger's back", async () => {
    await t.db.execute(sql`alter table audit_events disable trigger audit_events_no_update`);
    await t.db.execute(sql`update audit_events set action = 'forged' where seq = (select min(seq) from audit_events)`);
    await t.db.execute(sql`alter table audit_events enable trigger audit_events_no_update`);
    const v = await verifyAuditChain(t.db);
    expect(v.ok).toBe(false);
    expect(v.brokenAt?.reason).toMatch(/content/);
    expect(v.entries).toBe(0);
  });
});
