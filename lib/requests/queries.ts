import { and, count, desc, eq, inArray, isNull, lt, notExists, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { accessRequests, appUserRoles, appUsers } from "@/db/schema";
import { decodeCursor, encodeCursor } from "@/lib/api/cursor";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { REVIEWING_ROLES } from "@/lib/campaigns/reviewers";
import { AppError } from "@/lib/errors";
import { describeNodes } from "@/lib/graph/access-api";
import { getAccessIndex } from "@/lib/graph/access-cache";
import type { EdgeKind, NodeKind } from "@/lib/graph/model";
import { DEFAULT_DEPTH, kShortestPaths } from "@/lib/graph/traverse";
import { grantChoices, grantLimitMinutes, REQUEST_STATUSES } from "./model";
import { requestViews, type AccessRequestView, type RequestRow } from "./views";

export const requestsQuerySchema = z
  .object({
    status: z.enum([...REQUEST_STATUSES, "all"], { error: `status must be one of ${[...REQUEST_STATUSES, "all"].join(", ")}` }).default("pending"),
    all: z.enum(["true", "false"], { error: "all must be true or false" }).optional(),
    limit: z
      .string()
      .regex(/^\d+$/, "limit must be a whole number from 1 to 200")
      .transform(Number)
      .pipe(z.number().int().min(1, "limit must be from 1 to 200").max(200, "limit must be from 1 to 200"))
      .default(50),
    cursor: z.string().max(400, "cursor is too long").optional(),
  })
  .strict();
export type RequestsQuery = z.infer<typeof requestsQuerySchema>;

export interface RequestsPage {
  items: AccessRequestView[];
  total: number;
  nextCursor: string | null;
  /** What the policy in force allows an approver to grant (minutes), and the lengths to offer. */
  grant: { limitMinutes: number; choices: number[] };
}

export const isAdmin = (actor: Actor) => actor.roles.includes("admin");

/** The app user the actor acts as (a person or a person's API token); requests are decided by people. */
export function personOf(actor: Actor): string | null {
  return actor.type === "user" || actor.type === "token" ? actor.id : null;
}

/**
 * The named approver can no longer decide (disabled, or no longer holding a role that may review): the request falls
 * to the admins, like one naming nobody, instead of waiting for nobody until it expires.
 */
export function approverGone(db: Db): SQL {
  return notExists(
    db
      .select({ one: sql`1` })
      .from(appUsers)
      .innerJoin(appUserRoles, eq(appUserRoles.userId, appUsers.id))
      .where(and(eq(appUsers.id, accessRequests.approverId), eq(appUsers.status, "active"), inArray(appUserRoles.role, [...REVIEWING_ROLES]))),
  );
}

/** The requests `actor` is asked to decide: named as approver, or (an admin) those naming nobody or an approver who is gone. */
function inboxOf(db: Db, actor: Actor): SQL | undefined {
  const me = personOf(actor) ?? "";
  return isAdmin(actor) ? or(eq(accessRequests.approverId, me), isNull(accessRequests.approverId), approverGone(db)) : eq(accessRequests.approverId, me);
}

/** Whether the named approver can still decide (active, holding a reviewing role). */
export async function approverActive(db: Db, approverId: string): Promise<boolean> {
  const [r] = await db
    .select({ id: appUsers.id })
    .from(appUsers)
    .innerJoin(appUserRoles, eq(appUserRoles.userId, appUsers.id))
    .where(and(eq(appUsers.id, approverId), eq(appUsers.status, "active"), inArray(appUserRoles.role, [...REVIEWING_ROLES])))
    .limit(1);
  return !!r;
}

/** Whether `actor` may see the request: their inbox's, or any for an admin. */
export function maySee(actor: Actor, row: Pick<RequestRow, "approverId">): boolean {
  if (isAdmin(actor)) return true;
  const me = personOf(actor);
  return !!me && row.approverId === me;
}

const isCursor = (v: unknown): v is { t: string; i: string } =>
  typeof v === "object" && v !== null && typeof (v as { t: unknown }).t === "string" && typeof (v as { i: unknown }).i === "string";

/**
 * GET /access-requests: the caller's inbox of access requests (review.decide), newest first, by status (default
 * pending). An admin may pass `all=true` for every request. Keyset pages over (created_at, id).
 */
export async function listAccessRequests(db: Db, actor: Actor, q: RequestsQuery): Promise<RequestsPage> {
  requirePermission(actor, "review.decide");
  if (q.all === "true" && !isAdmin(actor)) throw new AppError("forbidden", "all=true is for admins: without it you see the requests you may decide");
  const where: (SQL | undefined)[] = [q.all === "true" ? undefined : inboxOf(db, actor), q.status === "all" ? undefined : eq(accessRequests.status, q.status)];
  const filter = and(...where);
  let after: SQL | undefined;
  if (q.cursor) {
    const c = decodeCursor(q.cursor, isCursor);
    const t = new Date(c.t);
    if (Number.isNaN(t.getTime())) throw new AppError("validation", "cursor is not one this API issued", [{ path: "cursor", message: "invalid cursor" }]);
    after = or(lt(accessRequests.createdAt, t), and(eq(accessRequests.createdAt, t), lt(accessRequests.id, c.i)));
  }
  const [rows, [total], limitMinutes] = await Promise.all([
    db
      .select()
      .from(accessRequests)
      .where(and(filter, after))
      .orderBy(desc(accessRequests.createdAt), desc(accessRequests.id))
      .limit(q.limit + 1),
    db.select({ n: count() }).from(accessRequests).where(filter),
    grantLimitMinutes(db),
  ]);
  const more = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: await requestViews(db, page),
    total: Number(total?.n ?? 0),
    nextCursor: more && last ? encodeCursor({ t: last.createdAt.toISOString(), i: last.id }) : null,
    grant: { limitMinutes, choices: grantChoices(limitMinutes) },
  };
}

