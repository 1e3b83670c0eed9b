import { relations, sql } from "drizzle-orm";
import { bigint, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import type { FindingEvidence } from "@/lib/findings/evidence";
import { FINDING_RULES, FINDING_SEVERITIES, FINDING_STATUSES } from "@/lib/findings/rules";
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
    index("findings_evidence_nodes_idx").using("gin", sql`(${t.evidence}->'nodes')`),
    check("findings_rule_check", sql`${t.rule} in (${inList(FINDING_RULES)})`),
    check("findings_severity_check", sql`${t.severity} in (${inList(FINDING_SEVERITIES)})`),
    check("findings_status_check", sql`${t.status} in (${inList(FINDING_STATUSES)})`),
    check("findings_accepted_check", sql`${t.status} <> 'accepted' or (${t.acceptedReason} is not null and ${t.acceptedUntil} is not null)`),
  ],
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
