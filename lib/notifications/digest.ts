import { and, count, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { campaignNotifications, campaigns, reviewItems } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import { systemActor } from "@/lib/authz/actor";
import { newId } from "@/lib/ids";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * Records the new-items digest of a launched campaign: one message per
 * reviewer with undecided items (not one per item), each listing all of that
 * reviewer's items when it is sent. Idempotent (dedupe key `digest:<reviewer>`):
 * a second run records nothing. Returns the ids recorded now.
 */
export async function recordDigests(db: Db, campaignId: string, now = new Date()): Promise<string[]> {
  const [c] = await db.select().from(campaigns).where(eq(campaigns.id, campaignId));
  if (!c || c.status !== "active") return [];
  const pending = await db
    .select({ reviewerId: reviewItems.reviewerId, n: count() })
    .from(reviewItems)
    .where(and(eq(reviewItems.campaignId, campaignId), isNull(reviewItems.decision)))
    .groupBy(reviewItems.reviewerId);
  if (pending.length === 0) return [];
  const due = c.dueAt.toISOString().slice(0, 10);
  const rows = pending.map((p) => ({
    id: newId("ntf"),
    campaignId,
    kind: "digest" as const,
    recipientId: p.reviewerId,
    reviewerId: p.reviewerId,
    pendingItems: p.n,
    message: `${plural(p.n, "new item")} to review in "${c.name}", due ${due}.`,
    dedupeKey: `digest:${p.reviewerId}`,
    createdAt: now,
  }));
  return db.transaction(async (tx) => {
    const inserted = await tx.insert(campaignNotifications).values(rows).onConflictDoNothing().returning();
    if (inserted.length === 0) return [];
    await emitAudit(tx, systemActor("notifications"), {
      action: "campaign.notify",
      target: { type: "campaign", id: campaignId },
      after: {
        notifications: inserted.map((n) => ({ id: n.id, kind: n.kind, recipientId: n.recipientId, reviewerId: n.reviewerId, pendingItems: n.pendingItems })),
      },
    });
    return inserted.map((r) => r.id);
  });
}
