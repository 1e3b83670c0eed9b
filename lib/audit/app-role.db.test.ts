import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database, Db } from "@/db/client";
import { migrate } from "@/db/migrate";
import { auditEvents, campaigns, nodes } from "@/db/schema";
import { systemActor } from "@/lib/authz/actor";
import { ensureMonthPartitions, listPartitions } from "@/lib/db/partitions";
import { createTestDatabase, testTarget, type TestDatabase } from "@/lib/testing/test-db";
import { emitAudit, verifyAuditChain } from "./emit-audit";

/**
 * Migration 0004 creates the role attest_app, which a PostgreSQL deployment
 * connects as. On PostgreSQL these tests connect as that role; PGlite has one
 * connection, so there they switch to it with SET ROLE (the embedded app itself
 * always runs as the superuser, and the trigger is what holds there).
 */
let t: TestDatabase;
let app: Database;

beforeAll(async () => {
  t = await createTestDatabase();
  await t.db.transaction((tx) => emitAudit(tx, systemActor("test"), { action: "test.seed" }));
  if (testTarget() === "postgres") {
    const { Pool } = await import("pg");
    const { drizzle } = await import("drizzle-orm/node-postgres");
    const url = (t.pool as unknown as { options: { connectionString: string } }).options.connectionString;
    const pool = new Pool({ connectionString: url, max: 2, options: "-c role=attest_app" });
    app = { db: drizzle({ client: pool }) as unknown as Db, kind: "postgres", pool, close: () => pool.end() };
  } else {
    await t.db.execute(sql`set role attest_app`);
    app = t;
  }
});
afterAll(async () => {
  if (app !== t) await app.close();
  else await t.db.execute(sql`reset role`);
  await t.cleanup();
});

describe(`the application role attest_app (${testTarget()})`, () => {
  it("is the role in use", async () => {
    const r = (await app.db.execute(sql`select current_user as u`)) as unknown as { rows: { u: string }[] };
    expect(r.rows[0]!.u).toBe("attest_app");
  });

  it("starts the app: re-running the applied migrations is a no-op it is allowed", async () => {
    await expect(migrate(app)).resolves.toBeUndefined();
  });

  it("reads and writes the graph tables, and tables later migrations created, and appends audit events", async () => {
    await app.db.select().from(nodes).limit(1);
    // campaigns comes from a migration after the one that made the role: default privileges cover it.
    await app.db.select().from(campaigns).limit(1);
    const before = (await verifyAuditChain(app.db)).entries;
    await app.db.transaction((tx) => emitAudit(tx, systemActor("test"), { action: "test.as-app-role" }));
    expect(await verifyAuditChain(app.db)).toMatchObject({ ok: true, entries: before + 1 });
  });

  it("is refused UPDATE, DELETE and TRUNCATE on the audit log by its grants, before any trigger runs, and cannot switch the trigger off", async () => {
    const failure = (statement: ReturnType<typeof sql>) =>
      app.db.execute(statement).then(
        () => "succeeded",
        (e: { cause?: { message?: string }; message: string }) => e.cause?.message ?? e.message,
      );
    // "permission denied" comes from the grants; the trigger would have said "append-only".
    expect(await failure(sql`update ${auditEvents} set action = 'forged'`)).toMatch(/permission denied for table audit_events/);
    expect(await failure(sql`delete from ${auditEvents}`)).toMatch(/permission denied for table audit_events/);
    expect(await failure(sql`truncate ${auditEvents}`)).toMatch(/permission denied for table audit_events/);
    expect(await failure(sql`alter table ${auditEvents} disable trigger audit_events_no_update`)).toMatch(/must be owner/);
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });

  it("keeps partitions ahead through the owner's function, and every partition, old or new, refuses it UPDATE, DELETE and TRUNCATE by grants", async () => {
    const made = await ensureMonthPartitions(app.db, "audit_events", { at: new Date("2035-05-05T00:00:00Z"), monthsAhead: 0 });
    expect(made).toEqual([{ partition: "audit_events_2035_05", moved: 0 }]);
    const failure = (q: string) =>
      app.db.execute(sql.raw(q)).then(
        () => "succeeded",
        (e: { cause?: { message?: string }; message: string }) => e.cause?.message ?? e.message,
      );
    for (const { name } of await listPartitions(t.db, "audit_events")) {
      expect(await failure(`select count(*) from "${name}"`), name).toBe("succeeded");
      expect(await failure(`update "${name}" set action = 'forged'`), name).toMatch(/permission denied for table/);
      expect(await failure(`delete from "${name}"`), name).toMatch(/permission denied for table/);
      expect(await failure(`truncate "${name}"`), name).toMatch(/permission denied for table/);
    }
    expect(await failure(`create table audit_events_2036_01 partition of audit_events for values from ('2036-01-01') to ('2036-02-01')`)).toMatch(
      /permission denied|must be owner/,
    );
  });
});
