import { relations, sql } from "drizzle-orm";
import { bigint, boolean, check, type AnyPgColumn, doublePrecision, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import type { FindingEvidence } from "@/lib/findings/evidence";
import { FINDING_RULES, FINDING_SEVERITIES, FINDING_STATUSES, SUPPRESSION_SCOPES } from "@/lib/findings/rules";
import type { GroupScoreParts, ScoreParts } from "@/lib/findings/priority";
import type { FindingSettingsOverrides } from "@/lib/findings/settings";
import { timestamps } from "./columns";
import { nodes } from "./graph";

const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(", "));

/**
 * One row per (rule, key): a risk the findings engine found in the graph.
 * open → accepted (by a person, with a reason and an expiry) → open again when
 * the acceptance expires; open or accepted → resolved when an evaluation no
 * longer finds it; resolved → open (reopened) when it comes back. The row is
 * only written when something about the finding changes, so an evaluation of
 * an unchanged graph writes nothing here. `fingerprint` is a hash of severity,
 * title and evidence, to tell a changed finding from an unchanged one cheaply.
 */
export const findings = pgTable(
  "findings",
  {
    id: text("id").primaryKey(),
    rule: text("rule", { enum: FINDING_RULES }).notNull(),
    key: text("key").notNull(),
    subjectId: text("subject_id")
      .notNull()
      .references(() => nodes.id),
    subjectKind: text("subject_kind").notNull(),
    subjectName: text("subject_name").notNull(),
    severity: text("severity", { enum: FINDING_SEVERITIES }).notNull(),
    title: text("title").notNull(),
    evidence: jsonb("evidence").$type<FindingEvidence>().notNull(),
    fingerprint: text("fingerprint").notNull(),
    status: text("status", { enum: FINDING_STATUSES }).notNull().default("open"),
    acceptedReason: text("accepted_reason"),
    acceptedUntil: timestamp("accepted_until", { withTimezone: true }),
    acceptedBy: text("accepted_by"),
    acceptedAt: timestamp("accepted_at", { withTimezone: true }),
    firstSeenAt: timestamp("first_seen_at", { withTimezone: true }).notNull(),
    /**
     * Set when the finding is resolved: the last evaluation that still found it.
     * While open or accepted, the finding was seen by the latest evaluation.
     */
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    reopenedAt: timestamp("reopened_at", { withTimezone: true }),
    reopenCount: integer("reopen_count").notNull().default(0),
    /**
     * The root cause (lib/findings/priority.ts): the node whose removal or fix resolves the finding. Findings with
     * the same cause are one group (finding_groups). Null only for rows written before causes were computed, until
     * the next full evaluation.
     */
    causeId: text("cause_id"),
    causeKind: text("cause_kind"),
    causeName: text("cause_name"),
    /** Whether fixing the cause alone resolves this finding (see FindingCause.resolves). */
    causeResolves: boolean("cause_resolves").notNull().default(false),
    /** Priority: severity × blast radius × exposure × freshness; the parts (and the cause) in score_parts. */
    score: doublePrecision("score").notNull().default(0),
    scoreParts: jsonb("score_parts").$type<ScoreParts>(),
    /**
     * The suppression (finding_suppressions) whose acceptance this is: set with the acceptance fields when a rule
     * accepted the finding, cleared whenever the acceptance is (expiry, revocation, a person's reopen or acceptance).
     */
    suppressionId: text("suppression_id").references((): AnyPgColumn => findingSuppressions.id),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("findings_rule_key").on(t.rule, t.key),
    index("findings_status_severity_idx").on(t.status, t.severity),
    index("findings_subject_idx").on(t.subjectId),
    // Open findings per subject (counts and worst severity in the node and MCP lists) without reading the evidence.
    index("findings_open_subject_idx")
      .on(t.subjectId, t.severity)
      .where(sql`${t.status} = 'open'`),
    // An incremental evaluation re-checks the findings whose evidence names a changed node (evidence->'nodes' ?| ids).
    // The default order of open findings (priority) and a group's members.
    index("findings_open_score_idx")
      .on(t.score.desc(), t.id)
      .where(sql`${t.status} = 'open'`),
    index("findings_open_cause_idx")
      .on(t.causeId, t.score.desc())
      .where(sql`${t.status} = 'open'`),
    index("findings_evidence_nodes_idx").using("gin", sql`(${t.evidence}->'nodes')`),
    // A suppression's findings (revocation reopens them; its matched count).
    index("findings_suppression_idx")
      .on(t.suppressionId)
      .where(sql`${t.suppressionId} is not null`),
    check("findings_rule_check", sql`${t.rule} in (${inList(FINDING_RULES)})`),
    check("findings_severity_check", sql`${t.severity} in (${inList(FINDING_SEVERITIES)})`),
    check("findings_status_check", sql`${t.status} in (${inList(FINDING_STATUSES)})`),
    check("findings_accepted_check", sql`${t.status} <> 'accepted' or (${t.acceptedReason} is not null and ${t.acceptedUntil} is not null)`),
  ],
);

