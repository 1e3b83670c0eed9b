import { relations, sql } from "drizzle-orm";
import { bigint, boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import type { CampaignScope, ItemContext, ReviewerStrategy, SecondLevel, TriggerEventSummary } from "@/lib/campaigns/model";
import { appUsers } from "./identity";
import { timestamps } from "./columns";

/**
 * A recertification campaign: its definition (scope, reviewers, deadlines) and
 * its lifecycle draft → active (launched: items snapshotted) → closed (outcomes
 * recorded, remediation tasks opened) → signed_off (by its owner).
 */
export const campaigns = pgTable(
  "campaigns",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    description: text("description"),
    /** The control the campaign evidences, e.g. "SOC 2 CC6.2". */
    control: text("control"),
    status: text("status", { enum: ["draft", "launching", "active", "closed", "signed_off"] })
      .notNull()
      .default("draft"),
    /** How the campaign came to be: by hand, as an instance of a recurring template, or by a trigger rule (a micro-certification). */
    origin: text("origin", { enum: ["manual", "template", "trigger"] })
      .notNull()
      .default("manual"),
    /** For an instance of a template: the template, and the instance before it (for "what changed since last time"). */
    templateId: text("template_id"),
    previousCampaignId: text("previous_campaign_id"),
    /** For a micro-certification: the rule that opened it and the event that fired it (kind, what, when; never secret values). */
    triggerRuleId: text("trigger_rule_id"),
    triggerEvent: jsonb("trigger_event").$type<TriggerEventSummary>(),
    /** Launch progress: the job snapshots items in chunks; `launchTotal` is known once the scope has been counted. */
    launchRequestedAt: timestamp("launch_requested_at", { withTimezone: true }),
    launchTotal: integer("launch_total"),
    launchDone: integer("launch_done").notNull().default(0),
    /** Why the last launch failed (the campaign went back to draft); cleared by the next launch. */
    launchError: text("launch_error"),
    scope: jsonb("scope").$type<CampaignScope>().notNull(),
    reviewerStrategy: jsonb("reviewer_strategy").$type<ReviewerStrategy>().notNull(),
    fallbackReviewerId: text("fallback_reviewer_id").references(() => appUsers.id),
    /** The app user who created the campaign; only they sign it off. */
    ownerId: text("owner_id")
      .notNull()
      .references(() => appUsers.id),
    dueAt: timestamp("due_at", { withTimezone: true }).notNull(),
    /** Reminders go out this many days before the due date. */
    reminderDays: integer("reminder_days")
      .array()
      .notNull()
      .default(sql`'{7,1}'::integer[]`),
    escalateTo: text("escalate_to", { enum: ["reviewer_manager", "campaign_owner"] })
      .notNull()
      .default("reviewer_manager"),
    /** Escalations go out this many days after the due date (0: as soon as it passes). */
    escalateAfterDays: integer("escalate_after_days").notNull().default(0),
    secondLevel: jsonb("second_level").$type<SecondLevel>(),
    revokeOnNoResponse: boolean("revoke_on_no_response").notNull().default(false),
    /** The graph version the launch snapshot was taken from. */
    launchGraphVersion: bigint("launch_graph_version", { mode: "number" }),
    launchedAt: timestamp("launched_at", { withTimezone: true }),
    launchedBy: text("launched_by"),
    closedAt: timestamp("closed_at", { withTimezone: true }),
    closedBy: text("closed_by"),
    signedOffAt: timestamp("signed_off_at", { withTimezone: true }),
    signedOffBy: text("signed_off_by"),
    signOffStatement: text("sign_off_statement"),
    ...timestamps,
  },
  (t) => [
    index("campaigns_status_idx").on(t.status, t.dueAt),
    index("campaigns_template_idx").on(t.templateId, t.createdAt),
    check("campaigns_status_check", sql`${t.status} in ('draft', 'launching', 'active', 'closed', 'signed_off')`),
    check("campaigns_origin_check", sql`${t.origin} in ('manual', 'template', 'trigger')`),
    check("campaigns_escalate_to_check", sql`${t.escalateTo} in ('reviewer_manager', 'campaign_owner')`),
  ],
);

/**
 * One review item per (subject, access, level), snapshotted at launch: names,
 * path, risk, owners and the recommendation are copied here so later graph
 * changes never alter what was reviewed. `version` grows with every decision or
 * delegation; a write names the version it was made on.
 */
