import { and, count, desc, eq, gte, ilike, lt, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { auditEvents } from "@/db/schema";
import { decodeCursor, encodeCursor } from "@/lib/api/cursor";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { likePattern } from "@/db/like";
import { verifyAuditChain, type ChainVerification } from "./emit-audit";

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME_RE = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;
const instant = (name: string) =>
  z
    .string()
    .max(40)
    .refine((s) => DATE_TIME_RE.test(s) && !Number.isNaN(Date.parse(s)), `${name} must be an ISO 8601 date or date-time`);

export const verifyQuerySchema = z
  .object({
    /** A head recorded earlier; verify also says whether it is still in the chain. */
    anchor: z
      .string()
      .regex(/^[0-9a-f]{64}$/, "anchor must be a SHA-256 hash in lower-case hex")
      .optional(),
  })
  .strict();

export const listAuditQuerySchema = z
  .object({
    action: z.string().trim().max(100).optional(),
    /** An actor id (exact) or part of the actor's label (an email, a token, a system name). */
    actor: z.string().trim().max(200).optional(),
    targetType: z.string().trim().max(60).optional(),
    /** A target id, exact. */
    target: z.string().trim().max(300).optional(),
    /** From this instant on; a date means 00:00 UTC that day. */
    from: instant("from").optional(),
    /** Up to this instant; a date includes the whole of that day (UTC). */
    to: instant("to").optional(),
    limit: z
      .string()
      .regex(/^\d+$/, "limit must be a whole number from 1 to 200")
      .transform(Number)
      .pipe(z.number().int().min(1, "limit must be from 1 to 200").max(200, "limit must be from 1 to 200"))
      .default(50),
    cursor: z.string().max(200).optional(),
  })
  .strict();
export type ListAuditQuery = z.infer<typeof listAuditQuerySchema>;

export interface AuditEventView {
  seq: number;
  id: string;
  occurredAt: string;
  actorType: string;
  actorId: string;
  actorLabel: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
  prevHash: string;
  hash: string;
}

export interface AuditPage {
  items: AuditEventView[];
  total: number;
  nextCursor: string | null;
}

const isSeqCursor = (v: unknown): v is { s: number } =>
  typeof v === "object" && v !== null && Number.isInteger((v as { s: unknown }).s) && (v as { s: number }).s > 0;

/** The upper bound of `to`: a bare date covers its whole day. */
function toBound(to: string): Date {
  const d = new Date(to);
  if (DATE_RE.test(to)) d.setUTCDate(d.getUTCDate() + 1);
  else d.setTime(d.getTime() + 1); // inclusive of the instant named (millisecond precision)
  return d;
}

/** SQL conditions for the filters; shared by the page, the audit extract of evidence packages and tests. */
export function auditFilter(q: Omit<ListAuditQuery, "limit" | "cursor">): SQL | undefined {
  const where: (SQL | undefined)[] = [];
  if (q.action) where.push(eq(auditEvents.action, q.action));
  if (q.actor) where.push(or(eq(auditEvents.actorId, q.actor), ilike(auditEvents.actorLabel, likePattern(q.actor))));
  if (q.targetType) where.push(eq(auditEvents.targetType, q.targetType));
  if (q.target) where.push(eq(auditEvents.targetId, q.target));
  if (q.from) where.push(gte(auditEvents.occurredAt, new Date(q.from)));
  if (q.to) where.push(lt(auditEvents.occurredAt, toBound(q.to)));
  return where.length ? and(...where) : undefined;
}

export function auditEventView(r: typeof auditEvents.$inferSelect): AuditEventView {
  return {
    seq: r.seq,
    id: r.id,
    occurredAt: r.occurredAt.toISOString(),
    actorType: r.actorType,
    actorId: r.actorId,
    actorLabel: r.actorLabel,
    action: r.action,
    targetType: r.targetType,
    targetId: r.targetId,
    before: r.before,
    after: r.after,
    requestId: r.requestId,
    prevHash: r.prevHash,
    hash: r.hash,
  };
}

/** Audit events, newest first, filtered; keyset pages on the chain order (GET /api/v1/audit/events). */
export async function listAuditEventsFor(db: Db, actor: Actor, q: ListAuditQuery): Promise<AuditPage> {
  requirePermission(actor, "audit.read");
  const filter = auditFilter(q);
  const before = q.cursor ? decodeCursor(q.cursor, isSeqCursor).s : undefined;
  const rows = await db
    .select()
    .from(auditEvents)
    .where(and(filter, before !== undefined ? lt(auditEvents.seq, before) : undefined))
    .orderBy(desc(auditEvents.seq))
    .limit(q.limit + 1);
  const [{ n } = { n: 0 }] = await db.select({ n: count() }).from(auditEvents).where(filter);
  const page = rows.slice(0, q.limit);
  const next = rows.length > q.limit ? encodeCursor({ s: page[page.length - 1]!.seq }) : null;
  return { items: page.map(auditEventView), total: n, nextCursor: next };
}

/** The actions and target types present in the log, for the audit page's filters. */
export async function auditFacetsFor(db: Db, actor: Actor): Promise<{ actions: string[]; targetTypes: string[] }> {
  requirePermission(actor, "audit.read");
  const actions = await db.selectDistinct({ v: auditEvents.action }).from(auditEvents).orderBy(auditEvents.action);
  const types = await db
    .selectDistinct({ v: auditEvents.targetType })
    .from(auditEvents)
    .where(sql`${auditEvents.targetType} is not null`)
    .orderBy(auditEvents.targetType);
  return { actions: actions.map((a) => a.v), targetTypes: types.map((t) => t.v!) };
}

/** Recomputes the hash chain (GET /api/v1/audit/verify). */
export async function verifyAuditLogFor(db: Db, actor: Actor, q: z.infer<typeof verifyQuerySchema> = {}): Promise<ChainVerification> {
  requirePermission(actor, "audit.read");
  return verifyAuditChain(db, { anchor: q.anchor });
}
