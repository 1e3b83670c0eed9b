import { bigint, index, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

/**
 * The append-only, hash-chained audit log. No foreign keys: its rows outlive
 * their subjects. A trigger (migration 0001, re-created on the partitioned
 * table by 0024) refuses UPDATE and DELETE on it and on every partition.
 * hash = SHA-256(prevHash + canonical JSON of the event); see lib/audit.
 *
 * Partitioned by month on occurred_at (PARTITION BY RANGE, migration
 * 0024_audit_partitions, hand-written: drizzle-kit does not know partitioning,
 * so this declaration describes only the columns and indexes, which match).
 * A partitioned table's unique keys must contain the partition key: the
 * primary key is (seq, occurred_at) and id is unique with occurred_at. seq
 * comes from the identity sequence and a ULID id from the writer, so neither
 * repeats; a repeated seq would also break the hash chain (lib/audit).
 * Partitions are made ahead by lib/db/partitions.ts (the nightly job
 * audit.partitions and at start), with a DEFAULT partition as a safety net.
 */
export const auditEvents = pgTable(
  "audit_events",
  {
    seq: bigint("seq", { mode: "number" }).notNull().generatedAlwaysAsIdentity(),
    id: text("id").notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
    actorType: text("actor_type").notNull(),
    actorId: text("actor_id").notNull(),
    actorLabel: text("actor_label"),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    before: jsonb("before"),
    after: jsonb("after"),
    requestId: text("request_id"),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [
    primaryKey({ name: "audit_events_pkey", columns: [t.seq, t.occurredAt] }),
    uniqueIndex("audit_events_id_key").on(t.id, t.occurredAt),
    index("audit_events_target_idx").on(t.targetType, t.targetId),
    index("audit_events_action_idx").on(t.action),
    // The audit page filters by actor and date range and pages by seq.
    index("audit_events_actor_idx").on(t.actorId),
    index("audit_events_occurred_idx").on(t.occurredAt),
  ],
);
