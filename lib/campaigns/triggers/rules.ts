import { and, count, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { campaigns, campaignTriggerFirings, campaignTriggerRules } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { AppError, parseInput } from "@/lib/errors";
import { TOOL_RISKS } from "@/lib/graph/tool-risk";
import { newId } from "@/lib/ids";
import { REVIEWER_STRATEGIES, TRIGGER_KINDS, type ReviewerStrategyInput, type TriggerFilter, type TriggerKind } from "../model";
import { loadReviewerDirectory, requireReviewer } from "../reviewers";
import { requireActorUser, usersById, type UserRef } from "../views";
import { TRIGGER_KIND_LABEL } from "./labels";
import { SSF_EVENT_TYPES, ssfEventTypeUri } from "./ssf-event-types";

export { TRIGGER_KIND_LABEL };

/**
 * Trigger rules: each turns one kind of event into micro-certifications — a
 * small campaign over exactly the access the event concerns, addressed at once
 * to its owner (the rule's reviewer strategy; then its fallback reviewer; then
 * the rule's owner), due `durationDays` after the event. Managing them needs
 * campaign.manage; every change is audited.
 */

/** The least tool risk a rule of these kinds takes when its filter names none. */
export const DEFAULT_MIN_RISK: Partial<Record<TriggerKind, (typeof TOOL_RISKS)[number]>> = { new_critical_path: "critical" };

const userRef = z.string().trim().min(1, "is required").max(320);
const strategy = z.union([z.enum(REVIEWER_STRATEGIES), z.object({ reviewer: userRef }).strict()], {
  error: `must be one of ${REVIEWER_STRATEGIES.join(", ")} or { "reviewer": user id or e-mail }`,
});
const filterSchema = z
  .object({
    eventTypes: z
      .array(
        z
          .string()
          .trim()
          .max(300)
          .refine((s) => ssfEventTypeUri(s) !== null, `must be one of ${SSF_EVENT_TYPES.map((t) => t.short).join(", ")} (or its URI)`),
      )
      .max(SSF_EVENT_TYPES.length * 2)
      .optional(),
    minRisk: z.enum(TOOL_RISKS).optional(),
  })
  .strict();

export const triggerRuleSchema = z
  .object({
    name: z.string().trim().min(1, "is required").max(200, "at most 200 characters"),
    kind: z.enum(TRIGGER_KINDS),
    filter: filterSchema.optional(),
    reviewerStrategy: strategy.optional(),
    fallbackReviewer: userRef.optional(),
    durationDays: z.number().int().min(1).max(90).optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

export const triggerRuleUpdateSchema = z
  .object({
    name: z.string().trim().min(1, "is required").max(200, "at most 200 characters").optional(),
    filter: filterSchema.optional(),
    reviewerStrategy: strategy.optional(),
    fallbackReviewer: userRef.nullable().optional(),
    durationDays: z.number().int().min(1).max(90).optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

export const triggerRulesQuerySchema = z.object({}).strict();

export type TriggerRuleRow = typeof campaignTriggerRules.$inferSelect;

export interface TriggerRuleView {
  id: string;
  name: string;
  kind: TriggerKind;
  kindLabel: string;
  filter: TriggerFilter;
  reviewerStrategy: ReviewerStrategyInput;
  /** For a named-reviewer strategy: who. */
  reviewer: UserRef | null;
  fallbackReviewer: UserRef | null;
  owner: UserRef | null;
  durationDays: number;
  enabled: boolean;
  lastFiredAt: string | null;
  createdAt: string;
  updatedAt: string;
  firings: { opened: number; noAccess: number; failed: number };
}

export interface FiringView {
  id: string;
  dedupeKey: string;
  outcome: "opened" | "no_access" | "failed";
  at: string;
  campaign: { id: string; name: string; status: string } | null;
  summary: string | null;
  reason: string | null;
}

function checkFilter(kind: TriggerKind, filter: TriggerFilter | undefined): TriggerFilter {
  if (!filter) return {};
  if (filter.eventTypes?.length && kind !== "ssf_event")
    throw new AppError("validation", "filter.eventTypes: only a Shared Signals rule takes event types", [
      { path: "filter.eventTypes", message: "only for kind ssf_event" },
    ]);
  if (filter.minRisk && kind !== "tool_definition_changed" && kind !== "new_critical_path")
    throw new AppError("validation", "filter.minRisk: only a tool rule takes a minimum risk", [
      { path: "filter.minRisk", message: "only for kinds tool_definition_changed and new_critical_path" },
    ]);
  return {
    ...(filter.eventTypes?.length ? { eventTypes: [...new Set(filter.eventTypes.map((t) => ssfEventTypeUri(t)!))] } : {}),
    ...(filter.minRisk ? { minRisk: filter.minRisk } : {}),
  };
}

async function resolveReviewers(db: Db, strategyIn: z.infer<typeof strategy> | undefined, fallback: string | null | undefined) {
  const dir = await loadReviewerDirectory(db);
  const reviewerStrategy: ReviewerStrategyInput =
    strategyIn === undefined
      ? "target_owner"
      : typeof strategyIn === "string"
        ? strategyIn
        : { reviewer: requireReviewer(dir, strategyIn.reviewer, "reviewerStrategy.reviewer").id };
  const fallbackReviewerId = fallback ? requireReviewer(dir, fallback, "fallbackReviewer").id : fallback === null ? null : undefined;
  return { reviewerStrategy, fallbackReviewerId, dir };
}

export async function triggerRuleViews(db: Db, rows: TriggerRuleRow[]): Promise<TriggerRuleView[]> {
  if (rows.length === 0) return [];
  const users = await usersById(
    db,
    rows.flatMap((r) => [r.ownerId, r.fallbackReviewerId, typeof r.reviewerStrategy === "object" ? r.reviewerStrategy.reviewer : null]),
  );
  const counts = await db
    .select({ ruleId: campaignTriggerFirings.ruleId, outcome: campaignTriggerFirings.outcome, n: count() })
    .from(campaignTriggerFirings)
    .where(sql`${campaignTriggerFirings.ruleId} = any(${sql.param(rows.map((r) => r.id))}::text[])`)
    .groupBy(campaignTriggerFirings.ruleId, campaignTriggerFirings.outcome);
  const byRule = new Map<string, { opened: number; noAccess: number; failed: number }>();
  for (const c of counts) {
    const e = byRule.get(c.ruleId) ?? { opened: 0, noAccess: 0, failed: 0 };
    if (c.outcome === "opened") e.opened = c.n;
    else if (c.outcome === "no_access") e.noAccess = c.n;
    else e.failed = c.n;
    byRule.set(c.ruleId, e);
  }
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    kind: r.kind,
    kindLabel: TRIGGER_KIND_LABEL[r.kind],
    filter: r.filter,
    reviewerStrategy: r.reviewerStrategy,
    reviewer: typeof r.reviewerStrategy === "object" ? (users.get(r.reviewerStrategy.reviewer) ?? null) : null,
    fallbackReviewer: r.fallbackReviewerId ? (users.get(r.fallbackReviewerId) ?? null) : null,
    owner: users.get(r.ownerId) ?? null,
    durationDays: r.durationDays,
    enabled: r.enabled,
    lastFiredAt: r.lastFiredAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    firings: byRule.get(r.id) ?? { opened: 0, noAccess: 0, failed: 0 },
  }));
}

function auditShape(r: TriggerRuleRow) {
  return {
    name: r.name,
    kind: r.kind,
    filter: r.filter,
    reviewerStrategy: r.reviewerStrategy,
    fallbackReviewerId: r.fallbackReviewerId,
    durationDays: r.durationDays,
    enabled: r.enabled,
    ownerId: r.ownerId,
  };
}

export interface RuleOptions {
  requestId?: string;
  now?: Date;
}

/** Creates a trigger rule owned by the caller (who owns, and is the last-resort reviewer of, the campaigns it opens). */
export async function createTriggerRule(db: Db, actor: Actor, input: unknown, opts: RuleOptions = {}): Promise<TriggerRuleView> {
  requirePermission(actor, "campaign.manage");
  const ownerId = requireActorUser(actor, "owning a trigger rule");
  const d = parseInput(triggerRuleSchema, input);
  const filter = checkFilter(d.kind, d.filter);
  const { reviewerStrategy, fallbackReviewerId, dir } = await resolveReviewers(db, d.reviewerStrategy, d.fallbackReviewer);
  // Items the strategy cannot route go to the fallback reviewer, then to the rule's owner: one of them must review.
  if (!fallbackReviewerId && !dir.byId.has(ownerId))
    throw new AppError("validation", "fallbackReviewer: you do not review, so name someone who does for what the strategy cannot route", [
      { path: "fallbackReviewer", message: "is required when the rule's owner does not review" },
    ]);
  const now = opts.now ?? new Date();
  const row = await db.transaction(async (tx) => {
    const [created] = await tx
      .insert(campaignTriggerRules)
      .values({
        id: newId("trg"),
        name: d.name,
        kind: d.kind,
        filter,
        reviewerStrategy,
        fallbackReviewerId: fallbackReviewerId ?? null,
        durationDays: d.durationDays ?? 7,
        enabled: d.enabled ?? true,
        ownerId,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await emitAudit(tx, actor, {
      action: "campaign_trigger.create",
      target: { type: "campaign_trigger_rule", id: created!.id },
      after: auditShape(created!),
      requestId: opts.requestId,
    });
    return created!;
  });
  return (await triggerRuleViews(db, [row]))[0]!;
}

async function loadRule(db: Db, id: string): Promise<TriggerRuleRow> {
  const [row] = await db.select().from(campaignTriggerRules).where(eq(campaignTriggerRules.id, id));
  if (!row) throw new AppError("not_found", "trigger rule not found");
  return row;
}

/**
 * Changes a rule (its kind stays). Enabling a disabled rule moves its
 * watermark to now: what happened while it was off (beyond the job's rescan
 * margin) does not fire it.
 */
export async function updateTriggerRule(db: Db, actor: Actor, id: string, input: unknown, opts: RuleOptions = {}): Promise<TriggerRuleView> {
  requirePermission(actor, "campaign.manage");
  const d = parseInput(triggerRuleUpdateSchema, input);
  const now = opts.now ?? new Date();
  const row = await db.transaction(async (tx) => {
    const [before] = await tx.select().from(campaignTriggerRules).where(eq(campaignTriggerRules.id, id)).for("update");
    if (!before) throw new AppError("not_found", "trigger rule not found");
    const filter = d.filter === undefined ? before.filter : checkFilter(before.kind, d.filter);
    const reviewers =
      d.reviewerStrategy !== undefined || d.fallbackReviewer !== undefined ? await resolveReviewers(tx, d.reviewerStrategy, d.fallbackReviewer) : null;
    const [after] = await tx
      .update(campaignTriggerRules)
      .set({
        ...(d.name !== undefined ? { name: d.name } : {}),
        filter,
        ...(d.reviewerStrategy !== undefined ? { reviewerStrategy: reviewers!.reviewerStrategy } : {}),
        ...(reviewers?.fallbackReviewerId !== undefined ? { fallbackReviewerId: reviewers.fallbackReviewerId } : {}),
        ...(d.durationDays !== undefined ? { durationDays: d.durationDays } : {}),
        ...(d.enabled !== undefined ? { enabled: d.enabled } : {}),
        ...(d.enabled === true && !before.enabled ? { scannedTo: now } : {}),
        updatedAt: now,
      })
      .where(eq(campaignTriggerRules.id, id))
      .returning();
    await emitAudit(tx, actor, {
      action: "campaign_trigger.update",
      target: { type: "campaign_trigger_rule", id },
      before: auditShape(before),
      after: auditShape(after!),
      requestId: opts.requestId,
    });
    return after!;
  });
  return (await triggerRuleViews(db, [row]))[0]!;
}

/** Deletes a rule that never fired; one that did keeps its record (disable it instead): 409. */
export async function deleteTriggerRule(db: Db, actor: Actor, id: string, opts: RuleOptions = {}): Promise<{ id: string; deleted: true }> {
  requirePermission(actor, "campaign.manage");
  await db.transaction(async (tx) => {
    const [before] = await tx.select().from(campaignTriggerRules).where(eq(campaignTriggerRules.id, id)).for("update");
    if (!before) throw new AppError("not_found", "trigger rule not found");
    const [fired] = await tx.select({ n: count() }).from(campaignTriggerFirings).where(eq(campaignTriggerFirings.ruleId, id));
    if (fired!.n > 0) throw new AppError("conflict", `the rule fired ${fired!.n} time${fired!.n === 1 ? "" : "s"}; its record stays: disable it instead`);
    await tx.delete(campaignTriggerRules).where(eq(campaignTriggerRules.id, id));
    await emitAudit(tx, actor, {
      action: "campaign_trigger.delete",
      target: { type: "campaign_trigger_rule", id },
      before: auditShape(before),
      requestId: opts.requestId,
    });
  });
  return { id, deleted: true };
}

export async function listTriggerRules(db: Db, actor: Actor): Promise<{ items: TriggerRuleView[] }> {
  requirePermission(actor, "campaign.read");
  const rows = await db.select().from(campaignTriggerRules).orderBy(desc(campaignTriggerRules.createdAt), campaignTriggerRules.id);
  return { items: await triggerRuleViews(db, rows) };
}

/** A rule with its latest firings (what each event did: the campaign it opened, or why none). */
export async function getTriggerRule(db: Db, actor: Actor, id: string): Promise<TriggerRuleView & { recentFirings: FiringView[] }> {
  requirePermission(actor, "campaign.read");
  const [view] = await triggerRuleViews(db, [await loadRule(db, id)]);
  const rows = await db
    .select({ f: campaignTriggerFirings, c: { id: campaigns.id, name: campaigns.name, status: campaigns.status } })
    .from(campaignTriggerFirings)
    .leftJoin(campaigns, eq(campaigns.id, campaignTriggerFirings.campaignId))
    .where(and(eq(campaignTriggerFirings.ruleId, id)))
    .orderBy(desc(campaignTriggerFirings.at), desc(campaignTriggerFirings.id))
    .limit(50);
  return {
    ...view!,
    recentFirings: rows.map(({ f, c }) => ({
      id: f.id,
      dedupeKey: f.dedupeKey,
      outcome: f.outcome,
      at: f.at.toISOString(),
      campaign: c?.id ? { id: c.id, name: c.name, status: c.status } : null,
      summary: typeof f.detail.summary === "string" ? f.detail.summary : null,
      reason: typeof f.detail.reason === "string" ? f.detail.reason : null,
    })),
  };
}
