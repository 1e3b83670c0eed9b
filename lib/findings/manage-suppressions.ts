import { and, desc, eq, isNull, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { findingSuppressions, nodes } from "@/db/schema";
import { decodeCursor, encodeCursor } from "@/lib/api/cursor";
import { emitAudit } from "@/lib/audit/emit-audit";
import { actorLabel, type Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { AppError, parseInput } from "@/lib/errors";
import { errorForLog } from "@/lib/errors/log-safe";
import { newId } from "@/lib/ids";
import { currentEngine } from "@/lib/jobs";
import type { NodeKind } from "@/lib/graph/model";
import { DAY_MS } from "./context";
import { FINDING_RULES, RULES, SUPPRESSION_SCOPES } from "./rules";
import type { SuppressionStatus, SuppressionView } from "./suppression-views";
export type { SuppressionStatus, SuppressionView } from "./suppression-views";

/** The job that applies a new suppression to existing findings and reopens a revoked one's (suppressions.ts). */
export const APPLY_SUPPRESSION = "findings.apply-suppression";

/** A suppression lasts at most this long: a year and a day, so "until this date next year" fits. */
export const MAX_SUPPRESSION_DAYS = 366;

const expiresAt = z
  .string({ error: "is required: an ISO 8601 date or date-time" })
  .max(40, "must be an ISO 8601 date or date-time")
  .refine(
    (s) => /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2}))?$/.test(s) && !Number.isNaN(Date.parse(s)),
    "must be an ISO 8601 date (end of that day, UTC) or date-time with offset",
  )
  .transform((s) => (s.length === 10 ? new Date(`${s}T23:59:59.999Z`) : new Date(s)));

/** POST /api/v1/findings/suppressions. Server-owned fields (creator, times, matched) are never taken from input. */
export const createSuppressionSchema = z
  .object({
    /** Omitted or null: every rule. */
    rule: z
      .enum(FINDING_RULES, { error: `must be one of ${FINDING_RULES.join(", ")}, or null for every rule` })
      .nullable()
      .optional(),
    scope: z.enum(SUPPRESSION_SCOPES, { error: `must be one of ${SUPPRESSION_SCOPES.join(", ")}` }),
    nodeId: z.string({ error: "is required: a node id" }).trim().min(1, "is required: a node id").max(64, "at most 64 characters"),
    reason: z.string({ error: "is required" }).trim().min(1, "is required").max(500, "at most 500 characters"),
    expiresAt,
  })
  .strict();

const limitParam = z
  .string()
  .regex(/^\d+$/, "must be a whole number from 1 to 200")
  .transform(Number)
  .pipe(z.number().int().min(1, "must be from 1 to 200").max(200, "must be from 1 to 200"));

export const listSuppressionsQuerySchema = z.object({ limit: limitParam.default(50), cursor: z.string().max(500).optional() }).strict();
export type ListSuppressionsQuery = z.output<typeof listSuppressionsQuerySchema>;

type Row = typeof findingSuppressions.$inferSelect & { nodeKind: string; nodeName: string };

function statusOf(r: Row, now: Date): SuppressionStatus {
  if (r.revokedAt) return r.releasedAt ? "revoked" : "revoking";
  if (r.expiresAt.getTime() <= now.getTime()) return "expired";
  return r.appliedAt ? "active" : "applying";
}

function toView(r: Row, now: Date): SuppressionView {
  return {
    id: r.id,
    rule: r.rule,
    ruleLabel: r.rule ? RULES[r.rule].label : "Every rule",
    scope: { kind: r.scopeKind, node: { id: r.nodeId, kind: r.nodeKind as NodeKind, name: r.nodeName } },
    reason: r.reason,
    expiresAt: r.expiresAt.toISOString(),
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
    revokedBy: r.revokedBy,
    revokedAt: r.revokedAt?.toISOString() ?? null,
    matched: r.matched,
    status: statusOf(r, now),
  };
}

