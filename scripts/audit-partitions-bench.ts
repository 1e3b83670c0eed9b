/**
 * The audit log before and after monthly partitioning (migration 0024), on
 * PostgreSQL: N generated events over 24 months in a database at migration
 * 0023, a copy of it migrated to 0024, then the audit page's queries, the
 * export and verify pages, the chain-head read and emitAudit's cost per event,
 * timed on both databases turn about (median of runs), and the plans.
 *
 *   npx tsx scripts/audit-partitions-bench.ts --events 5000000 [--keep]
 *
 * Needs TEST_DATABASE_URL (an admin connection). Creates and drops
 * attest_parts_bench_before / _after. The events' hashes are not a chain (this
 * measures queries, not verification).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import { openDatabase } from "@/db/client";
import { migrate, MIGRATIONS_FOLDER } from "@/db/migrate";
import { systemActor } from "@/lib/authz/actor";
import { emitAudit } from "@/lib/audit/emit-audit";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const N = Number(arg("events", "5000000"));
const KEEP = process.argv.includes("--keep");
const REUSE = process.argv.includes("--reuse");
/** Keep the generated database at 0023 and only redo the migrated copy. */
const REMIGRATE = process.argv.includes("--remigrate");
const ADMIN = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const urlOf = (db: string) => {
  const u = new URL(ADMIN);
  u.pathname = `/${db}`;
  return u.toString();
};
const BEFORE = "attest_parts_bench_before";
const AFTER = "attest_parts_bench_after";

async function admin(q: string) {
  const c = new Client({ connectionString: ADMIN });
  await c.connect();
  try {
    await c.query(q);
  } finally {
    await c.end();
  }
}

function migrationsUpTo(last: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "attest-migrations-"));
  cpSync(MIGRATIONS_FOLDER, dir, { recursive: true });
  const p = path.join(dir, "meta", "_journal.json");
  const j = JSON.parse(readFileSync(p, "utf8")) as { entries: { tag: string; idx: number }[] };
  const stop = j.entries.find((e) => e.tag === last)!.idx;
  j.entries = j.entries.filter((e) => e.idx <= stop);
  writeFileSync(p, JSON.stringify(j));
  return dir;
}

const t0 = () => process.hrtime.bigint();
const ms = (s: bigint) => Number(process.hrtime.bigint() - s) / 1e6;

async function setup() {
  await admin(`drop database if exists ${AFTER} with (force)`);
  if (!REMIGRATE) await generate();
  await admin(`create database ${AFTER} template ${BEFORE}`);
  const a = await openDatabase({ url: urlOf(AFTER) });
  const m = t0();
  await migrate(a);
  console.log(`  migration 0024 on ${N.toLocaleString()} events: ${(ms(m) / 1000).toFixed(0)} s`);
  await a.close();
  const c2 = new Client({ connectionString: urlOf(AFTER) });
  await c2.connect();
  await c2.query("vacuum analyze audit_events");
  await c2.end();
}

async function generate() {
  await admin(`drop database if exists ${BEFORE} with (force)`);
  await admin(`create database ${BEFORE}`);
  const dir = migrationsUpTo("0023_campaign_paging_and_trigger_watermark");
  const d = await openDatabase({ url: urlOf(BEFORE) });
  const { migrate: run } = await import("drizzle-orm/node-postgres/migrator");
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  await run(d.db as any, { migrationsFolder: dir });
  await d.close();
  rmSync(dir, { recursive: true, force: true });
  const c = new Client({ connectionString: urlOf(BEFORE) });
  await c.connect();
  const start = t0();
  const batch = 500_000;
  for (let lo = 1; lo <= N; lo += batch) {
    const hi = Math.min(N, lo + batch - 1);
    // 24 months from 2025-01-01, in seq order; 40 actions, 2,000 actors, 8 target types, 500,000 targets.
    await c.query(`
      insert into audit_events (id, occurred_at, actor_type, actor_id, actor_label, action, target_type, target_id, before, after, request_id, prev_hash, hash)
      select 'evt_' || lpad(g::text, 26, '0'),
             timestamptz '2025-01-01 00:00:00+00' + (g::double precision / ${N}) * interval '730 days',
             'user', 'usr_' || (g % 2000), 'User ' || (g % 2000), 'action.a' || (g % 40),
             'type' || (g % 8), 'n_' || ((g::bigint * 7919) % 500000), null, jsonb_build_object('i', g), 'req_' || g,
             md5(g::text) || md5((g + 1)::text), md5((g + 1)::text) || md5(g::text)
        from generate_series(${lo}, ${hi}) g`);
    process.stdout.write(`\r  generated ${hi.toLocaleString()} events`);
  }
  await c.query("vacuum analyze audit_events");
  await c.end();
  console.log(`\n  ${N.toLocaleString()} events generated in ${(ms(start) / 1000).toFixed(0)} s`);
}

