import { and, asc, count, desc, eq, gt, inArray, lt, ne, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { findingEvaluations, findings, nodes } from "@/db/schema";
import { decodeCursor, encodeCursor } from "@/lib/api/cursor";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { AppError } from "@/lib/errors";
import { likePattern } from "@/db/like";
import type { NodeKind } from "@/lib/graph/model";
import type { FindingDetail, FindingsSummary, FindingView } from "./views";
export type { FindingDetail, FindingsSummary, FindingView } from "./views";
import { FINDING_RULES, FINDING_SEVERITIES, FINDING_STATUSES, OWASP_NHI, RULES, type FindingRule, type FindingSeverity, type FindingStatus } from "./rules";

const limitParam = z
  .string()
  .regex(/^\d+$/, "must be a whole number from 1 to 200")
  .transform(Number)
  .pipe(z.number().int().min(1, "must be from 1 to 200").max(200, "must be from 1 to 200"));

export const listFindingsQuerySchema = z
  .object({
    rule: z.enum(FINDING_RULES, { error: `must be one of ${FINDING_RULES.join(", ")}` }).optional(),
    severity: z.enum(FINDING_SEVERITIES, { error: `must be one of ${FINDING_SEVERITIES.join(", ")}` }).optional(),
    /** open includes accepted findings whose acceptance has expired; omitted: every status. */
    status: z.enum(FINDING_STATUSES, { error: `must be one of ${FINDING_STATUSES.join(", ")}` }).optional(),
    /** Only findings about this node (an Attest node id). */
    subject: z.string().trim().min(1).max(64).optional(),
    /** Searches the title and the subject's name. */
    q: z.string().trim().max(200, "at most 200 characters").optional(),
    limit: limitParam.default(50),
    cursor: z.string().max(500).optional(),
  })
  .strict();
export type ListFindingsQuery = z.output<typeof listFindingsQuerySchema>;

type Row = typeof findings.$inferSelect;

const SEVERITY_RANK = sql<number>`(case ${findings.severity} when 'critical' then 3 when 'high' then 2 when 'medium' then 1 else 0 end)`;

/** The status in force at `now`, in SQL. */
function effectiveStatus(now: Date): SQL<string> {
  return sql<string>`(case when ${findings.status} = 'accepted' and ${findings.acceptedUntil} <= ${now.toISOString()}::timestamptz then 'open' else ${findings.status} end)`;
}

function statusFilter(status: FindingStatus, now: Date): SQL {
  return sql`${effectiveStatus(now)} = ${status}`;
}

export function toView(r: Row, latestAt: Date | null, now: Date): FindingView {
  const expired = r.status === "accepted" && !!r.acceptedUntil && r.acceptedUntil.getTime() <= now.getTime();
  const status: FindingStatus = expired ? "open" : r.status;
  const info = RULES[r.rule];
  return {
    id: r.id,
    rule: r.rule,
    ruleLabel: info.label,
    owasp: info.owasp.map((id) => ({ id, name: OWASP_NHI[id] })),
    severity: r.severity,
    status,
    title: r.title,
    subject: { id: r.subjectId, kind: r.subjectKind as NodeKind, name: r.subjectName },
    firstSeenAt: r.firstSeenAt.toISOString(),
    lastSeenAt: (r.status === "resolved" || !latestAt ? r.lastSeenAt : latestAt).toISOString(),
    resolvedAt: r.resolvedAt?.toISOString() ?? null,
    reopenedAt: r.reopenedAt?.toISOString() ?? null,
    reopenCount: r.reopenCount,
    acceptance:
      r.acceptedReason && r.acceptedUntil
        ? {
            reason: r.acceptedReason,
            expiresAt: r.acceptedUntil.toISOString(),
            by: r.acceptedBy,
            at: r.acceptedAt?.toISOString() ?? null,
            expired,
            suppressionId: r.suppressionId,
          }
        : null,
    score: r.score,
    scoreParts: r.scoreParts ?? null,
    cause: r.causeId ? { id: r.causeId, kind: (r.causeKind ?? "group") as NodeKind, name: r.causeName ?? r.causeId, resolves: r.causeResolves } : null,
  };
}

async function latestEvaluationAt(db: Db): Promise<Date | null> {
  const [row] = await db
    .select({ at: findingEvaluations.startedAt })
    .from(findingEvaluations)
    .orderBy(desc(findingEvaluations.startedAt), desc(findingEvaluations.id))
    .limit(1);
  return row?.at ?? null;
}

const isCursor = (v: unknown): v is [number, string, string] =>
  Array.isArray(v) && v.length === 3 && typeof v[0] === "number" && typeof v[1] === "string" && typeof v[2] === "string";

/**
 * Findings (GET /api/v1/findings), most severe first, then by subject name;
 * keyset-paginated, filtered by rule, severity, status, subject and a search.
 */
export async function listFindings(
  db: Db,
  actor: Actor,
  q: ListFindingsQuery,
  now: Date = new Date(),
): Promise<{ items: FindingView[]; total: number; nextCursor: string | null }> {
  requirePermission(actor, "findings.read");
  const filters: SQL[] = [];
  if (q.rule) filters.push(eq(findings.rule, q.rule));
  if (q.severity) filters.push(eq(findings.severity, q.severity));
  if (q.status) filters.push(statusFilter(q.status, now));
  if (q.subject) filters.push(eq(findings.subjectId, q.subject));
  if (q.q) {
    const p = likePattern(q.q);
    filters.push(or(sql`lower(${findings.title}) like ${p}`, sql`lower(${findings.subjectName}) like ${p}`)!);
  }
  const [{ total } = { total: 0 }] = await db
    .select({ total: count() })
    .from(findings)
    .where(and(...filters));
  const page = [...filters];
  if (q.cursor) {
    const [rank, name, id] = decodeCursor(q.cursor, isCursor);
    page.push(
      or(lt(SEVERITY_RANK, rank), and(eq(SEVERITY_RANK, rank), or(gt(findings.subjectName, name), and(eq(findings.subjectName, name), gt(findings.id, id)))))!,
    );
  }
  const rows = await db
    .select()
    .from(findings)
    .where(and(...page))
    .orderBy(desc(SEVERITY_RANK), asc(findings.subjectName), asc(findings.id))
    .limit(q.limit + 1);
  const latestAt = await latestEvaluationAt(db);
  const items = rows.slice(0, q.limit).map((r) => toView(r, latestAt, now));
  const last = rows[q.limit - 1];
  const rankOf = (s: FindingSeverity) => ({ critical: 3, high: 2, medium: 1, low: 0 })[s];
  return { items, total, nextCursor: rows.length > q.limit && last ? encodeCursor([rankOf(last.severity), last.subjectName, last.id]) : null };
}

/** One finding with its evidence and the evidence's nodes (GET /api/v1/findings/{id}). */
export async function getFinding(db: Db, actor: Actor, id: string, now: Date = new Date()): Promise<FindingDetail> {
  requirePermission(actor, "findings.read");
  const [row] = await db.select().from(findings).where(eq(findings.id, id));
  if (!row) throw new AppError("not_found", "finding not found");
  const ids = [...new Set([row.subjectId, ...row.evidence.nodes, ...row.evidence.edges.flatMap((e) => [e.from, e.to])])];
  const described = ids.length
    ? await db
        .select({ id: nodes.id, kind: nodes.kind, name: nodes.name, status: nodes.status, validTo: nodes.validTo })
        .from(nodes)
        .where(inArray(nodes.id, ids))
    : [];
  const latestAt = await latestEvaluationAt(db);
  return {
    ...toView(row, latestAt, now),
    evidence: row.evidence,
    nodes: Object.fromEntries(described.map((n) => [n.id, { kind: n.kind, name: n.name, status: n.status, current: n.validTo === null }])),
  };
}

export const summaryQuerySchema = z
  .object({
    status: z.enum(FINDING_STATUSES, { error: `must be one of ${FINDING_STATUSES.join(", ")}` }).optional(),
    rule: z.enum(FINDING_RULES, { error: `must be one of ${FINDING_RULES.join(", ")}` }).optional(),
    severity: z.enum(FINDING_SEVERITIES, { error: `must be one of ${FINDING_SEVERITIES.join(", ")}` }).optional(),
  })
  .strict();

/** The counts the findings page charts: each chart narrowed by the other's filter, so they cross-filter. */
export async function findingsSummary(
  db: Db,
  actor: Actor,
  f: { status?: FindingStatus; rule?: FindingRule; severity?: FindingSeverity } = {},
  now: Date = new Date(),
): Promise<FindingsSummary> {
  requirePermission(actor, "findings.read");
  const base = f.status ? [statusFilter(f.status, now)] : [];
  const sev = await db
    .select({ k: findings.severity, n: count() })
    .from(findings)
    .where(and(...base, ...(f.rule ? [eq(findings.rule, f.rule)] : [])))
    .groupBy(findings.severity);
  const rule = await db
    .select({ k: findings.rule, n: count() })
    .from(findings)
    .where(and(...base, ...(f.severity ? [eq(findings.severity, f.severity)] : [])))
    .groupBy(findings.rule);
  const [last] = await db.select().from(findingEvaluations).orderBy(desc(findingEvaluations.startedAt), desc(findingEvaluations.id)).limit(1);
  // Incremental evaluations ("change") re-check part of the graph; the last full one says when everything was.
  const [lastFull] =
    last?.trigger === "change"
      ? await db
          .select()
          .from(findingEvaluations)
          .where(ne(findingEvaluations.trigger, "change"))
          .orderBy(desc(findingEvaluations.startedAt), desc(findingEvaluations.id))
          .limit(1)
      : [last];
  const bySeverity = Object.fromEntries(FINDING_SEVERITIES.map((s) => [s, 0])) as Record<FindingSeverity, number>;
  for (const r of sev) bySeverity[r.k] = r.n;
  const byRule = Object.fromEntries(FINDING_RULES.map((r) => [r, 0])) as Record<FindingRule, number>;
  for (const r of rule) byRule[r.k] = r.n;
  return {
    bySeverity,
    byRule,
    lastEvaluation: last
      ? {
          id: last.id,
          at: last.startedAt.toISOString(),
          finishedAt: last.finishedAt.toISOString(),
          trigger: last.trigger,
          durationMs: last.durationMs,
          graphVersion: last.graphVersion,
          counts: last.counts,
        }
      : null,
    lastFullEvaluation: lastFull
      ? { id: lastFull.id, at: lastFull.startedAt.toISOString(), finishedAt: lastFull.finishedAt.toISOString(), trigger: lastFull.trigger }
      : null,
  };
}
