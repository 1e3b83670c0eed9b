import { and, desc, eq, inArray } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { Db } from "@/db/client";
import { appUsers, campaignNotifications, campaigns, notificationDeliveries } from "@/db/schema";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { AppError } from "@/lib/errors";

/** One delivery as shown: who was told what, when, on which channel, and how it went. */
export interface DeliveryView {
  id: string;
  campaignId: string;
  campaignName: string | null;
  kind: "digest" | "reminder" | "escalation" | "overdue";
  recipient: { id: string; name: string } | null;
  reviewer: { id: string; name: string } | null;
  channel: "email" | "slack" | "teams";
  /** The e-mail address, or the chat channel's name. */
  address: string;
  status: "pending" | "sent" | "failed" | "skipped";
  reason: string | null;
  attempts: number;
  createdAt: string;
  sentAt: string | null;
}

export const deliveriesQuerySchema = z
  .object({
    limit: z
      .string()
      .regex(/^[0-9]{1,4}$/, "must be a whole number")
      .transform(Number)
      .pipe(z.number().min(1, "at least 1").max(1000, "at most 1000"))
      .optional(),
    status: z.enum(["pending", "sent", "failed", "skipped"]).optional(),
  })
  .strict();

const recipient = alias(appUsers, "recipient");
const reviewer = alias(appUsers, "reviewer");

async function deliveries(db: Db, where: ReturnType<typeof and>, limit: number): Promise<DeliveryView[]> {
  const rows = await db
    .select({
      d: notificationDeliveries,
      kind: campaignNotifications.kind,
      campaignName: campaigns.name,
      recipientId: recipient.id,
      recipientName: recipient.name,
      reviewerId: reviewer.id,
      reviewerName: reviewer.name,
    })
    .from(notificationDeliveries)
    .innerJoin(campaignNotifications, eq(campaignNotifications.id, notificationDeliveries.notificationId))
    .leftJoin(campaigns, eq(campaigns.id, notificationDeliveries.campaignId))
    .leftJoin(recipient, eq(recipient.id, campaignNotifications.recipientId))
    .leftJoin(reviewer, eq(reviewer.id, campaignNotifications.reviewerId))
    .where(where)
    .orderBy(desc(notificationDeliveries.createdAt), desc(notificationDeliveries.id))
    .limit(limit);
  return rows.map((r) => ({
    id: r.d.id,
    campaignId: r.d.campaignId,
    campaignName: r.campaignName,
    kind: r.kind,
    recipient: r.recipientId ? { id: r.recipientId, name: r.recipientName! } : null,
    reviewer: r.reviewerId ? { id: r.reviewerId, name: r.reviewerName! } : null,
    channel: r.d.channel,
    address: r.d.address,
    status: r.d.status,
    reason: r.d.reason,
    attempts: r.d.attempts,
    createdAt: r.d.createdAt.toISOString(),
    sentAt: r.d.sentAt?.toISOString() ?? null,
  }));
}

/** GET /api/v1/campaigns/{id}/deliveries (campaign.read): who was told, when, where, and how it went; newest first. */
export async function listCampaignDeliveries(
  db: Db,
  actor: Actor,
  campaignId: string,
  opts: { limit?: number; status?: DeliveryView["status"] } = {},
): Promise<DeliveryView[]> {
  requirePermission(actor, "campaign.read");
  const [c] = await db.select({ id: campaigns.id }).from(campaigns).where(eq(campaigns.id, campaignId));
  if (!c) throw new AppError("not_found", "campaign not found");
  return deliveries(
    db,
    and(eq(notificationDeliveries.campaignId, campaignId), opts.status ? eq(notificationDeliveries.status, opts.status) : undefined),
    opts.limit ?? 200,
  );
}

/** The latest deliveries across campaigns (the admin page). */
export async function listRecentDeliveries(db: Db, actor: Actor, limit = 50): Promise<DeliveryView[]> {
  requirePermission(actor, "admin.settings");
  return deliveries(db, and(inArray(notificationDeliveries.status, ["pending", "sent", "failed", "skipped"])), limit);
}