const selectRows = (db: Db) =>
  db
    .select({
      id: findingSuppressions.id,
      rule: findingSuppressions.rule,
      scopeKind: findingSuppressions.scopeKind,
      nodeId: findingSuppressions.nodeId,
      reason: findingSuppressions.reason,
      expiresAt: findingSuppressions.expiresAt,
      createdBy: findingSuppressions.createdBy,
      createdAt: findingSuppressions.createdAt,
      revokedBy: findingSuppressions.revokedBy,
      revokedAt: findingSuppressions.revokedAt,
      matched: findingSuppressions.matched,
      appliedAt: findingSuppressions.appliedAt,
      releasedAt: findingSuppressions.releasedAt,
      nodeKind: nodes.kind,
      nodeName: nodes.name,
    })
    .from(findingSuppressions)
    .innerJoin(nodes, eq(nodes.id, findingSuppressions.nodeId));

async function getSuppressionRow(db: Db, id: string): Promise<Row> {
  const [r] = await selectRows(db).where(eq(findingSuppressions.id, id));
  if (!r) throw new AppError("not_found", "suppression not found");
  return r;
}

type Enqueue = (name: string, data: object) => Promise<unknown>;

/**
 * After commit: ask this process's job engine to settle the suppression. Without an engine (a script, a test) or
 * when the enqueue fails, the every-minute catch-up (jobs.ts) settles it; the row says it is still pending.
 */
async function requestSettle(id: string, enqueue?: Enqueue): Promise<void> {
  const engine = currentEngine();
  const send: Enqueue | null = enqueue ?? (engine ? (name, data) => engine.enqueue(name, data) : null);
  if (!send) return;
  try {
    await send(APPLY_SUPPRESSION, { id });
  } catch (e) {
    console.error(`[findings] enqueueing ${APPLY_SUPPRESSION} for ${id} failed; the every-minute catch-up applies it: ${errorForLog(e)}`);
  }
}

export interface SuppressionWriteOptions {
  requestId?: string;
  now?: Date;
  /** How the job is enqueued (tests pass their engine's); default: this process's engine, if it runs. */
  enqueue?: Enqueue;
}

/**
 * Creates a suppression (findings.manage): validates, writes it and its audit
 * event (finding.suppression.create) in one transaction, then enqueues the job
 * that applies it to the open findings it matches. Until the job has run it is
 * "applying"; new findings it matches are accepted by the evaluations at once.
 */
export async function createSuppression(db: Db, actor: Actor, input: unknown, opts: SuppressionWriteOptions = {}): Promise<SuppressionView> {
  requirePermission(actor, "findings.manage");
  const body = parseInput(createSuppressionSchema, input);
  const now = opts.now ?? new Date();
  if (body.expiresAt.getTime() <= now.getTime())
    throw new AppError("validation", "expiresAt must be in the future", [{ path: "expiresAt", message: "must be in the future" }]);
  if (body.expiresAt.getTime() > now.getTime() + MAX_SUPPRESSION_DAYS * DAY_MS)
    throw new AppError("validation", `a suppression may last at most ${MAX_SUPPRESSION_DAYS} days`, [
      { path: "expiresAt", message: `at most ${MAX_SUPPRESSION_DAYS} days ahead` },
    ]);
  const id = newId("sup");
  await db.transaction(async (tx) => {
    const [node] = await tx.select({ id: nodes.id }).from(nodes).where(eq(nodes.id, body.nodeId));
    if (!node) throw new AppError("validation", "nodeId is not a node Attest knows", [{ path: "nodeId", message: "no such node" }]);
    const rule = body.rule ?? null;
    const [same] = await tx
      .select({ id: findingSuppressions.id })
      .from(findingSuppressions)
      .where(
        and(
          isNull(findingSuppressions.revokedAt),
          sql`${findingSuppressions.expiresAt} > ${now.toISOString()}::timestamptz`,
          eq(findingSuppressions.scopeKind, body.scope),
          eq(findingSuppressions.nodeId, body.nodeId),
          rule ? eq(findingSuppressions.rule, rule) : isNull(findingSuppressions.rule),
        ),
      );
    if (same) throw new AppError("conflict", `an active suppression with this rule and scope exists (${same.id}); revoke it first to change it`);
    const row = {
      id,
      rule,
      scopeKind: body.scope,
      nodeId: body.nodeId,
      reason: body.reason,
      expiresAt: body.expiresAt,
      createdBy: actorLabel(actor),
      createdAt: now,
    };
    await tx.insert(findingSuppressions).values(row);
    await emitAudit(tx, actor, {
      action: "finding.suppression.create",
      target: { type: "finding_suppression", id },
      after: { rule, scope: body.scope, nodeId: body.nodeId, reason: body.reason, expiresAt: body.expiresAt.toISOString() },
      requestId: opts.requestId,
    });
  });
  await requestSettle(id, opts.enqueue);
  return toView(await getSuppressionRow(db, id), now);
}

