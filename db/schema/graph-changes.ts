import { sql } from "drizzle-orm";
import { bigint, boolean, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";

export const GRAPH_CHANGE_ORIGINS = ["import", "scim", "ownership", "campaign", "discovery", "seed", "system"] as const;
export type GraphChangeOrigin = (typeof GRAPH_CHANGE_ORIGINS)[number];

/**
 * The after-change outbox: one row per committed graph change, written in the
 * writer's own transaction (lib/graph/after-change.ts), so follow-up work
 * (offboarding, remediation verification, findings, coverage) is never lost
 * and never runs inside the request. `processed_at` is set once the pipeline
 * (lib/pipeline/process-changes.ts) has run every follow-up for it.
 */
export const graphChanges = pgTable(
  "graph_changes",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    origin: text("origin", { enum: GRAPH_CHANGE_ORIGINS }).notNull(),
    ref: text("ref"),
    nodeIds: text("node_ids")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    edgeIds: text("edge_ids")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    sourceIds: text("source_ids")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** Too big to list (a very large import): consumers do their full or whole-source variant. */
    fullScope: boolean("full_scope").notNull().default(false),
    /**
     * The graph version this change produced (graph_state.version after the writer's bump in the same transaction),
     * or null when the writer did not bump in this transaction (a change that moved no graph row, e.g. a campaign's
     * outcomes). In-memory access indexes catch up by applying the changes whose version is past theirs
     * (lib/graph/index-delta.ts); a version with no row here makes them rebuild.
     */
    graphVersion: bigint("graph_version", { mode: "number" }),
    /** A pipeline run's lease on the row (lib/pipeline/process-changes.ts): others skip it until then; a crashed run's lease runs out. */
    claimedUntil: timestamp("claimed_until", { withTimezone: true }),
    processedAt: timestamp("processed_at", { withTimezone: true }),
  },
  // The pipeline reads only what is waiting; a partial index keeps that cheap however long the history grows.
  (t) => [
    index("graph_changes_pending_idx")
      .on(t.id)
      .where(sql`${t.processedAt} is null`),
    // Each instance's index reads the changes past its version (a handful of rows).
    index("graph_changes_version_idx").on(t.graphVersion),
  ],
);
