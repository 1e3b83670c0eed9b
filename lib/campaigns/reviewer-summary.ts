import { and, asc, count, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { campaigns, reviewItems } from "@/db/schema";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { actorUserId } from "./views";

const DAY = 86_400_000;
/** At most this many campaigns are listed on the reviewer's home; `more` says when there were others. */
export const MAX_SUMMARY_CAMPAIGNS = 50;

export type DueTone = "danger" | "warn" | "info";

/** How a due date reads to the reviewer: "overdue", "due within a day", "due in 3 days". Pure. */
export function dueState(dueAt: Date | string, now: Date = new Date()): { label: string; tone: DueTone; overdue: boolean; daysLeft: number } {
  const due = typeof dueAt === "string" ? new Date(dueAt) : dueAt;
  const ms = due.getTime() - now.getTime();
  if (ms < 0) {
    const late = Math.floor(-ms / DAY);
    return { label: late >= 1 ? `overdue by ${late} day${late === 1 ? "" : "s"}` : "overdue", tone: "danger", overdue: true, daysLeft: -late };
  }
  const days = Math.floor(ms / DAY);
  if (days === 0) return { label: "due within a day", tone: "warn", overdue: false, daysLeft: 0 };
  return { label: `due in ${days} day${days === 1 ? "" : "s"}`, tone: days <= 3 ? "warn" : "info", overdue: false, daysLeft: days };
}

export interface ReviewCampaignSummary {
  id: string;
  name: string;
  dueAt: string;
  open: number;
  decided: number;
  total: number;
  due: ReturnType<typeof dueState>;
}

export interface ReviewerSummary {
  /** Active campaigns with items assigned to the caller: those with open items first (soonest due), then fully decided ones. */
  campaigns: ReviewCampaignSummary[];
  open: number;
  decided: number;
  /** Open items in campaigns already past their due date. */
  overdueOpen: number;
  /** More campaigns than MAX_SUMMARY_CAMPAIGNS matched; the counts above cover the listed ones. */
  more: boolean;
}

/**
 * The reviewer's day: their own items in active campaigns, counted per campaign
 * (open / decided) with the due date. Only items assigned to the caller are
 * counted; one grouped query on the reviewer index, bounded by MAX_SUMMARY_CAMPAIGNS.
 */
export async function summarizeMyReviews(db: Db, actor: Actor, now: Date = new Date()): Promise<ReviewerSummary> {
  requirePermission(actor, "review.decide");
  const userId = actorUserId(actor);
  const empty: ReviewerSummary = { campaigns: [], open: 0, decided: 0, overdueOpen: 0, more: false };
  if (!userId) return empty;
  const rows = await db
    .select({ id: campaigns.id, name: campaigns.name, dueAt: campaigns.dueAt, total: count(), decided: count(reviewItems.decision) })
    .from(reviewItems)
    .innerJoin(campaigns, eq(campaigns.id, reviewItems.campaignId))
    .where(and(eq(reviewItems.reviewerId, userId), eq(campaigns.status, "active")))
    .groupBy(campaigns.id, campaigns.name, campaigns.dueAt)
    .orderBy(asc(campaigns.dueAt), asc(campaigns.id))
    .limit(MAX_SUMMARY_CAMPAIGNS + 1);
  const listed = rows.slice(0, MAX_SUMMARY_CAMPAIGNS).map((r) => ({
    id: r.id,
    name: r.name,
    dueAt: r.dueAt.toISOString(),
    open: r.total - r.decided,
    decided: r.decided,
    total: r.total,
    due: dueState(r.dueAt, now),
  }));
  // Work left first (soonest due first), then campaigns whose items are all decided (still changeable until close).
  const ordered = [...listed.filter((c) => c.open > 0), ...listed.filter((c) => c.open === 0)];
  return {
    campaigns: ordered,
    open: listed.reduce((a, c) => a + c.open, 0),
    decided: listed.reduce((a, c) => a + c.decided, 0),
    overdueOpen: listed.reduce((a, c) => a + (c.due.overdue ? c.open : 0), 0),
    more: rows.length > MAX_SUMMARY_CAMPAIGNS,
  };
}