const mid = "2026-07-08T00:00:00Z";
const QUERIES: [string, string][] = [
  ["first page (newest 51)", "select * from audit_events order by seq desc limit 51"],
  ["count of all (the page's total)", "select count(*) from audit_events"],
  [
    "date-range page (one week)",
    `select * from audit_events where occurred_at >= '${mid}' and occurred_at < timestamptz '${mid}' + interval '7 days' order by seq desc limit 51`,
  ],
  ["date-range count (one week)", `select count(*) from audit_events where occurred_at >= '${mid}' and occurred_at < timestamptz '${mid}' + interval '7 days'`],
  ["action page", "select * from audit_events where action = 'action.a7' order by seq desc limit 51"],
  ["target page", "select * from audit_events where target_type = 'type3' and target_id = 'n_123459' order by seq desc limit 51"],
  ["actor id page", "select * from audit_events where actor_id = 'usr_17' order by seq desc limit 51"],
  [
    "actor + date-range page",
    `select * from audit_events where actor_id = 'usr_17' and occurred_at >= '${mid}' and occurred_at < '2026-08-08' order by seq desc limit 51`,
  ],
  ["deep keyset page (seq < N/2)", `select * from audit_events where seq < ${Math.floor(N / 2)} order by seq desc limit 51`],
  ["export page (1,000 by seq, middle)", `select * from audit_events where seq < ${Math.floor(N / 2)} order by seq desc limit 1000`],
  ["verify page (5,000 by seq, middle)", `select * from audit_events where seq > ${Math.floor(N / 3)} order by seq limit 5000`],
  ["chain head read, order by seq desc limit 1", "select hash from audit_events order by seq desc limit 1"],
  [
    "chain head read, emitAudit's (sequence value, recent months)",
    `select hash from audit_events where occurred_at >= '${new Date(Date.now() - 40 * 86_400_000).toISOString()}' and seq = (select last_value from audit_events_seq_seq where is_called)`,
  ],
  ["event by id", `select * from audit_events where id = 'evt_${String(Math.floor(N / 2)).padStart(26, "0")}'`],
];

async function timeQuery(c: Client, q: string, runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = t0();
    await c.query(q);
    times.push(ms(s));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

async function main() {
  if (!REUSE) await setup();
  const before = new Client({ connectionString: urlOf(BEFORE) });
  const after = new Client({ connectionString: urlOf(AFTER) });
  await before.connect();
  await after.connect();
  const parts = await after.query("select count(*) as n from pg_inherits where inhparent = 'audit_events'::regclass");
  console.log(
    `\n  load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")}; partitions after: ${parts.rows[0].n}`,
  );
  console.log(`\n| query | before (ms) | after (ms) |\n|---|---:|---:|`);
  for (const [name, q] of QUERIES) {
    const runs = name.startsWith("count") || name.includes("count") ? 3 : 9;
    await timeQuery(before, q, 1); // warm
    await timeQuery(after, q, 1);
    const b = await timeQuery(before, q, runs);
    const a = await timeQuery(after, q, runs);
    console.log(`| ${name} | ${b.toFixed(2)} | ${a.toFixed(2)} |`);
  }
  for (const [label, q] of [
    ["date-range page", QUERIES[2]![1]],
    ["first page", QUERIES[0]![1]],
    ["verify page", QUERIES[10]![1]],
  ] as const) {
    const plan = await after.query(`explain (costs off) ${q}`);
    console.log(`\n  plan after, ${label}:\n${plan.rows.map((r: Record<string, string>) => "    " + r["QUERY PLAN"]).join("\n")}`);
  }
  await before.end();
  await after.end();

  // emitAudit: advisory lock, head read, insert, commit; turn about, 5 rounds of 200 per database.
  const dbs = { before: await openDatabase({ url: urlOf(BEFORE) }), after: await openDatabase({ url: urlOf(AFTER) }) };
  const per: Record<string, number[]> = { before: [], after: [] };
  for (let round = 0; round < 5; round++) {
    for (const k of ["before", "after"] as const) {
      const s = t0();
      for (let i = 0; i < 200; i++) await dbs[k].db.transaction((tx) => emitAudit(tx, systemActor("bench"), { action: "bench.emit", after: { i } }));
      per[k]!.push(ms(s) / 200);
    }
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`\n  emitAudit per event (median of 5 rounds of 200): before ${med(per.before!).toFixed(2)} ms, after ${med(per.after!).toFixed(2)} ms`);
  await dbs.before.close();
  await dbs.after.close();
  console.log(
    `  load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")}`,
  );
  if (!KEEP) {
    await admin(`drop database if exists ${BEFORE} with (force)`);
    await admin(`drop database if exists ${AFTER} with (force)`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
