import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { appUserRoles, appUsers, nodes } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import { systemActor } from "@/lib/authz/actor";
import { isRole, type Role } from "@/lib/authz/roles";
import { newId } from "@/lib/ids";
import { mappedRoles, type OidcConfig } from "./oidc-config";

/** Who grants roles that come from the IdP's claims: only these rows are taken back when the claims change. */
export const OIDC_GRANTOR = "system:oidc";

/**
 * Why a sign-in was refused (each is a message on the sign-in page):
 * - `disabled`: the app user is disabled;
 * - `cannot_link`: an app user has this email but it cannot be linked safely (the IdP does not vouch for the email,
 *   or the user already signs in with another OIDC identity);
 * - `no_email`: an unknown person without an email claim (app users need one);
 * - `invalid`: the ID token has no usable `sub`.
 */
export type OidcRefusal = "disabled" | "cannot_link" | "no_email" | "invalid";

export type OidcSignInResult = { ok: true; userId: string; created: boolean; linked: boolean; roles: Role[] } | { ok: false; reason: OidcRefusal };

const str = (v: unknown, max = 320) => (typeof v === "string" && v.trim() !== "" ? v.trim().slice(0, max) : undefined);

/**
 * Signs a person in from their validated ID token claims; every change is audited as the system actor `oidc`.
 *
 * 1. The app user linked to (issuer, `sub`) is the one, whatever the email says now.
 * 2. Else, the first time, an app user with the same email is linked, only if the IdP vouches for the email
 *    (`email_verified: true`) and that user has no other OIDC identity.
 * 3. Else a new app user is created with no role: they see the "no role yet" page until an admin grants one
 *    (or the role map does, below).
 * A disabled user is refused. When AUTH_OIDC_ROLE_MAP is set, the roles the claims map to are applied at each
 * sign-in: mapped roles the user lacks are granted (by `system:oidc`), and roles earlier granted by the map that the
 * claims no longer give are removed. Roles an admin granted are never touched by sign-in.
 */
export async function signInWithOidc(
  db: Db,
  config: Pick<OidcConfig, "issuer" | "rolesClaim" | "roleMap">,
  claims: Record<string, unknown>,
): Promise<OidcSignInResult> {
  try {
    return await signInOnce(db, config, claims);
  } catch (e) {
    // Two first sign-ins of one person at the same moment (two tabs): the loser's insert meets the unique
    // (issuer, sub) or email index. Once more, it finds the user the winner created.
    if (isUniqueViolation(e)) return signInOnce(db, config, claims);
    throw e;
  }
}

function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; cause?: { code?: string } } | null;
  return (err?.cause?.code ?? err?.code) === "23505";
}