/**
 * Revokes a suppression (findings.manage), audited (finding.suppression.revoke):
 * from now on it accepts nothing new, and the job reopens the findings it
 * accepted ("revoking" until then). Revoking a revoked one changes nothing; an
 * expired one cannot be revoked (its findings are open again already).
 */
export async function revokeSuppression(db: Db, actor: Actor, id: string, opts: SuppressionWriteOptions = {}): Promise<SuppressionView> {
  requirePermission(actor, "findings.manage");
  const now = opts.now ?? new Date();
  const changed = await db.transaction(async (tx) => {
    const [s] = await tx.select().from(findingSuppressions).where(eq(findingSuppressions.id, id)).for("update");
    if (!s) throw new AppError("not_found", "suppression not found");
    if (s.revokedAt) return false;
    if (s.expiresAt.getTime() <= now.getTime()) throw new AppError("conflict", "this suppression has expired: the findings it accepted are open again");
    await tx
      .update(findingSuppressions)
      .set({ revokedAt: now, revokedBy: actorLabel(actor) })
      .where(eq(findingSuppressions.id, id));
    await emitAudit(tx, actor, {
      action: "finding.suppression.revoke",
      target: { type: "finding_suppression", id },
      before: { status: s.appliedAt ? "active" : "applying", matched: s.matched },
      after: { status: "revoked", rule: s.rule, scope: s.scopeKind, nodeId: s.nodeId },
      requestId: opts.requestId,
    });
    return true;
  });
  if (changed) await requestSettle(id, opts.enqueue);
  return toView(await getSuppressionRow(db, id), now);
}

const ACTIVE_RANK = (now: Date) =>
  sql<number>`(case when ${findingSuppressions.revokedAt} is null and ${findingSuppressions.expiresAt} > ${now.toISOString()}::timestamptz then 0 else 1 end)`;

const isCursor = (v: unknown): v is [number, string, string] =>
  Array.isArray(v) && v.length === 3 && typeof v[0] === "number" && typeof v[1] === "string" && typeof v[2] === "string";

/** Suppressions (GET /api/v1/findings/suppressions; findings.read): active first, then newest first; keyset-paginated. */
export async function listSuppressions(
  db: Db,
  actor: Actor,
  q: ListSuppressionsQuery,
  now: Date = new Date(),
): Promise<{ items: SuppressionView[]; total: number; nextCursor: string | null }> {
  requirePermission(actor, "findings.read");
  const rank = ACTIVE_RANK(now);
  let where: SQL | undefined;
  if (q.cursor) {
    const [r, at, cid] = decodeCursor(q.cursor, isCursor);
    // Rows after the cursor: a higher rank, or the same rank and older, or the same instant and a greater id.
    where = sql`(${rank} > ${r} or (${rank} = ${r} and (${findingSuppressions.createdAt} < ${at}::timestamptz or (${findingSuppressions.createdAt} = ${at}::timestamptz and ${findingSuppressions.id} > ${cid}))))`;
  }
  const [{ total } = { total: 0 }] = await db.select({ total: sql<number>`count(*)::int` }).from(findingSuppressions);
  const list = await selectRows(db)
    .where(where)
    .orderBy(rank, desc(findingSuppressions.createdAt), findingSuppressions.id)
    .limit(q.limit + 1);
  const items = list.slice(0, q.limit).map((r) => toView(r, now));
  const last = list[q.limit - 1];
  const nextCursor =
    list.length > q.limit && last
      ? encodeCursor([statusOf(last, now) === "applying" || statusOf(last, now) === "active" ? 0 : 1, last.createdAt.toISOString(), last.id])
      : null;
  return { items, total, nextCursor };
}

/** One suppression (findings.read). */
export async function getSuppression(db: Db, actor: Actor, id: string, now: Date = new Date()): Promise<SuppressionView> {
  requirePermission(actor, "findings.read");
  return toView(await getSuppressionRow(db, id), now);
}
