import { and, eq, gt, isNull, or, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiTokens, appUserRoles, appUsers } from "@/db/schema";
import type { Actor } from "./actor";
import { isRole, type Role } from "./roles";
import { constantTimeEqual, hashToken } from "./tokens";

export interface AppUserRecord {
  id: string;
  email: string;
  name: string;
  status: "active" | "disabled";
  humanNodeId: string | null;
  roles: Role[];
  sessionsValidAfter: Date | null;
}

/** Reads a user and their roles now: roles and status are never taken from a session cookie. */
export async function loadUser(db: Db, userId: string): Promise<AppUserRecord | null> {
  const [u] = await db.select().from(appUsers).where(eq(appUsers.id, userId)).limit(1);
  if (!u) return null;
  const roles = await db.select({ role: appUserRoles.role }).from(appUserRoles).where(eq(appUserRoles.userId, u.id));
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    status: u.status,
    humanNodeId: u.humanNodeId,
    roles: roles
      .map((r) => r.role)
      .filter(isRole)
      .sort(),
    sessionsValidAfter: u.sessionsValidAfter,
  };
}

export async function findUserByEmail(db: Db, email: string) {
  const [u] = await db
    .select()
    .from(appUsers)
    .where(sql`lower(${appUsers.email}) = ${email.trim().toLowerCase()}`)
    .limit(1);
  return u ?? null;
}

/**
 * The actor of a signed-in session, or null when the user is gone or disabled,
 * or the session was issued (`signedInAt`, ms) before the user's sessions were voided.
 */
export async function actorForUser(db: Db, userId: string, signedInAt?: number): Promise<Actor | null> {
  const u = await loadUser(db, userId);
  if (!u || u.status !== "active") return null;
  if (signedInAt !== undefined && u.sessionsValidAfter && signedInAt <= u.sessionsValidAfter.getTime()) return null;
  return { type: "user", id: u.id, email: u.email, name: u.name, roles: u.roles, humanNodeId: u.humanNodeId };
}

/**
 * The actor of a bearer token, or null. The bootstrap token (ATTEST_BOOTSTRAP_TOKEN)
 * acts as an admin; an API token acts with the roles it was given that its user still holds.
 */
export async function actorForToken(db: Db, token: string): Promise<Actor | null> {
  const bootstrap = process.env.ATTEST_BOOTSTRAP_TOKEN;
  if (bootstrap && bootstrap.length >= 16 && constantTimeEqual(token, bootstrap)) {
    return { type: "bootstrap", id: "bootstrap", name: "bootstrap token", roles: ["admin"], humanNodeId: null };
  }
  const now = new Date();
  const [t] = await db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.tokenHash, hashToken(token)), isNull(apiTokens.revokedAt), or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now))))
    .limit(1);
  if (!t) return null;
  const u = await loadUser(db, t.userId);
  if (!u || u.status !== "active") return null;
  const roles = u.roles.filter((r) => t.roles.includes(r));
  // Last use is bookkeeping, not a governance change: not audited, updated at most once a minute.
  if (!t.lastUsedAt || now.getTime() - t.lastUsedAt.getTime() > 60_000) {
    await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, t.id));
  }
  return { type: "token", id: u.id, tokenId: t.id, email: u.email, name: u.name, roles, humanNodeId: u.humanNodeId };
}