async function signInOnce(db: Db, config: Pick<OidcConfig, "issuer" | "rolesClaim" | "roleMap">, claims: Record<string, unknown>): Promise<OidcSignInResult> {
  const subject = str(claims.sub, 255);
  const issuer = str(claims.iss, 1000) ?? config.issuer;
  if (!subject) return { ok: false, reason: "invalid" };
  const email = str(claims.email)?.toLowerCase();
  const emailVerified = claims.email_verified === true || claims.email_verified === "true";
  const name = str(claims.name, 200) ?? str(claims.preferred_username, 200) ?? email ?? subject;
  const actor = systemActor("oidc");
  const target = (id: string) => ({ type: "app_user", id });

  return db.transaction(async (tx) => {
    let [user] = await tx
      .select()
      .from(appUsers)
      .where(and(eq(appUsers.oidcIssuer, issuer), eq(appUsers.oidcSubject, subject)))
      .limit(1);
    let created = false;
    let linked = false;
    if (!user && email) {
      const [byEmail] = await tx
        .select()
        .from(appUsers)
        .where(sql`lower(${appUsers.email}) = ${email}`)
        .limit(1);
      if (byEmail) {
        // An unverified email, or a user already bound to another identity, could be someone else's account. A
        // service user (a gateway's, lib/admin/api-tokens.ts) has an address under `.invalid` (RFC 6761): no person
        // receives mail there, so an IdP claiming it is never a reason to let someone sign in as that service.
        if (!emailVerified || byEmail.oidcSubject !== null || byEmail.email.toLowerCase().endsWith(".invalid"))
          return { ok: false, reason: "cannot_link" } as const;
        if (byEmail.status !== "active") return { ok: false, reason: "disabled" } as const;
        [user] = await tx
          .update(appUsers)
          .set({ oidcIssuer: issuer, oidcSubject: subject, updatedAt: new Date() })
          .where(eq(appUsers.id, byEmail.id))
          .returning();
        linked = true;
        await emitAudit(tx, actor, {
          action: "user.link_oidc",
          target: target(byEmail.id),
          before: { oidc: null },
          after: { oidc: { issuer, subject }, matchedBy: "verified email" },
        });
      }
    }
    if (!user) {
      if (!email) return { ok: false, reason: "no_email" } as const;
      const id = newId("usr");
      const humanNodeId = emailVerified ? await personByEmail(tx, email) : null;
      [user] = await tx.insert(appUsers).values({ id, email, name, oidcIssuer: issuer, oidcSubject: subject, humanNodeId }).returning();
      created = true;
      await emitAudit(tx, actor, {
        action: "user.create",
        target: target(id),
        after: { email, name, status: "active", roles: [], humanNodeId, oidc: { issuer, subject } },
      });
    }
    if (!user) throw new Error("OIDC sign-in: the app user row was not written");
    if (user.status !== "active") return { ok: false, reason: "disabled" } as const;

    const rows = await tx.select().from(appUserRoles).where(eq(appUserRoles.userId, user.id));
    const before = rows
      .map((r) => r.role)
      .filter(isRole)
      .sort();
    let roles = before;
    if (config.roleMap) {
      const wanted = mappedRoles(config, claims);
      const grant = wanted.filter((r) => !before.includes(r));
      const revoke = rows.filter((r) => r.grantedBy === OIDC_GRANTOR && !wanted.includes(r.role as Role)).map((r) => r.role as Role);
      if (grant.length) await tx.insert(appUserRoles).values(grant.map((role) => ({ userId: user.id, role, grantedBy: OIDC_GRANTOR })));
      for (const role of revoke) await tx.delete(appUserRoles).where(and(eq(appUserRoles.userId, user.id), eq(appUserRoles.role, role)));
      roles = [...before.filter((r) => !revoke.includes(r)), ...grant].sort();
      if (grant.length || revoke.length) {
        await emitAudit(tx, actor, {
          action: "user.update",
          target: target(user.id),
          before: { status: user.status, roles: before },
          after: { status: user.status, roles, reason: `AUTH_OIDC_ROLE_MAP on the ${config.rolesClaim} claim at sign-in` },
        });
      }
    }
    await tx.update(appUsers).set({ lastSignInAt: new Date() }).where(eq(appUsers.id, user.id));
    return { ok: true, userId: user.id, created, linked, roles } as const;
  });
}

/**
 * The graph's current human node with this email, when exactly one has it, so a new user's "what I own" and separation
 * of duties know who they are. Only for an email the IdP verified: a claimed address must not borrow someone's identity.
 */
async function personByEmail(tx: Db, email: string): Promise<string | null> {
  const found = await tx
    .select({ id: nodes.id })
    .from(nodes)
    .where(and(eq(nodes.kind, "human"), isNull(nodes.validTo), sql`lower(${nodes.attributes}->>'email') = ${email}`))
    .limit(2);
  return found.length === 1 ? found[0]!.id : null;
}

/** The app user signed in as (issuer, sub), if any. */
export async function findUserIdByOidcIdentity(db: Db, issuer: string, subject: string): Promise<string | null> {
  const [u] = await db
    .select({ id: appUsers.id })
    .from(appUsers)
    .where(and(eq(appUsers.oidcIssuer, issuer), eq(appUsers.oidcSubject, subject)))
    .limit(1);
  return u?.id ?? null;
}
