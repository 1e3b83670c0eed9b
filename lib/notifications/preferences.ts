import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { notificationPreferences } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import type { Actor } from "@/lib/authz/actor";
import { AppError, parseInput } from "@/lib/errors";

/** A person's own choices. Only digests may be turned off: reminders, overdue notices and escalations always go. */
export interface PreferencesView {
  digestOptOut: boolean;
  /** The kinds that are always sent, whatever the choices. */
  alwaysSent: string[];
  updatedAt: string | null;
}

export const preferencesSchema = z.object({ digestOptOut: z.boolean() }).strict();

function me(actor: Actor): string {
  if (actor.type !== "user" && actor.type !== "token")
    throw new AppError("forbidden", "notification preferences belong to a person: sign in, or use an API token of a user");
  return actor.id;
}

export async function getPreferences(db: Db, actor: Actor): Promise<PreferencesView> {
  const [row] = await db
    .select()
    .from(notificationPreferences)
    .where(eq(notificationPreferences.userId, me(actor)));
  return { digestOptOut: row?.digestOptOut ?? false, alwaysSent: ["reminder", "overdue", "escalation"], updatedAt: row?.updatedAt.toISOString() ?? null };
}

/** PUT /api/v1/me/notification-preferences: the caller's own choices; a change is audited. */
export async function updatePreferences(db: Db, actor: Actor, input: unknown, opts: { requestId?: string } = {}): Promise<PreferencesView> {
  const userId = me(actor);
  const p = parseInput(preferencesSchema, input);
  await db.transaction(async (tx) => {
    const [prev] = await tx.select().from(notificationPreferences).where(eq(notificationPreferences.userId, userId));
    const before = prev?.digestOptOut ?? false;
    const now = new Date();
    await tx
      .insert(notificationPreferences)
      .values({ userId, digestOptOut: p.digestOptOut, updatedAt: now })
      .onConflictDoUpdate({ target: notificationPreferences.userId, set: { digestOptOut: p.digestOptOut, updatedAt: now } });
    if (before !== p.digestOptOut)
      await emitAudit(tx, actor, {
        action: "notification.preferences.update",
        target: { type: "app_user", id: userId },
        before: { digestOptOut: before },
        after: { digestOptOut: p.digestOptOut },
        requestId: opts.requestId,
      });
  });
  return getPreferences(db, actor);
}
