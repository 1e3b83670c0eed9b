import { and, count, desc, eq, inArray, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { appUsers, campaignNotifications, campaigns, edges, reviewItems } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { newId } from "@/lib/ids";
import type { ActionOptions } from "./launch-campaign";
import { usersById } from "./views";

const DAY_MS = 86_400_000;

export interface NotificationView {
  id: string;
  campaignId: string;
  kind: "digest" | "reminder" | "escalation" | "overdue";
  recipient: { id: string; name: string } | null;
  reviewer: { id: string; name: string } | null;
  pendingItems: number;
  message: string;
  createdAt: string;
}

export interface ReminderRun {
  reminders: number;
  escalations: number;
  overdue: number;
  notifications: NotificationView[];
}

/** The app user linked to the manager of `userId`'s human node, if any. */
async function managerOf(db: Db, humanNodeId: string | null): Promise<string | null> {
  if (!humanNodeId) return null;
  const [row] = await db
    .select({ id: appUsers.id })
    .from(edges)
    .innerJoin(appUsers, eq(appUsers.humanNodeId, edges.fromId))
    .where(and(eq(edges.kind, "manages"), eq(edges.toId, humanNodeId), isNull(edges.validTo), eq(appUsers.status, "active")))
    .limit(1);
  return row?.id ?? null;
}

/**
 * Records the reminders and escalations due now for every active campaign
 * (POST /api/v1/campaigns/reminders/run; a scheduler can call it). Before the
 * due date, each reviewer with undecided items gets one reminder per crossed
 * threshold of the reminder schedule (the nearest one only); once the due date
 * has passed, each late reviewer gets one overdue notice; once the due date
 * plus the escalation delay has passed, one escalation per late reviewer goes
 * to their manager (when they have one in Attest) or to the campaign owner.
 * Delivery (e-mail, chat) is lib/notifications' work: it picks these up.
 * Idempotent: running it twice records nothing new.
 */
export async function runReminders(db: Db, actor: Actor, opts: ActionOptions = {}): Promise<ReminderRun> {
  requirePermission(actor, "campaign.manage");
  const now = opts.now ?? new Date();
  const active = await db.select().from(campaigns).where(eq(campaigns.status, "active"));
  const out: ReminderRun = { reminders: 0, escalations: 0, overdue: 0, notifications: [] };
  for (const c of active) {
    const pending = await db
      .select({ reviewerId: reviewItems.reviewerId, n: count() })
      .from(reviewItems)
      .where(and(eq(reviewItems.campaignId, c.id), isNull(reviewItems.decision)))
      .groupBy(reviewItems.reviewerId);
    if (pending.length === 0) continue;
    const reviewers = await db
      .select({ id: appUsers.id, name: appUsers.name, humanNodeId: appUsers.humanNodeId })
      .from(appUsers)
      .where(
        inArray(
          appUsers.id,
          pending.map((p) => p.reviewerId),
        ),
      );
    const byId = new Map(reviewers.map((r) => [r.id, r]));
    const due = c.dueAt.getTime();
    const rows: (typeof campaignNotifications.$inferInsert)[] = [];
    if (now.getTime() < due) {
      const crossed = c.reminderDays.filter((d) => now.getTime() >= due - d * DAY_MS);
      if (crossed.length) {
        const nearest = Math.min(...crossed);
        const left = Math.max(1, Math.ceil((due - now.getTime()) / DAY_MS));
        for (const p of pending) {
          rows.push({
            id: newId("ntf"),
            campaignId: c.id,
            kind: "reminder",
            recipientId: p.reviewerId,
            reviewerId: p.reviewerId,
            pendingItems: p.n,
            message: `Reminder: ${p.n} item${p.n === 1 ? "" : "s"} to review in "${c.name}", due in ${left} day${left === 1 ? "" : "s"} (${c.dueAt.toISOString().slice(0, 10)}).`,
            dedupeKey: `reminder:${nearest}d:${p.reviewerId}`,
            createdAt: now,
          });
        }
      }
    } else {
      // Past the due date: each late reviewer is told once that their items are overdue (never opted out of).
      const late = Math.max(1, Math.floor((now.getTime() - due) / DAY_MS));
      for (const p of pending) {
        rows.push({
          id: newId("ntf"),
          campaignId: c.id,
          kind: "overdue",
          recipientId: p.reviewerId,
          reviewerId: p.reviewerId,
          pendingItems: p.n,
          message: `Overdue: ${p.n} item${p.n === 1 ? "" : "s"} still to review in "${c.name}", due ${c.dueAt.toISOString().slice(0, 10)} (${late} day${late === 1 ? "" : "s"} ago).`,
          dedupeKey: `overdue:${p.reviewerId}`,
          createdAt: now,
        });
      }
    }
    if (now.getTime() >= due + c.escalateAfterDays * DAY_MS) {
      for (const p of pending) {
        const reviewer = byId.get(p.reviewerId);
        const manager = c.escalateTo === "reviewer_manager" ? await managerOf(db, reviewer?.humanNodeId ?? null) : null;
        const recipientId = manager && manager !== p.reviewerId ? manager : c.ownerId;
        rows.push({
          id: newId("ntf"),
          campaignId: c.id,
          kind: "escalation",
          recipientId,
          reviewerId: p.reviewerId,
          pendingItems: p.n,
          message: `Escalation: ${reviewer?.name ?? "a reviewer"} has ${p.n} undecided item${p.n === 1 ? "" : "s"} in "${c.name}", due ${c.dueAt.toISOString().slice(0, 10)}${manager ? " (you are their manager)" : " (you own the campaign)"}.`,
          dedupeKey: `escalation:${p.reviewerId}`,
          createdAt: now,
        });
      }
    }
    if (rows.length === 0) continue;
    await db.transaction(async (tx) => {
      const inserted = await tx.insert(campaignNotifications).values(rows).onConflictDoNothing().returning();
      if (inserted.length === 0) return;
      await emitAudit(tx, actor, {
        action: "campaign.notify",
        target: { type: "campaign", id: c.id },
        after: {
          notifications: inserted.map((n) => ({ id: n.id, kind: n.kind, recipientId: n.recipientId, reviewerId: n.reviewerId, pendingItems: n.pendingItems })),
        },
        requestId: opts.requestId,
      });
      const views = await notificationViews(tx, inserted);
      out.notifications.push(...views);
      out.reminders += inserted.filter((n) => n.kind === "reminder").length;
      out.escalations += inserted.filter((n) => n.kind === "escalation").length;
      out.overdue += inserted.filter((n) => n.kind === "overdue").length;
    });
  }
  return out;
}

async function notificationViews(db: Db, rows: (typeof campaignNotifications.$inferSelect)[]): Promise<NotificationView[]> {
  const users = await usersById(
    db,
    rows.flatMap((r) => [r.recipientId, r.reviewerId]),
  );
  const ref = (id: string) => (users.get(id) ? { id, name: users.get(id)!.name } : null);
  return rows.map((r) => ({
    id: r.id,
    campaignId: r.campaignId,
    kind: r.kind,
    recipient: ref(r.recipientId),
    reviewer: ref(r.reviewerId),
    pendingItems: r.pendingItems,
    message: r.message,
    createdAt: r.createdAt.toISOString(),
  }));
}

/** Notifications of one campaign (for its dashboard), newest first. */
export async function listCampaignNotifications(db: Db, campaignId: string, limit = 100): Promise<NotificationView[]> {
  const rows = await db
    .select()
    .from(campaignNotifications)
    .where(eq(campaignNotifications.campaignId, campaignId))
    .orderBy(desc(campaignNotifications.createdAt))
    .limit(limit);
  return notificationViews(db, rows);
}

/** Notifications addressed to one person (for their inbox), newest first. */
export async function listNotificationsFor(db: Db, userId: string, limit = 20): Promise<NotificationView[]> {
  const rows = await db
    .select()
    .from(campaignNotifications)
    .where(eq(campaignNotifications.recipientId, userId))
    .orderBy(desc(campaignNotifications.createdAt))
    .limit(limit);
  return notificationViews(db, rows);
}
