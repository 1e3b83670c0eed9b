import { and, asc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { apiTokens, appUserRoles, appUsers, nodes } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import type { Actor } from "@/lib/authz/actor";
import { loadUser } from "@/lib/authz/load-user";
import { requirePermission } from "@/lib/authz/permissions";
import { ROLES, type Role } from "@/lib/authz/roles";
import { AppError, parseInput } from "@/lib/errors";

export interface AppUserView {
  id: string;
  email: string;
  name: string;
  status: "active" | "disabled";
  roles: Role[];
  humanNodeId: string | null;
  humanName: string | null;
  lastSignInAt: string | null;
  tokens: number;
  /** Signs in through OIDC (linked to an issuer and subject). */
  oidc: boolean;
}

/** Every app user with roles, for the admin page and GET /api/v1/users. */
export async function listAppUsers(db: Db, actor: Actor): Promise<{ items: AppUserView[]; total: number; nextCursor: null }> {
  requirePermission(actor, "admin.users");
  const users = await db
    .select({ u: appUsers, humanName: nodes.name })
    .from(appUsers)
    .leftJoin(nodes, eq(nodes.id, appUsers.humanNodeId))
    .orderBy(asc(appUsers.name));
  const ids = users.map((r) => r.u.id);
  const roles = ids.length ? await db.select().from(appUserRoles).where(inArray(appUserRoles.userId, ids)) : [];
  const tokens = ids.length
    ? await db.select({ userId: apiTokens.userId, revokedAt: apiTokens.revokedAt }).from(apiTokens).where(inArray(apiTokens.userId, ids))
    : [];
  const items = users.map(({ u, humanName }) => ({
    id: u.id,
    email: u.email,
    name: u.name,
    status: u.status,
    roles: roles
      .filter((r) => r.userId === u.id)
      .map((r) => r.role as Role)
      .sort(),
    humanNodeId: u.humanNodeId,
    humanName,
    lastSignInAt: u.lastSignInAt?.toISOString() ?? null,
    tokens: tokens.filter((t) => t.userId === u.id && !t.revokedAt).length,
    oidc: u.oidcSubject !== null,
  }));
  return { items, total: items.length, nextCursor: null };
}

export const updateUserSchema = z
  .object({
    status: z.enum(["active", "disabled"]).optional(),
    roles: z.array(z.enum(ROLES)).max(ROLES.length).optional(),
  })
  .strict()
  .refine((v) => v.status !== undefined || v.roles !== undefined, { message: "send status and/or roles", path: ["status"] });

/**
 * Changes a user's status or roles. Takes effect on the user's next request:
 * roles and status are read from the database every time. An admin cannot
 * disable themself or drop their own admin role (no lock-out by accident).
 */
export async function updateAppUser(db: Db, actor: Actor, userId: string, input: unknown, requestId?: string): Promise<AppUserView> {
  requirePermission(actor, "admin.users");
  const change = parseInput(updateUserSchema, input);
  const before = await loadUser(db, userId);
  if (!before) throw new AppError("not_found", "user not found");
  if (actor.id === userId && (change.status === "disabled" || (change.roles && !change.roles.includes("admin")))) {
    throw new AppError("conflict", "you cannot disable yourself or remove your own admin role; ask another admin");
  }
  const roles = change.roles ? [...new Set(change.roles)].sort() : before.roles;
  await db.transaction(async (tx) => {
    // Disabling also voids the user's sessions, so re-enabling later does not revive them.
    if (change.status)
      await tx
        .update(appUsers)
        .set({ status: change.status, updatedAt: new Date(), ...(change.status === "disabled" ? { sessionsValidAfter: new Date() } : {}) })
        .where(eq(appUsers.id, userId));
    if (change.roles) {
      // Only the difference is written: a role kept keeps its grantor, so a role the OIDC role map granted stays
      // the map's to take back (lib/auth/oidc-sign-in.ts), and one an admin granted stays the admin's.
      const removed = before.roles.filter((r) => !roles.includes(r));
      const added = roles.filter((r) => !before.roles.includes(r));
      if (removed.length) await tx.delete(appUserRoles).where(and(eq(appUserRoles.userId, userId), inArray(appUserRoles.role, removed)));
      if (added.length) await tx.insert(appUserRoles).values(added.map((role) => ({ userId, role, grantedBy: actor.id })));
    }
    await emitAudit(tx, actor, {
      action: "user.update",
      target: { type: "app_user", id: userId },
      before: { status: before.status, roles: before.roles },
      after: { status: change.status ?? before.status, roles },
      requestId,
    });
  });
  const all = await listAppUsers(db, actor);
  return all.items.find((u) => u.id === userId)!;
}
