import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { auditEvents } from "@/db/schema";
import { systemActor } from "@/lib/authz/actor";
import { ensureMonthPartitions, listPartitions } from "@/lib/db/partitions";
import { PARTITION_UPKEEP, runPartitionUpkeep } from "@/lib/jobs/partition-upkeep";
import { registeredSchedules } from "@/lib/jobs/registry";
import { eventually, startTestEngine } from "@/lib/testing/jobs";
import { jobRuns } from "@/db/schema";
import { createTestDatabase, testTarget, type TestDatabase } from "@/lib/testing/test-db";
import { emitAudit, verifyAuditChain } from "./emit-audit";

/**
 * The audit log is partitioned by month (migration 0024_audit_partitions):
 * the chain runs across partitions, every partition (also those made later,
 * and DEFAULT) refuses UPDATE, DELETE and TRUNCATE, rows that landed in
 * DEFAULT move to their month when it is made, and date ranges prune.
 * Events are written at chosen instants by faking the clock emitAudit reads.
 */
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.cleanup());
afterEach(() => {
  vi.useRealTimers();
});

async function emitAt(iso: string, action: string) {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date(iso));
  try {
    return await t.db.transaction((tx) => emitAudit(tx, systemActor("test"), { action, target: { type: "node", id: action } }));
  } finally {
    vi.useRealTimers();
  }
}

const partitionOf = async (id: string) =>
  ((await t.db.execute(sql`select tableoid::regclass::text as p from audit_events where id = ${id}`)) as unknown as { rows: { p: string }[] }).rows[0]?.p;

const rowsIn = async (partition: string) =>
  Number(((await t.db.execute(sql.raw(`select count(*) as n from "${partition}"`))) as unknown as { rows: { n: string }[] }).rows[0]!.n);

const failure = async (q: string) => {
  try {
    await t.db.execute(sql.raw(q));
    return "no error";
  } catch (e) {
    return (e as { cause?: Error }).cause?.message ?? (e as Error).message;
  }
};

/** The append-only guarantee on one partition: its triggers (row triggers fire only on rows, so also checked present) and, when it holds rows, refusals. */
async function expectAppendOnly(p: string) {
  const triggers = (await t.db.execute(
    sql`select tgname, tgenabled from pg_trigger where tgrelid = ${p}::regclass and tgname in ('audit_events_no_update', 'audit_events_no_truncate') order by tgname`,
  )) as unknown as { rows: { tgname: string; tgenabled: string }[] };
  expect(triggers.rows, p).toEqual([
    { tgname: "audit_events_no_truncate", tgenabled: "O" },
    { tgname: "audit_events_no_update", tgenabled: "O" },
  ]);
  expect(await failure(`truncate "${p}"`), p).toMatch(/append-only \(TRUNCATE refused\)/);
  if ((await rowsIn(p)) === 0) return;
  expect(await failure(`update "${p}" set action = 'forged'`), p).toMatch(/append-only \(UPDATE refused\)/);
  expect(await failure(`delete from "${p}"`), p).toMatch(/append-only \(DELETE refused\)/);
}

