import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { appUserRoles, appUsers } from "@/db/schema";
import { ROLE_PERMISSIONS } from "@/lib/authz/permissions";
import { isRole, ROLES } from "@/lib/authz/roles";
import { AppError } from "@/lib/errors";
import type { OwnerBrief, ReviewerStrategy } from "./model";

/** Roles whose holders may decide review items. */
export const REVIEWING_ROLES = ROLES.filter((r) => ROLE_PERMISSIONS[r].includes("review.decide"));

export interface ReviewerUser {
  id: string;
  name: string;
  email: string;
  humanNodeId: string | null;
}

/** The app users who may review (active, holding review.decide), by id and by the human node they are linked to. */
export interface ReviewerDirectory {
  byId: Map<string, ReviewerUser>;
  byHuman: Map<string, ReviewerUser>;
}

export async function loadReviewerDirectory(db: Db): Promise<ReviewerDirectory> {
  const rows = await db
    .selectDistinct({ id: appUsers.id, name: appUsers.name, email: appUsers.email, humanNodeId: appUsers.humanNodeId })
    .from(appUsers)
    .innerJoin(appUserRoles, eq(appUserRoles.userId, appUsers.id))
    .where(and(eq(appUsers.status, "active"), inArray(appUserRoles.role, [...REVIEWING_ROLES])))
    .orderBy(asc(appUsers.email));
  const byId = new Map<string, ReviewerUser>();
  const byHuman = new Map<string, ReviewerUser>();
  for (const r of rows) {
    byId.set(r.id, r);
    if (r.humanNodeId && !byHuman.has(r.humanNodeId)) byHuman.set(r.humanNodeId, r);
  }
  return { byId, byHuman };
}

/** Any active app user by id or e-mail (for naming people in answers), or null. */
export async function findActiveUser(
  db: Db,
  ref: string,
): Promise<{ id: string; name: string; email: string; humanNodeId: string | null; roles: string[] } | null> {
  const [u] = await db
    .select({ id: appUsers.id, name: appUsers.name, email: appUsers.email, humanNodeId: appUsers.humanNodeId })
    .from(appUsers)
    .where(and(eq(appUsers.status, "active"), sql`(${appUsers.id} = ${ref} or lower(${appUsers.email}) = ${ref.toLowerCase()})`))
    .limit(1);
  if (!u) return null;
  const roles = await db.select({ role: appUserRoles.role }).from(appUserRoles).where(eq(appUserRoles.userId, u.id));
  return { ...u, roles: roles.map((r) => r.role).filter(isRole) };
}

/** Resolves a user reference (app user id or e-mail) to someone who may review, or a 400 naming `path`. */
export function requireReviewer(dir: ReviewerDirectory, ref: string, path: string): ReviewerUser {
  const byId = dir.byId.get(ref);
  if (byId) return byId;
  const lower = ref.toLowerCase();
  for (const u of dir.byId.values()) if (u.email.toLowerCase() === lower) return u;
  throw new AppError("validation", `${path}: "${ref}" is not an active user who may review (role reviewer or admin)`, [
    { path, message: "not an active user with the reviewer role" },
  ]);
}

/** What the resolver needs to know about one item's subject and target. */
export interface RoutingFacts {
  subject: { id: string; kind: string; name: string };
  targetOwners: OwnerBrief[];
  subjectOwners: OwnerBrief[];
  subjectActsFor: OwnerBrief[];
  /** Human nodes managing the subject (for a human subject). */
  managers: OwnerBrief[];
}

/**
 * Why `user` may not review this subject, or null: separation of duties means
 * nobody decides their own access, access of something they own, or access of
 * an agent acting for them.
 */
export function conflictOf(user: ReviewerUser, facts: Pick<RoutingFacts, "subject" | "subjectOwners" | "subjectActsFor">): string | null {
  if (!user.humanNodeId) return null;
  if (user.humanNodeId === facts.subject.id) return `${user.name} is the subject`;
  if (facts.subjectOwners.some((o) => o.id === user.humanNodeId)) return `${user.name} owns the subject`;
  if (facts.subjectActsFor.some((p) => p.id === user.humanNodeId)) return `the agent acts for ${user.name}`;
  return null;
}