/**
 * Acceptance by rule and scope: while active (not revoked, not expired), the open findings it matches are accepted
 * with its reason and expiry, existing ones by the job findings.apply-suppression, new and reopened ones by the
 * evaluation that writes them. `rule` null: every rule. Scope: `subject` (the finding is about node_id), `via` (its
 * evidence passes through node_id: evidence->'nodes' ? node_id, on findings_evidence_nodes_idx) or `cause` (its root
 * cause is node_id). Revoked rows stay, as the record of what was accepted; `applied_at` / `released_at` say the job
 * has accepted the existing findings / reopened them after revocation.
 */
export const findingSuppressions = pgTable(
  "finding_suppressions",
  {
    id: text("id").primaryKey(),
    rule: text("rule", { enum: FINDING_RULES }),
    scopeKind: text("scope_kind", { enum: SUPPRESSION_SCOPES }).notNull(),
    nodeId: text("node_id")
      .notNull()
      .references(() => nodes.id),
    reason: text("reason").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    /** Who created it, as findings' accepted_by says it (actorLabel); the audit event has the actor id. */
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    revokedBy: text("revoked_by"),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    /** The findings it accepts, recounted whenever it accepts more; frozen when revoked (what it had accepted). */
    matched: integer("matched").notNull().default(0),
    appliedAt: timestamp("applied_at", { withTimezone: true }),
    releasedAt: timestamp("released_at", { withTimezone: true }),
  },
  (t) => [
    index("finding_suppressions_active_idx")
      .on(t.expiresAt)
      .where(sql`${t.revokedAt} is null`),
    index("finding_suppressions_created_idx").on(t.createdAt.desc(), t.id),
    check("finding_suppressions_rule_check", sql`${t.rule} is null or ${t.rule} in (${inList(FINDING_RULES)})`),
    check("finding_suppressions_scope_check", sql`${t.scopeKind} in (${inList(SUPPRESSION_SCOPES)})`),
    check("finding_suppressions_reason_check", sql`length(${t.reason}) between 1 and 500`),
  ],
);

/**
 * The open findings grouped by cause, kept by the evaluations (and by anything that opens or closes a finding) in
 * the same transaction as the findings: one row per cause with open findings. `count` always equals the open
 * findings whose cause_id is this cause; the work queue and GET /api/v1/findings/groups read it.
 */
export const findingGroups = pgTable(
  "finding_groups",
  {
    causeId: text("cause_id").primaryKey(),
    causeKind: text("cause_kind").notNull(),
    causeName: text("cause_name").notNull(),
    /** The members' main rule: the one most of them come from (ties: the more severe, then by name). */
    rule: text("rule", { enum: FINDING_RULES }).notNull(),
    count: integer("count").notNull(),
    /** Members that fixing the cause alone resolves. */
    resolves: integer("resolves").notNull(),
    /** Members' scores with diminishing returns (priority.ts groupScore). */
    score: doublePrecision("score").notNull(),
    scoreParts: jsonb("score_parts").$type<GroupScoreParts>().notNull(),
    /** The highest-scoring member. */
    topFindingId: text("top_finding_id").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("finding_groups_score_idx").on(t.score.desc(), t.causeId), index("finding_groups_rule_idx").on(t.rule)],
);

/** One row per evaluation: when, why, on which graph version, and what changed. */
export const findingEvaluations = pgTable(
  "finding_evaluations",
  {
    id: text("id").primaryKey(),
    /** What asked for it: "manual" (API or page), "import", "seed", "bench". */
    trigger: text("trigger").notNull(),
    importId: text("import_id"),
    actorId: text("actor_id").notNull(),
    graphVersion: bigint("graph_version", { mode: "number" }).notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    finishedAt: timestamp("finished_at", { withTimezone: true }).notNull(),
    durationMs: integer("duration_ms").notNull(),
    counts: jsonb("counts").$type<Record<string, number>>().notNull(),
  },
  (t) => [index("finding_evaluations_started_idx").on(t.startedAt)],
);

/**
 * Severity and thresholds as an analyst or admin set them: only what differs
 * from the defaults in lib/findings/settings.ts is stored (one row, id 1).
 */
export const findingSettings = pgTable("finding_settings", {
  id: integer("id").primaryKey(),
  overrides: jsonb("overrides").$type<FindingSettingsOverrides>().notNull(),
  updatedBy: text("updated_by"),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * The definition hashes each tool has shown, with when evaluation first saw
 * each. Review items do not record the definition that was certified, so the
 * hash in force when a campaign closed is looked up here; evaluation runs after
 * every import, so a change is dated to the import that brought it.
 */
export const findingToolDefinitions = pgTable(
  "finding_tool_definitions",
  {
    id: text("id").primaryKey(),
    toolId: text("tool_id")
      .notNull()
      .references(() => nodes.id),
    definitionHash: text("definition_hash").notNull(),
    /**
     * The definition itself (title, description, schemas, annotations) as the tool node held it when this hash was
     * first seen, so a change can be shown as a diff after the node moves on. Copied from the node's attributes,
     * which imports have already scanned for secrets; null for rows recorded before it was kept.
     */
    definition: jsonb("definition").$type<Record<string, unknown>>(),
    firstSeenAt: timestamp("first_seen_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("finding_tool_definitions_tool_idx").on(t.toolId, t.firstSeenAt)],
);

export const findingsRelations = relations(findings, ({ one }) => ({
  subject: one(nodes, { fields: [findings.subjectId], references: [nodes.id] }),
}));