/** Loads a request the actor may see; one they may not see answers exactly like one that does not exist. */
export async function visibleRequest(db: Db, actor: Actor, id: string): Promise<RequestRow> {
  requirePermission(actor, "review.decide");
  const [row] = await db.select().from(accessRequests).where(eq(accessRequests.id, id));
  if (!row || !maySee(actor, row)) throw new AppError("not_found", "access request not found");
  return row;
}

export interface AccessPathView {
  nodes: { id: string; kind: NodeKind; name: string }[];
  edges: EdgeKind[];
}

export interface AccessRequestDetail extends AccessRequestView {
  /** The shortest current access path from the subject to the tool, if there is one (none: the tool is out of its reach). */
  path: AccessPathView | null;
  grant: { limitMinutes: number; choices: number[] };
}

/** The subject's shortest path to the tool in the in-memory access index (one bounded search; names for its nodes only). */
async function accessPath(db: Db, subjectId: string, toolId: string): Promise<AccessPathView | null> {
  const ix = await getAccessIndex(db);
  const from = ix.indexOf.get(subjectId);
  const to = ix.indexOf.get(toolId);
  if (from === undefined || to === undefined) return null;
  const [path] = kShortestPaths(ix, from, to, 1, DEFAULT_DEPTH, 20_000).paths;
  if (!path) return null;
  const info = await describeNodes(db, path.nodes);
  return { nodes: path.nodes.map((id) => ({ id, kind: info.get(id)?.kind ?? "resource", name: info.get(id)?.name ?? id })), edges: path.edges };
}

/** GET /access-requests/{id}: one request with the access path behind it (404 for one the caller may not see). */
export async function getAccessRequest(db: Db, actor: Actor, id: string): Promise<AccessRequestDetail> {
  const row = await visibleRequest(db, actor, id);
  const [[view], path, limitMinutes] = await Promise.all([requestViews(db, [row]), accessPath(db, row.subjectId, row.toolId), grantLimitMinutes(db)]);
  return { ...view!, path, grant: { limitMinutes, choices: grantChoices(limitMinutes) } };
}

/** How many requests wait for the actor (the inbox's count); cheap: one indexed count. */
export async function countPendingFor(db: Db, actor: Actor): Promise<number> {
  const [r] = await db
    .select({ n: count() })
    .from(accessRequests)
    .where(and(inboxOf(db, actor), eq(accessRequests.status, "pending"), sql`${accessRequests.requestExpiresAt} > now()`));
  return Number(r?.n ?? 0);
}
