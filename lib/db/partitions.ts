import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";

/**
 * Monthly partitions of big append-mostly tables (declarative partitioning,
 * PARTITION BY RANGE on a timestamp column), made ahead of time.
 *
 * The work is done by the SQL function attest_ensure_month_partitions
 * (migration 0024_audit_partitions): it runs as the tables' owner (SECURITY
 * DEFINER), so an app connected as attest_app, which may not create tables,
 * can still keep partitions ahead. It is idempotent and serialised per table by
 * an advisory lock, so every instance may run it. It creates the DEFAULT
 * partition (the safety net for a month nobody made), the current UTC month and
 * `monthsAhead` more, and the month of every row found in DEFAULT, moving those
 * rows into their month's partition (PostgreSQL refuses to create a partition
 * whose range has rows in DEFAULT). A new partition gets its parent's grants
 * and TRUNCATE triggers; row triggers are cloned by PostgreSQL.
 *
 * To partition another table the same way: create it PARTITION BY RANGE on
 * its timestamp column in a migration, call
 * attest_ensure_month_partitions('<table>'::regclass, 3) there, and add it to
 * MONTHLY_PARTITIONED_TABLES so the nightly job keeps it ahead.
 */

/** The tables the nightly upkeep (lib/jobs/partition-upkeep.ts) keeps partitions ahead for. */
export const MONTHLY_PARTITIONED_TABLES: readonly { table: string; monthsAhead: number }[] = [{ table: "audit_events", monthsAhead: 3 }];

const TABLE_NAME = /^[a-z_][a-z0-9_]*$/;

function checkTable(table: string): void {
  if (!TABLE_NAME.test(table)) throw new Error(`partitioned table name ${JSON.stringify(table)} must be a plain lower-case identifier`);
}

export interface CreatedPartition {
  partition: string;
  /** Rows moved into it out of the DEFAULT partition. */
  moved: number;
}

/**
 * Makes the DEFAULT partition, the current month's and `monthsAhead` more (UTC
 * months counted from `at`), and a partition for every month that has rows in
 * DEFAULT, moving them there. Returns what it created; nothing when all exist.
 * Run it in a transaction to make it all-or-nothing with other work (the job
 * audits what it created in the same transaction).
 */
export async function ensureMonthPartitions(db: Db, table: string, opts: { monthsAhead?: number; at?: Date } = {}): Promise<CreatedPartition[]> {
  checkTable(table);
  const monthsAhead = opts.monthsAhead ?? 3;
  if (!Number.isInteger(monthsAhead) || monthsAhead < 0 || monthsAhead > 120) throw new Error("monthsAhead must be an integer from 0 to 120");
  const at = opts.at ?? new Date();
  const res = (await db.execute(
    sql`select partition_name, moved from attest_ensure_month_partitions(${`public.${table}`}::regclass, ${monthsAhead}::int, ${at.toISOString()}::timestamptz)`,
  )) as unknown as { rows: { partition_name: string; moved: string | number }[] };
  return res.rows.map((r) => ({ partition: r.partition_name, moved: Number(r.moved) }));
}

export interface PartitionInfo {
  name: string;
  /** Inclusive lower bound; null for DEFAULT. */
  from: Date | null;
  /** Exclusive upper bound; null for DEFAULT. */
  to: Date | null;
  isDefault: boolean;
}

/** The partitions of a table, oldest first, DEFAULT last. */
export async function listPartitions(db: Db, table: string): Promise<PartitionInfo[]> {
  checkTable(table);
  const res = (await db.execute(sql`
    select c.relname as name, pg_get_expr(c.relpartbound, c.oid) as bound
      from pg_inherits i join pg_class c on c.oid = i.inhrelid
     where i.inhparent = ${`public.${table}`}::regclass
  `)) as unknown as { rows: { name: string; bound: string }[] };
  const parts = res.rows.map((r): PartitionInfo => {
    if (r.bound === "DEFAULT") return { name: r.name, from: null, to: null, isDefault: true };
    const m = /FROM \('([^']+)'\) TO \('([^']+)'\)/.exec(r.bound);
    if (!m) throw new Error(`partition ${r.name} of ${table} has a bound this code does not read`);
    return { name: r.name, from: new Date(m[1]!), to: new Date(m[2]!), isDefault: false };
  });
  return parts.sort((a, b) => (a.isDefault ? 1 : b.isDefault ? -1 : a.from!.getTime() - b.from!.getTime()));
}
