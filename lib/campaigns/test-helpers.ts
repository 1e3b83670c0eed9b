/** Helpers for the campaign tests (imported by *.test.ts only). */
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { appUsers, auditEvents, nodes } from "@/db/schema";
import type { Actor } from "@/lib/authz/actor";
import { createCampaign, launchNow } from "./launch-campaign";

export const DAY = 86_400_000;

/** The id of the current node with this exact name. */
export async function nodeId(db: Db, name: string): Promise<string> {
  const [n] = await db
    .select({ id: nodes.id })
    .from(nodes)
    .where(and(eq(nodes.name, name), isNull(nodes.validTo)));
  if (!n) throw new Error(`no node named ${name}`);
  return n.id;
}

export async function userId(db: Db, email: string): Promise<string> {
  const [u] = await db.select({ id: appUsers.id }).from(appUsers).where(eq(appUsers.email, email));
  if (!u) throw new Error(`no user ${email}`);
  return u.id;
}

export async function auditOf(db: Db, action: string, targetId?: string) {
  const rows = await db.select().from(auditEvents).where(eq(auditEvents.action, action));
  return targetId ? rows.filter((r) => r.targetId === targetId) : rows;
}

export const dueIn = (days: number, from = new Date()) => new Date(from.getTime() + days * DAY).toISOString();

/** Creates and launches a campaign in one go. */
export async function launched(db: Db, owner: Actor, def: Record<string, unknown>) {
  const c = await createCampaign(db, owner, { dueAt: dueIn(14), reviewerStrategy: "target_owner", ...def });
  return launchNow(db, owner, c.id);
}
