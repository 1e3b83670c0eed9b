import { and, desc, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { apiTokens, appUserRoles, appUsers } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import type { Actor } from "@/lib/authz/actor";
import { loadUser } from "@/lib/authz/load-user";
import { requirePermission } from "@/lib/authz/permissions";
import { enforceRateLimit } from "@/lib/authz/rate-limit";
import { ROLES } from "@/lib/authz/roles";
import { generateToken } from "@/lib/authz/tokens";
import { AppError, parseInput } from "@/lib/errors";
import { newId } from "@/lib/ids";

export const createTokenSchema = z
  .object({
    name: z.string().trim().min(1, "is required").max(100, "at most 100 characters"),
    /** The user the token acts as; defaults to the caller. */
    userId: z.string().max(64).optional(),
    roles: z.array(z.enum(ROLES)).min(1, "name at least one role").max(ROLES.length),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

/**
 * A gateway's token (`{ gateway: true, name, expiresAt? }`): the decision point's clients (issue #20) are not people,
 * so the token acts as a service user made for it — role `pdp` alone, no password and no OIDC identity (it can never
 * sign in), an address under `.invalid` (RFC 6761: never deliverable). Disabling that user in Users and roles stops
 * the token like any other.
 */
export const createGatewayTokenSchema = z
  .object({
    gateway: z.literal(true),
    name: z.string().trim().min(1, "is required").max(100, "at most 100 characters"),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

export interface TokenView {
  id: string;
  name: string;
  prefix: string;
  userId: string;
  userEmail: string;
  roles: string[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * Creates an API token. The clear token is returned once and never stored; the
 * token may only carry roles its user holds (checked again on every use).
 */
export async function createApiToken(db: Db, actor: Actor, input: unknown, requestId?: string): Promise<TokenView & { token: string }> {
  requirePermission(actor, "admin.tokens");
  enforceRateLimit(`tokens:${actor.id}`, 30, 60_000, "token requests");
  if (typeof input === "object" && input !== null && "gateway" in input) return createGatewayToken(db, actor, input, requestId);
  const parsed = parseInput(createTokenSchema, input);
  const userId = parsed.userId ?? (actor.type === "user" || actor.type === "token" ? actor.id : undefined);
  if (!userId) throw new AppError("validation", "userId is required when the caller is not a user", [{ path: "userId", message: "is required" }]);
  const user = await loadUser(db, userId);
  if (!user) throw new AppError("validation", "userId does not name an app user", [{ path: "userId", message: "unknown user" }]);
  const missing = parsed.roles.filter((r) => !user.roles.includes(r));
  if (missing.length)
    throw new AppError("validation", `the user does not hold ${missing.join(", ")}`, [
      { path: "roles", message: `not held by the user: ${missing.join(", ")}` },
    ]);
  const expiresAt = parsed.expiresAt ? new Date(parsed.expiresAt) : null;
  if (expiresAt && expiresAt.getTime() <= Date.now())
    throw new AppError("validation", "expiresAt must be in the future", [{ path: "expiresAt", message: "must be in the future" }]);

  const { token, hash, prefix } = generateToken();
  const id = newId("tok");
  const row = await db.transaction(async (tx) => {
    const [created] = await tx.insert(apiTokens).values({ id, name: parsed.name, prefix, tokenHash: hash, userId, roles: parsed.roles, expiresAt }).returning();
    await emitAudit(tx, actor, {
      action: "token.create",
      target: { type: "api_token", id },
      after: { name: parsed.name, prefix, userId, roles: parsed.roles, expiresAt: iso(expiresAt) },
      requestId,
    });
    return created!;
  });
  return { ...view(row, user.email), token };
}

/** A service user with the `pdp` role and its token, in one transaction, both audited (see createGatewayTokenSchema). */
async function createGatewayToken(db: Db, actor: Actor, input: unknown, requestId?: string): Promise<TokenView & { token: string }> {
  requirePermission(actor, "admin.users");
  const parsed = parseInput(createGatewayTokenSchema, input);
  const expiresAt = parsed.expiresAt ? new Date(parsed.expiresAt) : null;
  if (expiresAt && expiresAt.getTime() <= Date.now())
    throw new AppError("validation", "expiresAt must be in the future", [{ path: "expiresAt", message: "must be in the future" }]);
  const userId = newId("usr");
  const email = `gateway-${userId.slice(4)}@gateways.attest.invalid`;
  const { token, hash, prefix } = generateToken();
  const id = newId("tok");
  const row = await db.transaction(async (tx) => {
    await tx.insert(appUsers).values({ id: userId, email, name: `Gateway: ${parsed.name}` });
    await tx.insert(appUserRoles).values({ userId, role: "pdp", grantedBy: actor.id });
    await emitAudit(tx, actor, {
      action: "user.create",
      target: { type: "app_user", id: userId },
      after: { email, name: `Gateway: ${parsed.name}`, roles: ["pdp"], service: true },
      requestId,
    });
    const [created] = await tx
      .insert(apiTokens)
      .values({ id, name: parsed.name, prefix, tokenHash: hash, userId, roles: ["pdp"], expiresAt })
      .returning();
    await emitAudit(tx, actor, {
      action: "token.create",
      target: { type: "api_token", id },
      after: { name: parsed.name, prefix, userId, roles: ["pdp"], expiresAt: iso(expiresAt) },
      requestId,
    });
    return created!;
  });
  return { ...view(row, email), token };
}

function view(t: typeof apiTokens.$inferSelect, userEmail: string): TokenView {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    userId: t.userId,
    userEmail,
    roles: t.roles,
    createdAt: t.createdAt.toISOString(),
    expiresAt: iso(t.expiresAt),
    revokedAt: iso(t.revokedAt),
    lastUsedAt: iso(t.lastUsedAt),
  };
}

export async function listApiTokens(db: Db, actor: Actor): Promise<{ items: TokenView[]; total: number; nextCursor: null }> {
  requirePermission(actor, "admin.tokens");
  const rows = await db
    .select({ t: apiTokens, email: appUsers.email })
    .from(apiTokens)
    .innerJoin(appUsers, eq(appUsers.id, apiTokens.userId))
    .orderBy(desc(apiTokens.createdAt));
  const items = rows.map((r) => view(r.t, r.email));
  return { items, total: items.length, nextCursor: null };
}

/** Revokes a token at once; revoking twice is a 404 the second time (nothing left to revoke). */
export async function revokeApiToken(db: Db, actor: Actor, tokenId: string, requestId?: string): Promise<TokenView> {
  requirePermission(actor, "admin.tokens");
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(apiTokens)
      .set({ revokedAt: new Date(), updatedAt: new Date() })
      .where(and(eq(apiTokens.id, tokenId), isNull(apiTokens.revokedAt)))
      .returning();
    if (!row) throw new AppError("not_found", "token not found");
    await emitAudit(tx, actor, {
      action: "token.revoke",
      target: { type: "api_token", id: row.id },
      before: { revokedAt: null },
      after: { revokedAt: iso(row.revokedAt) },
      requestId,
    });
    const [u] = await tx.select({ email: appUsers.email }).from(appUsers).where(eq(appUsers.id, row.userId));
    return view(row, u?.email ?? "");
  });
}
