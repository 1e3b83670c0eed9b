import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import type { ErrorDetail } from "@/lib/errors";

export interface ImportCounts {
  nodesCreated: number;
  nodesUpdated: number;
  nodesEnded: number;
  edgesCreated: number;
  edgesUpdated: number;
  edgesEnded: number;
}

/**
 * One row per import attempt. Written before the data transaction (status
 * running), finished inside it (succeeded, with counts), or after a rollback
 * (rejected / failed, with errors). A row left running by a killed process is
 * marked failed at the next start.
 */
export const imports = pgTable(
  "imports",
  {
    id: text("id").primaryKey(),
    sourceName: text("source_name"),
    format: text("format").notNull(),
    mode: text("mode", { enum: ["full", "incremental"] }).notNull(),
    status: text("status", { enum: ["running", "succeeded", "rejected", "failed"] }).notNull(),
    allowPartial: boolean("allow_partial").notNull().default(false),
    fileName: text("file_name"),
    bytes: bigint("bytes", { mode: "number" }),
    recordsTotal: integer("records_total").notNull().default(0),
    recordsAccepted: integer("records_accepted").notNull().default(0),
    recordsRejected: integer("records_rejected").notNull().default(0),
    counts: jsonb("counts").$type<ImportCounts>(),
    errors: jsonb("errors").$type<ErrorDetail[]>().notNull().default([]),
    errorCount: integer("error_count").notNull().default(0),
    /** What the converter dropped or found unusual (never values: paths and key names only). */
    warnings: jsonb("warnings").$type<string[]>().notNull().default([]),
    /** The variant a converter recognised, e.g. the MCP client ("codex", "vscode+claude-code"). */
    detectedFormat: text("detected_format"),
    actorType: text("actor_type").notNull(),
    actorId: text("actor_id").notNull(),
    actorLabel: text("actor_label"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }),
    /** The app instance (app_instances.id) running it: when that instance is dead, the import is failed. */
    instanceId: text("instance_id"),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    durationMs: integer("duration_ms"),
  },
  (t) => [
    index("imports_started_idx").on(t.startedAt),
    check("imports_status_check", sql`${t.status} in ('running', 'succeeded', 'rejected', 'failed')`),
    check("imports_mode_check", sql`${t.mode} in ('full', 'incremental')`),
  ],
);

/**
 * A single row whose version is bumped inside every transaction that changes
 * the graph, so in-memory indexes in every app instance can tell they are stale.
 */
export const graphState = pgTable("graph_state", {
  id: integer("id").primaryKey(),
  version: bigint("version", { mode: "number" }).notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
