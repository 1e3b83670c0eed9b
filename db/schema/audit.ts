import { bigint, index, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

/**
 * The append-only, hash-chained audit log. No foreign keys: its rows outlive
 * their subjects. A trigger (migration 0001) refuses UPDATE and DELETE.
 * hash = SHA-256(prevHash + canonical JSON of the event); see lib/audit.
 */
export const auditEvents = pgTable(
  "audit_events",
  {
    seq: bigint("seq", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
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
    uniqueIndex("audit_events_id_key").on(t.id),
    index("audit_events_target_idx").on(t.targetType, t.targetId),
    index("audit_events_action_idx").on(t.action),
    // The audit page filters by actor and date range and pages by seq.
    index("audit_events_actor_idx").on(t.actorId),
    index("audit_events_occurred_idx").on(t.occurredAt),
  ],
);
