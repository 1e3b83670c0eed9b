import { relations, sql } from "drizzle-orm";
import { check, date, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { timestamps } from "./columns";
import { edges, nodes } from "./graph";

export const REASSIGNMENT_KINDS = ["owner_departed", "owner_group_empty", "agent_principal_departed"] as const;
export type ReassignmentKind = (typeof REASSIGNMENT_KINDS)[number];
export const REASSIGNMENT_STATUSES = ["open", "reassigned", "dismissed"] as const;
export type ReassignmentStatus = (typeof REASSIGNMENT_STATUSES)[number];

const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(", "));

/**
 * The reassignment queue: one row per thing a departed person (or an emptied
 * owner group) leaves behind. `owner_*` rows need a new owner for `nodeId`;
 * `agent_principal_departed` rows flag an agent (`nodeId`) that still acts for
 * the departed human. A row is open until someone reassigns or dismisses it;
 * at most one open row per edge, so repeated triggers never duplicate work.
 */
export const ownershipReassignments = pgTable(
  "ownership_reassignments",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: REASSIGNMENT_KINDS }).notNull(),
    /** The node that needs a new owner, or the agent acting for a departed human. */
    nodeId: text("node_id")
      .notNull()
      .references(() => nodes.id),
    /** The owns edge (owner_*) or acts_for edge (agent_principal_departed) that triggered the row. */
    edgeId: text("edge_id")
      .notNull()
      .references(() => edges.id),
    /** The departed human, or the owner group that has no active members left. */
    formerOwnerId: text("former_owner_id")
      .notNull()
      .references(() => nodes.id),
    /** The owner role the former owner held (null for agent flags). */
    role: text("role"),
    /** Why the row was queued: "okta: status became terminated", "SCIM: active false", a note given by hand. */
    reason: text("reason").notNull(),
    suggestedOwnerId: text("suggested_owner_id").references(() => nodes.id),
    suggestionReason: text("suggestion_reason"),
    status: text("status", { enum: REASSIGNMENT_STATUSES }).notNull().default("open"),
    resolvedOwnerId: text("resolved_owner_id").references(() => nodes.id),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    resolvedBy: text("resolved_by"),
    note: text("note"),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("ownership_reassignments_open_edge_key")
      .on(t.edgeId)
      .where(sql`${t.status} = 'open'`),
    index("ownership_reassignments_status_idx").on(t.status, t.createdAt),
    index("ownership_reassignments_node_idx").on(t.nodeId),
    index("ownership_reassignments_former_idx").on(t.formerOwnerId),
    check("ownership_reassignments_kind_check", sql`${t.kind} in (${inList(REASSIGNMENT_KINDS)})`),
    check("ownership_reassignments_status_check", sql`${t.status} in (${inList(REASSIGNMENT_STATUSES)})`),
  ],
);

/**
 * Ownership coverage per day, kind and source, as it was last computed that
 * day. Node status (active / terminated) is overwritten in place, not kept as
 * history, so past coverage cannot be recomputed from validity periods; these
 * rows are the trend.
 */
export const ownershipCoverageDaily = pgTable(
  "ownership_coverage_daily",
  {
    day: date("day", { mode: "string" }).notNull(),
    kind: text("kind").notNull(),
    source: text("source").notNull(),
    total: integer("total").notNull(),
    owned: integer("owned").notNull(),
    businessAndTechnical: integer("business_and_technical").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    /** The graph version these counts were computed at (null for points recorded before it was kept); pages read the latest point instead of recounting when it is the current version. */
    graphVersion: integer("graph_version"),
  },
  (t) => [primaryKey({ columns: [t.day, t.kind, t.source] })],
);

export const ownershipReassignmentsRelations = relations(ownershipReassignments, ({ one }) => ({
  node: one(nodes, { fields: [ownershipReassignments.nodeId], references: [nodes.id] }),
  formerOwner: one(nodes, { fields: [ownershipReassignments.formerOwnerId], references: [nodes.id] }),
  edge: one(edges, { fields: [ownershipReassignments.edgeId], references: [edges.id] }),
}));
