import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { timestamps } from "./columns";

/**
 * The runtime decision point (issue #20): what gateways ask Attest at request time, and what flows back.
 *
 * - `pdp_state`: one row whose version every write that changes a runtime decision bumps in its own transaction
 *   (a campaign revoke, an approved or expired access request, a policy edit), with `pg_notify('attest_pdp_state',
 *   version)`; each instance reloads its in-memory decision state when it hears of a newer one.
 * - `pdp_policies`: the admins' policy knobs, one row per version (the newest is in force); never updated in place.
 * - `access_requests`: a step-up ("approval_required") turned into a micro-approval; approved = a just-in-time grant
 *   of one subject to one tool until `grant_expires_at`.
 * - `decision_log`: every decision the PDP answered (denies always, allows sampled), written in batches.
 * - `tool_usage`: the last time a subject called a tool, from decisions and gateways' telemetry (OTLP spans).
 */
export const pdpState = pgTable(
  "pdp_state",
  {
    id: integer("id").primaryKey(),
    version: bigint("version", { mode: "number" }).notNull().default(0),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("pdp_state_single_row", sql`${t.id} = 1`)],
);

export const pdpPolicies = pgTable("pdp_policies", {
  /** 1, 2, 3 …: the row with the highest version is the policy in force. */
  version: integer("version").primaryKey(),
  /** The knobs (shape and defaults: lib/pdp/policy.ts), validated before they are written. */
  policy: jsonb("policy").$type<Record<string, unknown>>().notNull(),
  changedById: text("changed_by_id"),
  changedBy: text("changed_by").notNull(),
  reason: text("reason"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const accessRequests = pgTable(
  "access_requests",
  {
    id: text("id").primaryKey(),
    /** The identity that asked to call the tool (agent, service account or human): a node id. */
    subjectId: text("subject_id").notNull(),
    /** The principal the subject acts for (token `act` / on-behalf-of), when the call said so: a node id. */
    actingForId: text("acting_for_id"),
    /** The tool: a node id. */
    toolId: text("tool_id").notNull(),
    /** The AuthZEN action asked for (`tools/call`, …). */
    action: text("action").notNull(),
    /** Why the PDP asked for approval: a reason code (lib/pdp), e.g. `destructive_tool`. */
    reasonCode: text("reason_code").notNull(),
    /** What the caller said it needs the access for, when it said (from the request's context; bounded, not secret). */
    justification: text("justification"),
    /** The PDP client (API token id) whose evaluation opened the request. */
    requestedVia: text("requested_via"),
    status: text("status", { enum: ["pending", "approved", "denied", "expired", "cancelled"] })
      .notNull()
      .default("pending"),
    /** Who must decide: an app user (tool owner, else an admin), never the subject or the principal it acts for. */
    approverId: text("approver_id"),
    decidedById: text("decided_by_id"),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
    decisionNote: text("decision_note"),
    /** An approved request allows the (subject, tool) pair until this instant (just-in-time). */
    grantExpiresAt: timestamp("grant_expires_at", { withTimezone: true }),
    /** A pending request not decided by then expires. */
    requestExpiresAt: timestamp("request_expires_at", { withTimezone: true }).notNull(),
    /** When the approver (or, with none named, the admins) was told of the pending request (lib/requests/notify.ts). */
    notifiedAt: timestamp("notified_at", { withTimezone: true }),
    /** The graph version the PDP saw when it asked. */
    graphVersion: bigint("graph_version", { mode: "number" }),
    version: integer("version").notNull().default(1),
    ...timestamps,
  },
  (t) => [
    // One open request per (subject, tool, action): repeated calls while it is pending find it instead of piling up.
    uniqueIndex("access_requests_open_key")
      .on(t.subjectId, t.toolId, t.action)
      .where(sql`${t.status} = 'pending'`),
    index("access_requests_approver_idx").on(t.approverId, t.status, t.createdAt),
    index("access_requests_grant_idx").on(t.status, t.grantExpiresAt),
    // The notifier's and the expiry job's scans: pending requests nobody was told of yet, and pending ones past their time.
    index("access_requests_pending_idx").on(t.status, t.requestExpiresAt),
    check("access_requests_status_check", sql`${t.status} in ('pending', 'approved', 'denied', 'expired', 'cancelled')`),
  ],
);

export const decisionLog = pgTable(
  "decision_log",
  {
    id: text("id").primaryKey(),
    decidedAt: timestamp("decided_at", { withTimezone: true }).notNull(),
    /** Request id (X-Request-ID echoed) when the caller sent one. */
    requestId: text("request_id"),
    /** The PDP client (API token id). */
    clientId: text("client_id"),
    subjectId: text("subject_id"),
    /** The subject as the request named it (type and id), for requests naming no known node; bounded. */
    subjectRef: text("subject_ref").notNull(),
    actingForId: text("acting_for_id"),
    action: text("action").notNull(),
    resourceId: text("resource_id"),
    resourceRef: text("resource_ref").notNull(),
    decision: boolean("decision").notNull(),
    reasonCode: text("reason_code").notNull(),
    graphVersion: bigint("graph_version", { mode: "number" }).notNull(),
    pdpStateVersion: bigint("pdp_state_version", { mode: "number" }).notNull(),
    /** Allows are sampled: this row stands for `weight` decisions like it. */
    weight: integer("weight").notNull().default(1),
    /** The audit event that chains the batch this row was written in. */
    batchAuditId: text("batch_audit_id"),
    context: jsonb("context").$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    index("decision_log_decided_idx").on(t.decidedAt),
    index("decision_log_subject_idx").on(t.subjectId, t.resourceId, t.decidedAt),
    // GET /api/v1/pdp/decisions?tool=…: a tool's decisions, newest first, without a subject (lib/usage/decisions-api.ts).
    index("decision_log_resource_idx").on(t.resourceId, t.decidedAt),
    // Verification reads each batch's rows (lib/usage/verify-decisions.ts).
    index("decision_log_batch_idx").on(t.batchAuditId),
  ],
);

export const toolUsage = pgTable(
  "tool_usage",
  {
    subjectId: text("subject_id").notNull(),
    toolId: text("tool_id").notNull(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }).notNull(),
    firstUsedAt: timestamp("first_used_at", { withTimezone: true }).notNull(),
    calls: bigint("calls", { mode: "number" }).notNull().default(0),
    /** Where the newest use was seen: `pdp` (an allowed decision) or `otlp` (a gateway's span). */
    lastSeenVia: text("last_seen_via").notNull(),
  },
  (t) => [uniqueIndex("tool_usage_key").on(t.subjectId, t.toolId), index("tool_usage_tool_idx").on(t.toolId, t.lastUsedAt)],
);
