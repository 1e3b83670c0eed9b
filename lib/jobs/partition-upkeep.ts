import type { Db } from "@/db/client";
import { emitAudit } from "@/lib/audit/emit-audit";
import { systemActor } from "@/lib/authz/actor";
import { ensureMonthPartitions, MONTHLY_PARTITIONED_TABLES, type CreatedPartition } from "@/lib/db/partitions";
import { registerHandler, registerSchedule } from "./registry";

/**
 * Keeps the monthly partitions of big tables (lib/db/partitions.ts) made
 * ahead: at server start (db/prepare.ts) and every night, on every instance
 * that picks the job (idempotent; the SQL function takes a per-table lock).
 * It changes the shape of the audit log, so whatever it creates or moves out
 * of DEFAULT is audited in the same transaction; a run that finds everything
 * in place writes nothing.
 */
export const PARTITION_UPKEEP = "db.partition-upkeep";

export async function runPartitionUpkeep(db: Db, at: Date = new Date()): Promise<Record<string, CreatedPartition[]>> {
  const done: Record<string, CreatedPartition[]> = {};
  for (const { table, monthsAhead } of MONTHLY_PARTITIONED_TABLES) {
    const created = await db.transaction(async (tx) => {
      const made = await ensureMonthPartitions(tx, table, { monthsAhead, at });
      if (made.length)
        await emitAudit(tx, systemActor("scheduler"), {
          action: "db.partitions.create",
          target: { type: "table", id: table },
          after: { partitions: made.map((p) => p.partition), movedFromDefault: made.reduce((n, p) => n + p.moved, 0) },
        });
      return made;
    });
    done[table] = created;
  }
  return done;
}

registerHandler(
  PARTITION_UPKEEP,
  async (_data, { db }) => {
    await runPartitionUpkeep(db);
  },
  { policy: "stately", retryLimit: 3, expireInSeconds: 15 * 60 },
);
registerSchedule({ name: PARTITION_UPKEEP, cron: "40 3 * * *", description: "every night at 03:40 UTC: monthly partitions made three months ahead" });