export const reviewItems = pgTable(
  "review_items",
  {
    id: text("id").primaryKey(),
    campaignId: text("campaign_id")
      .notNull()
      .references(() => campaigns.id),
    /** 1, or 2 for the second-level review of a high-risk item. */
    level: integer("level").notNull().default(1),
    /** For a level-2 item: its level-1 item. */
    firstLevelItemId: text("first_level_item_id"),
    subjectId: text("subject_id").notNull(),
    subjectKind: text("subject_kind").notNull(),
    subjectName: text("subject_name").notNull(),
    subjectSource: text("subject_source").notNull(),
    subjectExternalId: text("subject_external_id").notNull(),
    subjectStatus: text("subject_status"),
    edgeId: text("edge_id").notNull(),
    edgeKind: text("edge_kind").notNull(),
    edgeSource: text("edge_source").notNull(),
    targetId: text("target_id").notNull(),
    targetKind: text("target_kind").notNull(),
    targetName: text("target_name").notNull(),
    targetSource: text("target_source").notNull(),
    targetExternalId: text("target_external_id").notNull(),
    accessFirstSeenAt: timestamp("access_first_seen_at", { withTimezone: true }).notNull(),
    toolRisk: text("tool_risk"),
    riskReason: text("risk_reason"),
    highRisk: boolean("high_risk").notNull().default(false),
    context: jsonb("context").$type<ItemContext>().notNull(),
    recommendation: text("recommendation", { enum: ["approve", "revoke", "review"] }).notNull(),
    recommendationReason: text("recommendation_reason").notNull(),
    reviewerId: text("reviewer_id")
      .notNull()
      .references(() => appUsers.id),
    reviewerReason: text("reviewer_reason").notNull(),
    /** Who the item was first assigned to, before any delegation. */
    assignedReviewerId: text("assigned_reviewer_id").notNull(),
    decision: text("decision", { enum: ["approve", "revoke", "abstain"] }),
    justification: text("justification"),
    decidedById: text("decided_by_id"),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
    version: integer("version").notNull().default(1),
    outcome: text("outcome", { enum: ["approve", "revoke", "abstain", "no_response"] }),
    outcomeReason: text("outcome_reason"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("review_items_access_key").on(t.campaignId, t.level, t.subjectId, t.edgeKind, t.targetId),
    // Inbox and campaign item lists page by keyset in (subject, access, target, level, id) order, per reviewer and campaign.
    index("review_items_reviewer_order_idx").on(t.reviewerId, t.campaignId, t.subjectName, t.edgeKind, t.targetName, t.level, t.id),
    index("review_items_campaign_order_idx").on(t.campaignId, t.subjectName, t.edgeKind, t.targetName, t.level, t.id),
    // A campaign's progress (by reviewer, decision, outcome, level) is read from this index alone.
    index("review_items_progress_idx").on(t.campaignId, t.reviewerId, t.level, t.decision, t.outcome),
    index("review_items_access_idx").on(t.subjectId, t.edgeKind, t.targetId),
    // A node page lists the reviews of the accesses that reach it (a tool, a server, a resource).
    index("review_items_target_idx").on(t.targetId),
    check("review_items_level_check", sql`${t.level} in (1, 2)`),
    check("review_items_decision_check", sql`${t.decision} is null or ${t.decision} in ('approve', 'revoke', 'abstain')`),
    check("review_items_outcome_check", sql`${t.outcome} is null or ${t.outcome} in ('approve', 'revoke', 'abstain', 'no_response')`),
  ],
);

/** Every decision and delegation ever made on an item, in order: nothing is overwritten without a trace. */
export const reviewDecisions = pgTable(
  "review_decisions",
  {
    id: text("id").primaryKey(),
    itemId: text("item_id")
      .notNull()
      .references(() => reviewItems.id),
    campaignId: text("campaign_id").notNull(),
    /** The item version this change produced. */
    version: integer("version").notNull(),
    kind: text("kind", { enum: ["decision", "delegation"] }).notNull(),
    decision: text("decision"),
    justification: text("justification"),
    fromReviewerId: text("from_reviewer_id"),
    toReviewerId: text("to_reviewer_id"),
    actorId: text("actor_id").notNull(),
    actorLabel: text("actor_label").notNull(),
    requestId: text("request_id"),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("review_decisions_item_version_key").on(t.itemId, t.version),
    index("review_decisions_campaign_idx").on(t.campaignId, t.at),
    check("review_decisions_kind_check", sql`${t.kind} in ('decision', 'delegation')`),
  ],
);

/**
 * Messages to reviewers and their managers: a digest of new items, reminders, escalations, overdue notices.
 * One row per message, never recorded twice (dedupe key); each is delivered by a job per channel
 * (notification_deliveries).
 */
export const campaignNotifications = pgTable(
  "campaign_notifications",
  {
    id: text("id").primaryKey(),
    campaignId: text("campaign_id")
      .notNull()
      .references(() => campaigns.id),
    kind: text("kind", { enum: ["digest", "reminder", "escalation", "overdue"] }).notNull(),
    recipientId: text("recipient_id")
      .notNull()
      .references(() => appUsers.id),
    /** The reviewer the message is about (for an escalation, the one who is late). */
    reviewerId: text("reviewer_id").notNull(),
    pendingItems: integer("pending_items").notNull(),
    message: text("message").notNull(),
    dedupeKey: text("dedupe_key").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("campaign_notifications_dedupe_key").on(t.campaignId, t.dedupeKey),
    index("campaign_notifications_recipient_idx").on(t.recipientId, t.createdAt),
    check("campaign_notifications_kind_check", sql`${t.kind} in ('digest', 'reminder', 'escalation', 'overdue')`),
  ],
);

/**
 * One task per access a closed campaign revoked: open → done (by whom, when) →
 * verified by the first import that no longer shows the access. An import that
 * still shows it after the task was marked done flags it not effective.
 */
export const remediationTasks = pgTable(
  "remediation_tasks",
  {
    id: text("id").primaryKey(),
    campaignId: text("campaign_id")
      .notNull()
      .references(() => campaigns.id),
    itemId: text("item_id")
      .notNull()
      .references(() => reviewItems.id),
    reason: text("reason").notNull(),
    subjectId: text("subject_id").notNull(),
    subjectName: text("subject_name").notNull(),
    subjectKind: text("subject_kind").notNull(),
    edgeKind: text("edge_kind").notNull(),
    edgeId: text("edge_id").notNull(),
    /** The source that reports the access: its next import can verify the task. */
    sourceName: text("source_name").notNull(),
    targetId: text("target_id").notNull(),
    targetName: text("target_name").notNull(),
    targetKind: text("target_kind").notNull(),
    status: text("status", { enum: ["open", "done", "verified"] })
      .notNull()
      .default("open"),
    doneAt: timestamp("done_at", { withTimezone: true }),
    doneById: text("done_by_id"),
    doneBy: text("done_by"),
    doneNote: text("done_note"),
    ticket: text("ticket"),
    verifiedAt: timestamp("verified_at", { withTimezone: true }),
    /** The import that showed the access gone (null when a SCIM write did). */
    verifiedImportId: text("verified_import_id"),
    verifiedVia: text("verified_via"),
    notEffectiveAt: timestamp("not_effective_at", { withTimezone: true }),
    notEffectiveImportId: text("not_effective_import_id"),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("remediation_tasks_item_key").on(t.itemId),
    index("remediation_tasks_status_idx").on(t.status, t.sourceName),
    index("remediation_tasks_campaign_idx").on(t.campaignId),
    check("remediation_tasks_status_check", sql`${t.status} in ('open', 'done', 'verified')`),
  ],
);

export const campaignsRelations = relations(campaigns, ({ many, one }) => ({
  items: many(reviewItems),
  owner: one(appUsers, { fields: [campaigns.ownerId], references: [appUsers.id] }),
}));
export const reviewItemsRelations = relations(reviewItems, ({ one, many }) => ({
  campaign: one(campaigns, { fields: [reviewItems.campaignId], references: [campaigns.id] }),
  reviewer: one(appUsers, { fields: [reviewItems.reviewerId], references: [appUsers.id] }),
  decisions: many(reviewDecisions),
}));
export const reviewDecisionsRelations = relations(reviewDecisions, ({ one }) => ({
  item: one(reviewItems, { fields: [reviewDecisions.itemId], references: [reviewItems.id] }),
}));
export const remediationTasksRelations = relations(remediationTasks, ({ one }) => ({
  campaign: one(campaigns, { fields: [remediationTasks.campaignId], references: [campaigns.id] }),
  item: one(reviewItems, { fields: [remediationTasks.itemId], references: [reviewItems.id] }),
}));
