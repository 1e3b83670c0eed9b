import { inArray, isNotNull, and, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { campaigns, reviewItems } from "@/db/schema";
import type { Decision, ItemFlag, Outcome, Recommendation } from "./model";
import { usersById, type ItemView, type UserRef } from "./views";

/**
 * "What changed since last time" for the items of a template's instance: the
 * previous instance's item for the same (subject, edge kind, target, level)
 * — found through review_items_access_key — its decision and outcome, who
 * decided, when and why, and what differs now (risk, recommendation, flags,
 * the subject's status, the reviewer). Both sides are launch snapshots, so the
 * comparison is of what each reviewer was shown.
 */
export interface SinceLast {
  previousCampaign: { id: string; name: string; status: string; closedAt: string | null };
  /** Null when the access was not in the previous instance: it is new since last time. */
  previous: {
    itemId: string;
    decision: Decision | null;
    outcome: Outcome | null;
    outcomeReason: string | null;
    justification: string | null;
    decidedBy: UserRef | null;
    decidedAt: string | null;
    /** Who held the item at the end (after any delegation). */
    reviewer: UserRef | null;
  } | null;
  changes: {
    risk: { from: string | null; to: string | null } | null;
    recommendation: { from: Recommendation; to: Recommendation } | null;
    flagsAdded: ItemFlag[];
    flagsRemoved: ItemFlag[];
    subjectStatus: { from: string | null; to: string | null } | null;
    /** Who the launch assigned the item to (before any delegation), last time and now. */
    reviewer: { from: UserRef | null; to: UserRef | null } | null;
  } | null;
}

const keyOf = (campaignId: string, level: number, subjectId: string, edgeKind: string, targetId: string) =>
  `${campaignId}|${level}|${subjectId}|${edgeKind}|${targetId}`;

/** Since-last for a page of items (one query for the previous items, one for names); items of campaigns without a previous instance get none. */
export async function sinceLastFor(db: Db, items: ItemView[]): Promise<Map<string, SinceLast>> {
  const out = new Map<string, SinceLast>();
  const campaignIds = [...new Set(items.map((i) => i.campaignId))];
  if (campaignIds.length === 0) return out;
  const links = await db
    .select({ id: campaigns.id, previousId: campaigns.previousCampaignId })
    .from(campaigns)
    .where(and(inArray(campaigns.id, campaignIds), isNotNull(campaigns.previousCampaignId)));
  if (links.length === 0) return out;
  const prevOf = new Map(links.map((l) => [l.id, l.previousId!]));
  const prevCampaigns = await db
    .select({ id: campaigns.id, name: campaigns.name, status: campaigns.status, closedAt: campaigns.closedAt })
    .from(campaigns)
    .where(inArray(campaigns.id, [...new Set(prevOf.values())]));
  const prevCampaignById = new Map(prevCampaigns.map((c) => [c.id, c]));
  const linked = items.filter((i) => prevCampaignById.has(prevOf.get(i.campaignId) ?? ""));
  if (linked.length === 0) return out;
  const tuples = linked.map((i) => sql`(${prevOf.get(i.campaignId)!}, ${i.level}::int, ${i.subject.id}, ${i.access.kind}, ${i.target.id})`);
  const previous = await db
    .select()
    .from(reviewItems)
    .where(
      sql`(${reviewItems.campaignId}, ${reviewItems.level}, ${reviewItems.subjectId}, ${reviewItems.edgeKind}, ${reviewItems.targetId}) in (${sql.join(tuples, sql`, `)})`,
    );
  const prevByKey = new Map(previous.map((p) => [keyOf(p.campaignId, p.level, p.subjectId, p.edgeKind, p.targetId), p]));
  const users = await usersById(
    db,
    previous.flatMap((p) => [p.decidedById, p.reviewerId, p.assignedReviewerId]),
  );
  for (const i of linked) {
    const pc = prevCampaignById.get(prevOf.get(i.campaignId)!)!;
    const p = prevByKey.get(keyOf(pc.id, i.level, i.subject.id, i.access.kind, i.target.id));
    const previousCampaign = { id: pc.id, name: pc.name, status: pc.status, closedAt: pc.closedAt?.toISOString() ?? null };
    if (!p) {
      out.set(i.id, { previousCampaign, previous: null, changes: null });
      continue;
    }
    // By code: a flag's message carries figures (days since rotation) that move without anything new.
    const codes = (flags: ItemFlag[]) => new Set(flags.map((f) => f.code));
    const before = codes(p.context.flags ?? []);
    const now = codes(i.context.flags ?? []);
    const prevReviewer = users.get(p.reviewerId) ?? null;
    out.set(i.id, {
      previousCampaign,
      previous: {
        itemId: p.id,
        decision: p.decision,
        outcome: p.outcome,
        outcomeReason: p.outcomeReason,
        justification: p.justification,
        decidedBy: p.decidedById ? (users.get(p.decidedById) ?? null) : null,
        decidedAt: p.decidedAt?.toISOString() ?? null,
        reviewer: prevReviewer,
      },
      changes: {
        risk: p.toolRisk !== i.toolRisk ? { from: p.toolRisk, to: i.toolRisk } : null,
        recommendation: p.recommendation !== i.recommendation ? { from: p.recommendation, to: i.recommendation } : null,
        flagsAdded: (i.context.flags ?? []).filter((f) => !before.has(f.code)),
        flagsRemoved: (p.context.flags ?? []).filter((f) => !now.has(f.code)),
        subjectStatus: p.subjectStatus !== i.subject.status ? { from: p.subjectStatus, to: i.subject.status } : null,
        // Routing, not delegation: who each launch assigned the item to.
        reviewer: p.assignedReviewerId !== i.assignedReviewer?.id ? { from: users.get(p.assignedReviewerId) ?? null, to: i.assignedReviewer } : null,
      },
    });
  }
  return out;
}

/** Sets `sinceLast` on each item of a template instance that has a previous instance (the items list and the item view). */
export async function withSinceLast<T extends ItemView>(db: Db, items: T[]): Promise<T[]> {
  const since = await sinceLastFor(db, items);
  for (const i of items) {
    const s = since.get(i.id);
    if (s) i.sinceLast = s;
  }
  return items;
}