describe(`the partitioned audit log (${testTarget()})`, () => {
  it("is range-partitioned on occurred_at, with DEFAULT, the current month and three ahead made by the migration", async () => {
    const kind = (await t.db.execute(sql`select partstrat from pg_partitioned_table where partrelid = 'audit_events'::regclass`)) as unknown as {
      rows: { partstrat: string }[];
    };
    expect(kind.rows[0]?.partstrat).toBe("r");
    const parts = await listPartitions(t.db, "audit_events");
    const now = new Date();
    const month = (i: number) =>
      `audit_events_${new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + i, 1)).toISOString().slice(0, 7).replace("-", "_")}`;
    expect(parts.map((p) => p.name)).toEqual(expect.arrayContaining([month(0), month(1), month(2), month(3), "audit_events_default"]));
    expect(parts.at(-1)).toMatchObject({ name: "audit_events_default", isDefault: true });
    const current = parts.find((p) => p.name === month(0))!;
    expect(current.from!.toISOString()).toBe(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString());
    expect(current.to!.toISOString()).toBe(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString());
  });

  it("continues the chain across a month boundary, each event in its month's partition", async () => {
    await ensureMonthPartitions(t.db, "audit_events", { at: new Date("2030-01-15T00:00:00Z"), monthsAhead: 1 });
    const a = await emitAt("2030-01-31T23:59:59.999Z", "test.january");
    const b = await emitAt("2030-02-01T00:00:00.000Z", "test.february");
    expect(await partitionOf(a.id)).toBe("audit_events_2030_01");
    expect(await partitionOf(b.id)).toBe("audit_events_2030_02");
    const [second] = await t.db
      .select()
      .from(auditEvents)
      .where(sql`${auditEvents.id} = ${b.id}`);
    expect(second!.prevHash).toBe(a.hash);
    expect(await verifyAuditChain(t.db, { pageSize: 1 })).toMatchObject({ ok: true, head: b.hash });
  });

  it("refuses UPDATE, DELETE and TRUNCATE on every partition, including one made later and DEFAULT", async () => {
    const made = await ensureMonthPartitions(t.db, "audit_events", { at: new Date("2031-06-10T00:00:00Z"), monthsAhead: 0 });
    expect(made).toEqual([{ partition: "audit_events_2031_06", moved: 0 }]);
    await emitAt("2031-06-10T12:00:00Z", "test.later");
    expect(await rowsIn("audit_events_2031_06")).toBe(1);
    for (const p of (await listPartitions(t.db, "audit_events")).map((x) => x.name)) await expectAppendOnly(p);
    expect(await failure(`update audit_events set action = 'forged'`)).toMatch(/append-only \(UPDATE refused\)/);
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });

  it("puts an event of a month nobody made in DEFAULT, and moves it to its month when the partition is made", async () => {
    const lost = await emitAt("2040-03-03T03:03:03Z", "test.in-default");
    expect(await partitionOf(lost.id)).toBe("audit_events_default");
    await expectAppendOnly("audit_events_default");
    const made = await ensureMonthPartitions(t.db, "audit_events", { at: new Date("2040-03-01T00:00:00Z"), monthsAhead: 0 });
    expect(made).toEqual([{ partition: "audit_events_2040_03", moved: 1 }]);
    expect(await partitionOf(lost.id)).toBe("audit_events_2040_03");
    expect(await rowsIn("audit_events_default")).toBe(0);
    // Re-attached DEFAULT and the new partition still refuse changes; the moved event kept its seq and hash.
    await expectAppendOnly("audit_events_default");
    await expectAppendOnly("audit_events_2040_03");
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, head: lost.hash });
  });

  it("makes the month of a DEFAULT row even when it is not among the months ahead (nightly run, clock far ahead once)", async () => {
    const stray = await emitAt("2045-11-11T11:11:11Z", "test.stray");
    expect(await partitionOf(stray.id)).toBe("audit_events_default");
    const made = await ensureMonthPartitions(t.db, "audit_events", { monthsAhead: 0 });
    expect(made).toContainEqual({ partition: "audit_events_2045_11", moved: 1 });
    expect(await partitionOf(stray.id)).toBe("audit_events_2045_11");
    expect(await ensureMonthPartitions(t.db, "audit_events", { monthsAhead: 0 })).toEqual([]);
  });

  it("names an event tampered with in an older partition", async () => {
    const [victim] = await t.db
      .select()
      .from(auditEvents)
      .where(sql`${auditEvents.action} = 'test.january'`);
    await t.db.execute(sql`alter table audit_events disable trigger audit_events_no_update`);
    try {
      await t.db.execute(sql`update audit_events_2030_01 set action = 'test.forged' where seq = ${victim!.seq}`);
    } finally {
      await t.db.execute(sql`alter table audit_events enable trigger audit_events_no_update`);
    }
    const v = await verifyAuditChain(t.db, { pageSize: 2 });
    expect(v).toMatchObject({ ok: false, brokenAt: { seq: victim!.seq, id: victim!.id, reason: "event content does not match its hash" } });
    await t.db.execute(sql`alter table audit_events disable trigger audit_events_no_update`);
    try {
      await t.db.execute(sql`update audit_events_2030_01 set action = 'test.january' where seq = ${victim!.seq}`);
    } finally {
      await t.db.execute(sql`alter table audit_events enable trigger audit_events_no_update`);
    }
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });

  it("refuses a second event with the same id and instant (the unique key holds the partition key)", async () => {
    const [r] = await t.db
      .select()
      .from(auditEvents)
      .where(sql`${auditEvents.action} = 'test.february'`);
    const dup = await failure(
      `insert into audit_events (id, occurred_at, actor_type, actor_id, action, prev_hash, hash) values ('${r!.id}', '${r!.occurredAt.toISOString()}', 'system', 'x', 'test.dup', 'p', 'h')`,
    );
    expect(dup).toMatch(/duplicate key value violates unique constraint/);
  });

  it("prunes partitions for a date range and keeps DEFAULT only when the range is not covered", async () => {
    const plan = async (q: string) =>
      JSON.stringify(((await t.db.execute(sql.raw(`explain (format json) ${q}`))) as unknown as { rows: Record<string, unknown>[] }).rows);
    const inFeb = await plan(
      `select * from audit_events where occurred_at >= '2030-02-01T00:00:00Z' and occurred_at < '2030-03-01T00:00:00Z' order by seq desc limit 51`,
    );
    expect(inFeb).toMatch(/audit_events_2030_02/);
    expect(inFeb).not.toMatch(/audit_events_2030_01|audit_events_2031_06|audit_events_default/);
    const all = await plan(`select * from audit_events order by seq desc limit 51`);
    expect(all).toMatch(/audit_events_2030_01/);
    expect(all).toMatch(/audit_events_default/);
  });

  it("the upkeep job audits what it made, in the chain, and a run with nothing to make writes nothing", async () => {
    const at = new Date("2050-07-04T00:00:00Z");
    const first = await runPartitionUpkeep(t.db, at);
    expect(first.audit_events!.map((p) => p.partition)).toEqual([
      "audit_events_2050_07",
      "audit_events_2050_08",
      "audit_events_2050_09",
      "audit_events_2050_10",
    ]);
    const events = await t.db
      .select()
      .from(auditEvents)
      .where(sql`${auditEvents.action} = 'db.partitions.create'`);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ targetType: "table", targetId: "audit_events", after: { partitions: first.audit_events!.map((p) => p.partition) } });
    expect(await runPartitionUpkeep(t.db, at)).toEqual({ audit_events: [] });
    expect(
      await t.db
        .select()
        .from(auditEvents)
        .where(sql`${auditEvents.action} = 'db.partitions.create'`),
    ).toHaveLength(1);
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });

  it("refuses a table that is not range-partitioned, and names that are not plain identifiers", async () => {
    await expect(ensureMonthPartitions(t.db, "nodes")).rejects.toMatchObject({ cause: { message: expect.stringMatching(/not range-partitioned/) } });
    await expect(ensureMonthPartitions(t.db, "audit_events; drop table nodes")).rejects.toThrow(/plain lower-case identifier/);
  });

  it("verifies the rest of the log after the oldest partition is detached for archive, from the archive's head", async () => {
    const all = await t.db.select().from(auditEvents).orderBy(auditEvents.seq);
    const archived = all.filter((r) => r.occurredAt >= new Date("2030-01-01T00:00:00Z") && r.occurredAt < new Date("2030-02-01T00:00:00Z"));
    expect(archived.map((r) => r.action)).toEqual(["test.january"]);
    expect(all[0]!.id).toBe(archived[0]!.id); // the oldest month holds the first events of the chain
    await t.db.execute(sql`alter table audit_events detach partition audit_events_2030_01`);
    try {
      const archiveHead = archived.at(-1)!.hash;
      expect(await verifyAuditChain(t.db)).toMatchObject({ ok: false, brokenAt: { seq: all[1]!.seq, reason: "previous hash does not match" } });
      expect(await verifyAuditChain(t.db, { startHash: archiveHead })).toMatchObject({
        ok: true,
        entries: all.length - archived.length,
        head: all.at(-1)!.hash,
      });
      expect(await verifyAuditChain(t.db, { startHash: "0".repeat(63) + "1" })).toMatchObject({ ok: false });
    } finally {
      await t.db.execute(
        sql`alter table audit_events attach partition audit_events_2030_01 for values from ('2030-01-01 00:00:00+00') to ('2030-02-01 00:00:00+00')`,
      );
    }
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, entries: all.length });
  });

  it("runs nightly as the job db.partition-upkeep, through the job engine", async () => {
    expect(registeredSchedules().find((x) => x.name === PARTITION_UPKEEP)).toMatchObject({ cron: "40 3 * * *" });
    const engine = await startTestEngine(t, { only: [PARTITION_UPKEEP] });
    try {
      const id = (await engine.enqueue(PARTITION_UPKEEP))!;
      const run = await eventually(
        "the upkeep job to complete",
        async () =>
          (
            await t.db
              .select()
              .from(jobRuns)
              .where(sql`${jobRuns.jobId} = ${id} and ${jobRuns.state} = 'completed'`)
          )[0],
      );
      expect(run.errorClass).toBeNull();
    } finally {
      await engine.stop();
    }
  });
});
