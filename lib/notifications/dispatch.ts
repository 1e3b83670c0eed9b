import { and, asc, eq, gte, inArray, lt, notExists, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { appUsers, campaignNotifications, notificationChannels, notificationDeliveries, notificationPreferences } from "@/db/schema";
import { newId } from "@/lib/ids";
import { smtpConfig } from "./config";

/** A message older than this when first picked up is not sent late (e.g. the history already recorded before e-mail was set up). */
export const DISPATCH_HORIZON_MS = 2 * 86_400_000;
/** Messages taken per dispatch run; the next run takes the rest. */
const DISPATCH_BATCH = 500;

export type NotificationKind = "digest" | "reminder" | "escalation" | "overdue";

/** Kinds a person may turn off for themselves. Escalations and overdue notices are never optional. */
export const OPTIONAL_KINDS: readonly NotificationKind[] = ["digest"];

const looksLikeAddress = (s: string | null | undefined) => !!s && /^[^\s@<>]+@[^\s@<>]+$/.test(s.trim());

/**
 * Turns recorded messages (campaign_notifications) into deliveries: one row per
 * message and channel — e-mail to the recipient, and each enabled chat channel
 * that takes this kind of message. What cannot be delivered is recorded as
 * `skipped` with the reason (e-mail not configured, no address, opted out of
 * digests, channel not taking this kind); everything else is `pending` and its
 * id returned for a delivery job. Idempotent (a message with any delivery row
 * is not taken again; the unique key stops a concurrent run's duplicates).
 */
export async function dispatchNotifications(db: Db, opts: { now?: Date; env?: NodeJS.ProcessEnv; notificationIds?: string[] } = {}): Promise<string[]> {
  const now = opts.now ?? new Date();
  const env = opts.env ?? process.env;
  const undispatched = notExists(
    db
      .select({ one: sql`1` })
      .from(notificationDeliveries)
      .where(eq(notificationDeliveries.notificationId, campaignNotifications.id)),
  );
  const messages = await db
    .select({
      id: campaignNotifications.id,
      campaignId: campaignNotifications.campaignId,
      kind: campaignNotifications.kind,
      recipientId: campaignNotifications.recipientId,
      email: appUsers.email,
      status: appUsers.status,
      digestOptOut: notificationPreferences.digestOptOut,
    })
    .from(campaignNotifications)
    .innerJoin(appUsers, eq(appUsers.id, campaignNotifications.recipientId))
    .leftJoin(notificationPreferences, eq(notificationPreferences.userId, campaignNotifications.recipientId))
    .where(
      and(
        undispatched,
        opts.notificationIds ? inArray(campaignNotifications.id, opts.notificationIds.length ? opts.notificationIds : ["-"]) : undefined,
        gte(campaignNotifications.createdAt, new Date(now.getTime() - DISPATCH_HORIZON_MS)),
        lt(campaignNotifications.createdAt, new Date(now.getTime() + 60_000)),
      ),
    )
    .orderBy(asc(campaignNotifications.createdAt))
    .limit(DISPATCH_BATCH);
  if (messages.length === 0) return [];
  const channels = await db.select().from(notificationChannels).where(eq(notificationChannels.enabled, true));
  const smtp = smtpConfig(env);
  const rows: (typeof notificationDeliveries.$inferInsert)[] = [];
  for (const m of messages) {
    const optedOut = OPTIONAL_KINDS.includes(m.kind) && m.digestOptOut === true;
    const base = { notificationId: m.id, campaignId: m.campaignId, recipientId: m.recipientId, createdAt: now, updatedAt: now };
    const address = looksLikeAddress(m.email) ? m.email.trim() : "";
    let skip: string | null = null;
    if (m.status !== "active") skip = "the recipient's account is disabled";
    else if (!address) skip = "the recipient has no e-mail address";
    else if (optedOut) skip = "the recipient opted out of digests";
    else if (!smtp.config) skip = `e-mail is not configured (${smtp.problem})`;
    rows.push({ ...base, id: newId("dlv"), channel: "email", address: address || "(none)", status: skip ? "skipped" : "pending", reason: skip });
    for (const ch of channels) {
      if (!ch.events.includes(m.kind)) continue;
      const chatSkip = optedOut ? "the recipient opted out of digests" : null;
      rows.push({
        ...base,
        id: newId("dlv"),
        channel: ch.kind,
        channelId: ch.id,
        address: ch.name,
        status: chatSkip ? "skipped" : "pending",
        reason: chatSkip,
      });
    }
  }
  const inserted = await db
    .insert(notificationDeliveries)
    .values(rows)
    .onConflictDoNothing()
    .returning({ id: notificationDeliveries.id, status: notificationDeliveries.status });
  return inserted.filter((r) => r.status === "pending").map((r) => r.id);
}

/** Pending deliveries whose job seems lost (no attempt recorded for `staleMs`): the sweep enqueues them again. */
export async function stalePendingDeliveries(db: Db, now = new Date(), staleMs = 15 * 60_000): Promise<string[]> {
  const rows = await db
    .select({ id: notificationDeliveries.id })
    .from(notificationDeliveries)
    .where(and(eq(notificationDeliveries.status, "pending"), lt(notificationDeliveries.updatedAt, new Date(now.getTime() - staleMs))))
    .limit(DISPATCH_BATCH);
  return rows.map((r) => r.id);
}
