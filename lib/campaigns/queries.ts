import { and, asc, count, desc, eq, inArray, isNotNull, isNull, min, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { campaigns, remediationTasks, reviewDecisions, reviewItems, reviewItemScopes } from "@/db/schema";
import { decodeCursor, encodeCursor } from "@/lib/api/cursor";
import type { Actor } from "@/lib/authz/actor";
import { can, requirePermission } from "@/lib/authz/permissions";
import { AppError } from "@/lib/errors";
import { likePattern } from "@/db/like";
import { TOOL_RISKS } from "@/lib/graph/tool-risk";
import { CAMPAIGN_STATUSES, DECISIONS, RECOMMENDATIONS, riskRank, type Outcome } from "./model";
import { listCampaignNotifications, type NotificationView } from "./reminders";
import { loadReviewerDirectory } from "./reviewers";
import { withSinceLast } from "./since-last";
import { actorUserId, campaignViews, itemViews, usersById, type CampaignRow, type CampaignView, type ItemRow, type ItemView, type UserRef } from "./views";

const limit = (max: number, dflt: number) =>
  z
    .string()
    .regex(/^\d+$/, `limit must be a whole number from 1 to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(1, `limit must be from 1 to ${max}`).max(max, `limit must be from 1 to ${max}`))
    .default(dflt);

export const listCampaignsQuerySchema = z.object({ status: z.enum(CAMPAIGN_STATUSES).optional() }).strict();

export const itemsQuerySchema = z
  .object({
    status: z.enum(["pending", "decided", "all"]).default("all"),
    decision: z.enum(DECISIONS).optional(),
    recommendation: z.enum(RECOMMENDATIONS).optional(),
    minRisk: z.enum(TOOL_RISKS).optional(),
    reviewer: z.string().max(64).optional(),
    campaign: z.string().max(64).optional(),
    q: z.string().trim().max(200).optional(),
    limit: limit(500, 200),
    cursor: z.string().max(4000).optional(),
  })
  .strict();
export type ItemsQuery = z.infer<typeof itemsQuerySchema>;

export interface CampaignSummary extends CampaignView {
  counts: { items: number; decided: number; reviewers: number };
}

/** Campaigns newest first: all of them with campaign.read; for a reviewer, those with items assigned to them. */
export async function listCampaigns(
  db: Db,
  actor: Actor,
  q: z.infer<typeof listCampaignsQuerySchema> = {},
): Promise<{ items: CampaignSummary[]; total: number; nextCursor: null }> {
  if (!can(actor, "campaign.read")) requirePermission(actor, "review.decide");
  const where: SQL[] = [];
  if (q.status) where.push(eq(campaigns.status, q.status));
  if (!can(actor, "campaign.read")) {
    const mine = db
      .selectDistinct({ id: reviewItems.campaignId })
      .from(reviewItems)
      .where(eq(reviewItems.reviewerId, actorUserId(actor) ?? ""));
    where.push(inArray(campaigns.id, mine));
  }
  const rows = await db
    .select()
    .from(campaigns)
    .where(and(...where))
    .orderBy(desc(campaigns.createdAt))
    .limit(500);
  const counts = rows.length
    ? await db
        .select({
          id: reviewItems.campaignId,
          items: count(),
          decided: count(reviewItems.decision),
          reviewers: sql<number>`count(distinct ${reviewItems.reviewerId})::int`,
        })
        .from(reviewItems)
        .where(
          inArray(
            reviewItems.campaignId,
            rows.map((r) => r.id),
          ),
        )
        .groupBy(reviewItems.campaignId)
    : [];
  const byId = new Map(counts.map((c) => [c.id, c]));
  const views = await campaignViews(db, rows);
  const items = views.map((v) => ({
    ...v,
    counts: { items: byId.get(v.id)?.items ?? 0, decided: byId.get(v.id)?.decided ?? 0, reviewers: byId.get(v.id)?.reviewers ?? 0 },
  }));
  return { items, total: items.length, nextCursor: null };
}

/** The campaign if the actor may see it: with campaign.read, or as a reviewer of one of its items; otherwise 404. */
async function visibleCampaign(db: Db, actor: Actor, id: string): Promise<CampaignRow> {
  if (!can(actor, "campaign.read")) requirePermission(actor, "review.decide");
  const [row] = await db.select().from(campaigns).where(eq(campaigns.id, id));
  if (!row) throw new AppError("not_found", "campaign not found");
  if (!can(actor, "campaign.read")) {
    const [mine] = await db
      .select({ id: reviewItems.id })
      .from(reviewItems)
      .where(and(eq(reviewItems.campaignId, id), eq(reviewItems.reviewerId, actorUserId(actor) ?? "")))
      .limit(1);
    if (!mine) throw new AppError("not_found", "campaign not found");
  }
  return row;
}

export interface ReviewerProgress extends UserRef {
  total: number;
  decided: number;
  approve: number;
  revoke: number;
  abstain: number;
}

export interface Progress {
  total: number;
  decided: number;
  undecided: number;
  overdue: number;
  byDecision: Record<"approve" | "revoke" | "abstain", number>;
  outcomes: Record<Outcome, number> | null;
  byReviewer: ReviewerProgress[];
  burndown: { launchedAt: string; dueAt: string; end: string; total: number; points: { at: string; undecided: number }[] } | null;
  remediation: Record<"open" | "done" | "verified" | "not_effective", number>;
  /** Items of other open campaigns this one links to (the same access, decided there once); included in total and decided. */
  reviewedElsewhere: { total: number; decided: number };
  notifications: NotificationView[];
}

const MAX_POINTS = 200;

/** Undecided items over time, from the first decision of each item (later changes do not make an item undecided again). */
async function burndown(db: Db, c: CampaignRow, total: number, now: Date): Promise<Progress["burndown"]> {
  if (!c.launchedAt) return null;
  const firsts = await db
    .select({ at: min(reviewDecisions.at) })
    .from(reviewDecisions)
    .where(and(eq(reviewDecisions.campaignId, c.id), eq(reviewDecisions.kind, "decision")))
    .groupBy(reviewDecisions.itemId);
  const times = firsts.map((f) => f.at!.getTime()).sort((a, b) => a - b);
  const end = c.closedAt ?? now;
  const points: { at: string; undecided: number }[] = [{ at: c.launchedAt.toISOString(), undecided: total }];
  const step = Math.max(1, Math.ceil(times.length / MAX_POINTS));
  for (let i = step - 1; i < times.length; i += step) points.push({ at: new Date(times[i]!).toISOString(), undecided: total - (i + 1) });
  if (times.length % step !== 0) points.push({ at: new Date(times[times.length - 1]!).toISOString(), undecided: total - times.length });
  points.push({ at: end.toISOString(), undecided: total - times.length });
  return { launchedAt: c.launchedAt.toISOString(), dueAt: c.dueAt.toISOString(), end: end.toISOString(), total, points };
}

/** GET /api/v1/campaigns/{id}: the definition, and for readers of campaigns its progress (by reviewer, over time, overdue, notifications). */
export async function getCampaign(
  db: Db,
  actor: Actor,
  id: string,
  now: Date = new Date(),
): Promise<CampaignView & { progress: Progress | null; mine: { total: number; decided: number } | null }> {
  const c = await visibleCampaign(db, actor, id);
  const [view] = await campaignViews(db, [c]);
  const userId = actorUserId(actor);
  const [mine] = userId
    ? await db
        .select({ total: count(), decided: count(reviewItems.decision) })
        .from(reviewItems)
        .where(and(eq(reviewItems.campaignId, id), eq(reviewItems.reviewerId, userId)))
    : [];
  if (!can(actor, "campaign.read")) return { ...view!, progress: null, mine: mine ?? null };
  // While launching, the items written so far are nobody's yet: the page shows `launch` progress, not review progress.
  const rows =
    c.status === "launching" || c.status === "draft"
      ? []
      : await db
          .select({ reviewerId: reviewItems.reviewerId, decision: reviewItems.decision, outcome: reviewItems.outcome, level: reviewItems.level, n: count() })
          .from(reviewItems)
          .where(eq(reviewItems.campaignId, id))
          .groupBy(reviewItems.reviewerId, reviewItems.decision, reviewItems.outcome, reviewItems.level);
  const users = await usersById(
    db,
    rows.map((r) => r.reviewerId),
  );
  const byReviewer = new Map<string, ReviewerProgress>();
  const byDecision = { approve: 0, revoke: 0, abstain: 0 };
  const outcomes: Record<Outcome, number> = { approve: 0, revoke: 0, abstain: 0, no_response: 0 };
  let total = 0;
  let decided = 0;
  for (const r of rows) {
    const u = users.get(r.reviewerId) ?? { id: r.reviewerId, name: r.reviewerId, email: "" };
    const p = byReviewer.get(r.reviewerId) ?? { ...u, total: 0, decided: 0, approve: 0, revoke: 0, abstain: 0 };
    p.total += r.n;
    total += r.n;
    if (r.decision) {
      p.decided += r.n;
      p[r.decision] += r.n;
      byDecision[r.decision] += r.n;
      decided += r.n;
    }
    if (r.outcome && r.level === 1) outcomes[r.outcome] += r.n;
    byReviewer.set(r.reviewerId, p);
  }
  const taskCounts = await db
    .select({ status: remediationTasks.status, notEffective: sql<boolean>`${remediationTasks.notEffectiveAt} is not null`, n: count() })
    .from(remediationTasks)
    .where(eq(remediationTasks.campaignId, id))
    .groupBy(remediationTasks.status, sql`${remediationTasks.notEffectiveAt} is not null`);
  const remediation = { open: 0, done: 0, verified: 0, not_effective: 0 };
  for (const t of taskCounts) {
    remediation[t.status] += t.n;
    if (t.status === "done" && t.notEffective) remediation.not_effective += t.n;
  }
  // Accesses this campaign links to, under review in another open campaign: counted here, decided there.
  const [elsewhere] = await db
    .select({ total: count(), decided: count(reviewItems.decision) })
    .from(reviewItemScopes)
    .innerJoin(reviewItems, eq(reviewItems.id, reviewItemScopes.itemId))
    .where(eq(reviewItemScopes.campaignId, id));
  const reviewedElsewhere = { total: Number(elsewhere?.total ?? 0), decided: Number(elsewhere?.decided ?? 0) };
  total += reviewedElsewhere.total;
  decided += reviewedElsewhere.decided;
  const undecided = total - decided;
  return {
    ...view!,
    mine: mine ?? null,
    progress: {
      total,
      decided,
      undecided,
      overdue: c.status === "active" && now.getTime() > c.dueAt.getTime() ? undecided : 0,
      byDecision,
      outcomes: c.closedAt ? outcomes : null,
      byReviewer: [...byReviewer.values()].sort((a, b) => b.total - b.decided - (a.total - a.decided) || a.name.localeCompare(b.name)),
      burndown: await burndown(db, c, total, now),
      remediation,
      reviewedElsewhere,
      notifications: await listCampaignNotifications(db, id),
    },
  };
}

/** Where the next page starts: after this item in (campaign, subject, access, target, level, id) order; `n` carries the first page's total. */
interface ItemCursor {
  c: string;
  s: string;
  k: string;
  t: string;
  l: number;
  i: string;
  n: number;
  x?: boolean;
}
const isItemCursor = (v: unknown): v is ItemCursor => {
  const o = v as Record<string, unknown>;
  return (
    typeof v === "object" &&
    v !== null &&
    ["c", "s", "k", "t", "i"].every((k) => typeof o[k] === "string") &&
    Number.isInteger(o.l) &&
    Number.isInteger(o.n) &&
    (o.n as number) >= 0
  );
};

function itemFilters(q: ItemsQuery): SQL[] {
  const where: SQL[] = [];
  if (q.status === "pending") where.push(isNull(reviewItems.decision));
  if (q.status === "decided") where.push(isNotNull(reviewItems.decision));
  if (q.decision) where.push(eq(reviewItems.decision, q.decision));
  if (q.recommendation) where.push(eq(reviewItems.recommendation, q.recommendation));
  if (q.minRisk)
    where.push(
      inArray(
        reviewItems.toolRisk,
        TOOL_RISKS.filter((r) => riskRank(r) >= riskRank(q.minRisk)),
      ),
    );
  if (q.reviewer) where.push(eq(reviewItems.reviewerId, q.reviewer));
  if (q.q) {
    const p = likePattern(q.q);
    where.push(or(sql`lower(${reviewItems.subjectName}) like ${p}`, sql`lower(${reviewItems.targetName}) like ${p}`)!);
  }
  return where;
}

/** Totals are exact up to this many items; beyond, `total` is this number and `totalExact` false (counting a million rows per page is not paging). */
export const TOTAL_CAP = 10_000;

/** (subject, access, target, level, id) after the cursor's: the keyset condition within one campaign's part of a page. */
const after = (k: ItemCursor) =>
  sql`(${reviewItems.subjectName}, ${reviewItems.edgeKind}, ${reviewItems.targetName}, ${reviewItems.level}, ${reviewItems.id}) > (${k.s}, ${k.k}, ${k.t}, ${k.l}::int, ${k.i})`;
const itemOrder = [asc(reviewItems.subjectName), asc(reviewItems.edgeKind), asc(reviewItems.targetName), asc(reviewItems.level), asc(reviewItems.id)];

async function cappedCount(db: Db, where: SQL | undefined): Promise<{ total: number; exact: boolean }> {
  const inner = db
    .select({ one: sql`1` })
    .from(reviewItems)
    .where(where)
    .limit(TOTAL_CAP + 1)
    .as("capped");
  const [r] = await db.select({ n: count() }).from(inner);
  const n = Number(r?.n ?? 0);
  return n > TOTAL_CAP ? { total: TOTAL_CAP, exact: false } : { total: n, exact: true };
}

export interface ItemPage {
  items: ItemView[];
  total: number;
  /** False when there are more than TOTAL_CAP items: `total` is then a lower bound. */
  totalExact: boolean;
  nextCursor: string | null;
}

/**
 * A page of items across campaigns (soonest due first, then by subject, access,
 * target): keyset pages, campaign by campaign, each read along
 * review_items_reviewer_order_idx or review_items_campaign_order_idx, so the
 * first page costs the same at a hundred items or a million. `parts` are the
 * campaigns in order, each with the condition selecting its items.
 */
async function keysetPage(db: Db, parts: { id: string; where: SQL }[], filters: SQL[], q: ItemsQuery, countWhere: SQL | undefined): Promise<ItemPage> {
  const k = q.cursor ? decodeCursor(q.cursor, isItemCursor) : null;
  const { total, exact } = k ? { total: k.n, exact: !k.x } : await cappedCount(db, countWhere);
  const start = k ? parts.findIndex((p) => p.id === k.c) : 0;
  // The cursor's campaign is no longer listed (closed since the last page): the walk is over.
  if (start < 0) return { items: [], total, totalExact: exact, nextCursor: null };
  const rows: ItemRow[] = [];
  for (let p = start; p < parts.length && rows.length <= q.limit; p++) {
    const part = parts[p]!;
    const where = [part.where, ...filters];
    if (k && p === start) where.push(after(k));
    const got = await db
      .select()
      .from(reviewItems)
      .where(and(...where))
      .orderBy(...itemOrder)
      .limit(q.limit + 1 - rows.length);
    rows.push(...got.map((r) => Object.assign(r, { __part: part.id })));
  }
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1] as (ItemRow & { __part: string }) | undefined;
  const nextCursor =
    rows.length > q.limit && last
      ? encodeCursor({
          c: last.__part,
          s: last.subjectName,
          k: last.edgeKind,
          t: last.targetName,
          l: last.level,
          i: last.id,
          n: total,
          ...(exact ? {} : { x: true }),
        })
      : null;
  for (const r of page) delete (r as Partial<ItemRow & { __part: string }>).__part;
  const ids = [...new Set(page.map((r) => r.campaignId))];
  const named = ids.length
    ? await db
        .select({ id: campaigns.id, name: campaigns.name, status: campaigns.status, dueAt: campaigns.dueAt })
        .from(campaigns)
        .where(inArray(campaigns.id, ids))
    : [];
  return {
    items: await withSinceLast(db, await itemViews(db, page, new Map(named.map((c) => [c.id, c])))),
    total,
    totalExact: exact,
    nextCursor,
  };
}

/**
 * GET /api/v1/campaigns/{id}/items: every item for readers of campaigns; a
 * reviewer sees only their own. Items of another open campaign that this one
 * links to (the same access, already under review there: review_item_scopes)
 * come after its own, with that campaign's name ("reviewed in …"). A campaign
 * still launching lists nothing yet.
 */
export async function listCampaignItems(db: Db, actor: Actor, id: string, q: ItemsQuery): Promise<ItemPage> {
  const c = await visibleCampaign(db, actor, id);
  if (c.status === "launching" || c.status === "draft") return { items: [], total: 0, totalExact: true, nextCursor: null };
  const filters = itemFilters({ ...q, campaign: undefined });
  if (!can(actor, "campaign.read")) filters.push(eq(reviewItems.reviewerId, actorUserId(actor) ?? ""));
  const own = eq(reviewItems.campaignId, id);
  const scoped = inArray(reviewItems.id, db.select({ id: reviewItemScopes.itemId }).from(reviewItemScopes).where(eq(reviewItemScopes.campaignId, id)));
  const parts = [
    { id, where: own },
    { id: `${id}:scoped`, where: scoped },
  ];
  return keysetPage(db, parts, filters, q, and(or(own, scoped), ...filters));
}

/** GET /api/v1/review-items: the caller's own items (the reviewer inbox), in active campaigns unless a campaign is named. */
export async function listMyItems(db: Db, actor: Actor, q: ItemsQuery): Promise<ItemPage> {
  requirePermission(actor, "review.decide");
  const userId = actorUserId(actor);
  if (!userId) return { items: [], total: 0, totalExact: true, nextCursor: null };
  const open = await db
    .select({ id: campaigns.id })
    .from(campaigns)
    .where(q.campaign ? and(eq(campaigns.id, q.campaign), sql`${campaigns.status} <> 'launching'`) : eq(campaigns.status, "active"))
    .orderBy(asc(campaigns.dueAt), asc(campaigns.id));
  if (open.length === 0) return { items: [], total: 0, totalExact: true, nextCursor: null };
  const mine = eq(reviewItems.reviewerId, userId);
  const filters = itemFilters({ ...q, reviewer: undefined, campaign: undefined });
  const parts = open.map((c) => ({ id: c.id, where: and(mine, eq(reviewItems.campaignId, c.id))! }));
  return keysetPage(
    db,
    parts,
    filters,
    q,
    and(
      mine,
      inArray(
        reviewItems.campaignId,
        open.map((c) => c.id),
      ),
      ...filters,
    ),
  );
}

export interface HistoryEntry {
  version: number;
  kind: "decision" | "delegation";
  decision: string | null;
  justification: string | null;
  from: UserRef | null;
  to: UserRef | null;
  actor: string;
  at: string;
}

/** GET /api/v1/review-items/{id}: one item with every decision and delegation made on it. */
export async function getItem(db: Db, actor: Actor, id: string): Promise<ItemView & { history: HistoryEntry[] }> {
  if (!can(actor, "campaign.read")) requirePermission(actor, "review.decide");
  const [row] = await db
    .select({ item: reviewItems, name: campaigns.name, status: campaigns.status, dueAt: campaigns.dueAt })
    .from(reviewItems)
    .innerJoin(campaigns, eq(campaigns.id, reviewItems.campaignId))
    .where(eq(reviewItems.id, id));
  if (!row || row.status === "launching" || (!can(actor, "campaign.read") && row.item.reviewerId !== actorUserId(actor)))
    throw new AppError("not_found", "review item not found");
  const [view] = await withSinceLast(db, await itemViews(db, [row.item], new Map([[row.item.campaignId, row]])));
  const history = await db.select().from(reviewDecisions).where(eq(reviewDecisions.itemId, id)).orderBy(asc(reviewDecisions.version));
  const users = await usersById(
    db,
    history.flatMap((h) => [h.fromReviewerId, h.toReviewerId]),
  );
  return {
    ...view!,
    history: history.map((h) => ({
      version: h.version,
      kind: h.kind,
      decision: h.decision,
      justification: h.justification,
      from: h.fromReviewerId ? (users.get(h.fromReviewerId) ?? null) : null,
      to: h.toReviewerId ? (users.get(h.toReviewerId) ?? null) : null,
      actor: h.actorLabel,
      at: h.at.toISOString(),
    })),
  };
}

/** People an item can be delegated to, or named as reviewers: active users who may review. */
export async function listReviewerCandidates(db: Db, actor: Actor): Promise<UserRef[]> {
  if (!can(actor, "campaign.manage")) requirePermission(actor, "review.decide");
  const dir = await loadReviewerDirectory(db);
  return [...dir.byId.values()].map((u) => ({ id: u.id, name: u.name, email: u.email })).sort((a, b) => a.name.localeCompare(b.name));
}

export interface MyCampaign {
  id: string;
  name: string;
  dueAt: string;
  pending: number;
  total: number;
}

/** Active campaigns with items assigned to the caller, soonest due first, with how many are left to decide. */
export async function listMyCampaigns(db: Db, actor: Actor): Promise<MyCampaign[]> {
  requirePermission(actor, "review.decide");
  const userId = actorUserId(actor);
  if (!userId) return [];
  const rows = await db
    .select({ id: campaigns.id, name: campaigns.name, dueAt: campaigns.dueAt, total: count(), decided: count(reviewItems.decision) })
    .from(reviewItems)
    .innerJoin(campaigns, eq(campaigns.id, reviewItems.campaignId))
    .where(and(eq(reviewItems.reviewerId, userId), eq(campaigns.status, "active")))
    .groupBy(campaigns.id, campaigns.name, campaigns.dueAt)
    .orderBy(asc(campaigns.dueAt));
  return rows.map((r) => ({ id: r.id, name: r.name, dueAt: r.dueAt.toISOString(), pending: r.total - r.decided, total: r.total }));
}