const ROLE_ORDER = ["business", "technical", "security"];
/** Owners in the order a reviewer is chosen from: business owner first, then technical, then security; active people only. */
export function ownersInOrder(owners: OwnerBrief[]): OwnerBrief[] {
  return owners
    .filter((o) => o.kind === "human" && o.status !== "terminated")
    .sort((a, b) => ((ROLE_ORDER.indexOf(a.role ?? "") + 4) % 4) - ((ROLE_ORDER.indexOf(b.role ?? "") + 4) % 4) || a.name.localeCompare(b.name));
}

export interface Routing {
  reviewerId: string | null;
  reason: string;
}

function firstLinked(dir: ReviewerDirectory, people: OwnerBrief[]): { user: ReviewerUser; person: OwnerBrief } | null {
  for (const p of people) {
    const user = dir.byHuman.get(p.id);
    if (user) return { user, person: p };
  }
  return null;
}

/** The strategy's reviewer for one item, before separation of duties, with why (or why none). */
export function strategyCandidate(dir: ReviewerDirectory, strategy: ReviewerStrategy, facts: RoutingFacts): { user: ReviewerUser | null; reason: string } {
  if (typeof strategy === "object") {
    const user = dir.byId.get(strategy.reviewer) ?? null;
    return { user, reason: user ? "named reviewer" : "the named reviewer may no longer review" };
  }
  if (strategy === "manager") {
    if (facts.subject.kind !== "human") return { user: null, reason: "the subject is not a person, so has no manager" };
    const managers = facts.managers.filter((m) => m.status !== "terminated");
    if (managers.length === 0) return { user: null, reason: "the subject has no active manager" };
    const hit = firstLinked(dir, managers);
    return hit ? { user: hit.user, reason: "manager of the subject" } : { user: null, reason: "the subject's manager does not review in Attest" };
  }
  const which = strategy === "target_owner" ? "target" : "subject";
  const owners = ownersInOrder(strategy === "target_owner" ? facts.targetOwners : facts.subjectOwners);
  if (owners.length === 0) return { user: null, reason: `the ${which} has no active owner` };
  const hit = firstLinked(dir, owners);
  return hit
    ? { user: hit.user, reason: `${hit.person.role ?? "an"} owner of the ${which}` }
    : { user: null, reason: `no owner of the ${which} reviews in Attest` };
}

/**
 * Routes one item: the strategy's reviewer unless separation of duties rules
 * them out or none resolves; then the fallback reviewer; then the campaign
 * owner. Nobody in `exclude` (e.g. the level-1 reviewer of a level-2 item) and
 * nobody with a conflict is chosen; null when no one is left.
 */
export function routeItem(
  dir: ReviewerDirectory,
  facts: RoutingFacts,
  candidate: { user: ReviewerUser | null; reason: string },
  fallbacks: (string | null | undefined)[],
  exclude: Set<string> = new Set(),
): Routing {
  let why = candidate.reason;
  if (candidate.user) {
    const conflict = conflictOf(candidate.user, facts);
    if (!conflict && !exclude.has(candidate.user.id)) return { reviewerId: candidate.user.id, reason: candidate.reason };
    why = conflict ? `separation of duties: ${conflict}` : `${candidate.user.name} already reviews this item at the other level`;
  }
  for (const [i, id] of fallbacks.entries()) {
    const user = id ? dir.byId.get(id) : undefined;
    if (!user || exclude.has(user.id) || conflictOf(user, facts)) continue;
    return { reviewerId: user.id, reason: `${i === 0 ? "fallback reviewer" : "campaign owner"}: ${why}` };
  }
  return { reviewerId: null, reason: `no reviewer: ${why}, and no fallback reviewer without a conflict` };
}
