import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openDatabase, type Database } from "@/db/client";
import { migrate, MIGRATIONS_FOLDER } from "@/db/migrate";
import { auditEvents } from "@/db/schema";
import { systemActor } from "@/lib/authz/actor";
import { listPartitions } from "@/lib/db/partitions";
import { testTarget } from "@/lib/testing/test-db";
import { emitAudit, verifyAuditChain } from "./emit-audit";

/**
 * An existing database (the PGlite demo, a PostgreSQL deployment) is at
 * migration 0023 with an unpartitioned audit log; 0024_audit_partitions moves
 * its events into the partitioned table: same seq, ids and hashes, the
 * identity sequence where it was, a partition for every month that has
 * events, and the chain goes on from the same head.
 */
const PREVIOUS = "0023_campaign_paging_and_trigger_watermark";
let database: Database;
let dropDatabase = async () => {};
let folder: string;

async function openBlank(): Promise<Database> {
  if (testTarget() === "pglite") return openDatabase({ dataDir: "memory://" });
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error("ATTEST_TEST_DB=postgres needs TEST_DATABASE_URL");
  const { Client } = await import("pg");
  const name = `attest_t_${randomBytes(6).toString("hex")}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  dropDatabase = async () => {
    const c = new Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
  };
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return openDatabase({ url: url.toString() });
}

/** The migrations up to and including `last`, as a folder of their own. */
function migrationsUpTo(last: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "attest-migrations-"));
  cpSync(MIGRATIONS_FOLDER, dir, { recursive: true });
  const journalPath = path.join(dir, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { tag: string; idx: number }[] };
  const stop = journal.entries.find((e) => e.tag === last)!.idx;
  journal.entries = journal.entries.filter((e) => e.idx <= stop);
  writeFileSync(journalPath, JSON.stringify(journal));
  return dir;
}

async function migrateTo(db: Database, dir: string) {
  const config = { migrationsFolder: dir };
  if (db.kind === "pglite") {
    const { migrate: run } = await import("drizzle-orm/pglite/migrator");
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await run(db.db as any, config);
  } else {
    const { migrate: run } = await import("drizzle-orm/node-postgres/migrator");
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await run(db.db as any, config);
  }
}

async function emitAt(iso: string, action: string) {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date(iso));
  try {
    return await database.db.transaction((tx) => emitAudit(tx, systemActor("test"), { action, target: { type: "node", id: action }, after: { iso } }));
  } finally {
    vi.useRealTimers();
  }
}

const one = async <T>(q: ReturnType<typeof sql>) => ((await database.db.execute(q)) as unknown as { rows: T[] }).rows[0]!;

beforeAll(async () => {
  database = await openBlank();
  folder = migrationsUpTo(PREVIOUS);
  await migrateTo(database, folder);
});
afterAll(async () => {
  await database.close();
  await dropDatabase();
  rmSync(folder, { recursive: true, force: true });
});

describe(`migration 0024_audit_partitions on an existing audit log (${testTarget()})`, () => {
  it("moves every event into monthly partitions and the chain goes on from the same head", async () => {
    expect((await one<{ relkind: string }>(sql`select relkind from pg_class where relname = 'audit_events'`)).relkind).toBe("r");
    await emitAt("2025-11-30T23:59:59.999Z", "test.november");
    await emitAt("2025-12-01T00:00:00.000Z", "test.december");
    await emitAt("2025-12-31T12:00:00.000Z", "test.december-late");
    await emitAt("2026-01-02T08:00:00.000Z", "test.january");
    // A rolled-back append uses up a sequence number: the partitioned table must not hand it out again.
    await expect(
      database.db.transaction(async (tx) => {
        await emitAudit(tx, systemActor("test"), { action: "test.rolled-back" });
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    const before = await database.db.select().from(auditEvents).orderBy(auditEvents.seq);
    const head = await verifyAuditChain(database.db);
    expect(head).toMatchObject({ ok: true, entries: 4 });

    await migrate(database);

    expect((await one<{ relkind: string }>(sql`select relkind from pg_class where relname = 'audit_events'`)).relkind).toBe("p");
    expect((await one<{ present: boolean }>(sql`select to_regclass('public.audit_events_unpartitioned') is not null as present`)).present).toBe(false);
    const after = await database.db.select().from(auditEvents).orderBy(auditEvents.seq);
    expect(after).toEqual(before);
    const names = (await listPartitions(database.db, "audit_events")).map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(["audit_events_2025_11", "audit_events_2025_12", "audit_events_2026_01", "audit_events_default"]));
    const where = async (id: string) => (await one<{ p: string }>(sql`select tableoid::regclass::text as p from audit_events where id = ${id}`)).p;
    expect(await where(before[0]!.id)).toBe("audit_events_2025_11");
    expect(await where(before[1]!.id)).toBe("audit_events_2025_12");
    expect(await where(before[3]!.id)).toBe("audit_events_2026_01");
    expect(await verifyAuditChain(database.db)).toEqual(head);

    const next = await database.db.transaction((tx) => emitAudit(tx, systemActor("test"), { action: "test.after-migration" }));
    const [row] = await database.db
      .select()
      .from(auditEvents)
      .where(sql`${auditEvents.id} = ${next.id}`);
    expect(row!.prevHash).toBe(head.head);
    expect(row!.seq).toBe(before.at(-1)!.seq + 2); // the rolled-back number stays used
    expect(await verifyAuditChain(database.db, { anchor: head.head })).toMatchObject({ ok: true, entries: 5, anchor: { found: true } });
  });

  it("keeps the log append-only after the move, on the parent and every partition", async () => {
    const refused = async (q: string) => {
      try {
        await database.db.execute(sql.raw(q));
        return "no error";
      } catch (e) {
        return (e as { cause?: Error }).cause?.message ?? (e as Error).message;
      }
    };
    expect(await refused(`update audit_events set action = 'forged'`)).toMatch(/append-only/);
    expect(await refused(`delete from audit_events_2025_12`)).toMatch(/append-only/);
    expect(await refused(`truncate audit_events_2025_11`)).toMatch(/append-only/);
    expect(await refused(`truncate audit_events`)).toMatch(/append-only/);
    expect((await verifyAuditChain(database.db)).ok).toBe(true);
  });
});
