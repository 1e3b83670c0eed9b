import { and, asc, count, desc, eq, getTableColumns, gt, inArray, lt, lte, ne, or, sql, type SQL } from "drizzle-orm";
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

export const FINDING_SORTS = ["priority", "severity", "newest"] as const;
export type FindingSort = (typeof FINDING_SORTS)[number];

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
    /** Only the members of this root-cause group (its cause's node id). */
    group: z.string().trim().min(1, "must not be empty").max(64, "at most 64 characters").optional(),
    /** priority (default): highest score first; severity: most severe first, then by subject; newest: first seen latest first. */
    sort: z.enum(FINDING_SORTS, { error: `must be one of ${FINDING_SORTS.join(", ")}` }).default("priority"),
    limit: limitParam.default(50),
    cursor: z.string().max(500).optional(),
  })
  .strict();
export type ListFindingsQuery = z.output<typeof listFindingsQuerySchema>;

type Row = Omit<typeof findings.$inferSelect, "evidence">;

/** A list row: every column but the evidence (1–20 KB each, read only by a finding's own page). */
const { evidence: _evidence, ...LIST_COLUMNS } = getTableColumns(findings);

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

/** Cursors name the sort they were made for, so one given with another sort is refused rather than misread. */
type Cursor = ["priority", number, string] | ["severity", number, string, string] | ["newest", string, string];

const isCursor = (v: unknown): v is Cursor => {
  if (!Array.isArray(v)) return false;
  const [sort, ...rest] = v as unknown[];
  if (sort === "priority") return rest.length === 2 && typeof rest[0] === "number" && typeof rest[1] === "string";
  if (sort === "severity") return rest.length === 3 && typeof rest[0] === "number" && typeof rest[1] === "string" && typeof rest[2] === "string";
  if (sort === "newest") return rest.length === 2 && typeof rest[0] === "string" && !Number.isNaN(Date.parse(rest[0])) && typeof rest[1] === "string";
  return false;
};

const severityRankOf = (s: FindingSeverity) => ({ critical: 3, high: 2, medium: 1, low: 0 })[s];

/** The order of each sort, the condition "after this cursor" and the cursor of a row. */
const SORTS: Record<FindingSort, { order: SQL[]; after(c: Cursor): SQL; cursorOf(r: Row): Cursor }> = {
  priority: {
    // "nulls last" as the index findings_open_score_idx is built (score is never null): plain desc cannot use it.
    order: [sql`${findings.score} desc nulls last`, asc(findings.id)],
    after: ([, score, id]) => or(lt(findings.score, score as number), and(eq(findings.score, score as number), gt(findings.id, id as string)))!,
    cursorOf: (r) => ["priority", r.score, r.id],
  },
  severity: {
    order: [desc(SEVERITY_RANK), asc(findings.subjectName), asc(findings.id)],
    after: (c) => {
      const [, rank, name, id] = c as ["severity", number, string, string];
      return or(
        lt(SEVERITY_RANK, rank),
        and(eq(SEVERITY_RANK, rank), or(gt(findings.subjectName, name), and(eq(findings.subjectName, name), gt(findings.id, id)))),
      )!;
    },
    cursorOf: (r) => ["severity", severityRankOf(r.severity), r.subjectName, r.id],
  },
  newest: {
    order: [desc(findings.firstSeenAt), asc(findings.id)],
    after: (c) => {
      const [, at, id] = c as ["newest", string, string];
      const t = new Date(at);
      return or(lt(findings.firstSeenAt, t), and(eq(findings.firstSeenAt, t), gt(findings.id, id)))!;
    },
    cursorOf: (r) => ["newest", r.firstSeenAt.toISOString(), r.id],
  },
};

/**
 * Findings (GET /api/v1/findings), in priority order by default (highest score
 * first; `sort=severity` most severe first then by subject, `sort=newest`
 * latest first seen first); keyset-paginated, filtered by rule, severity,
 * status, subject, root-cause group and a search.
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
  if (q.subject) filters.push(eq(findings.subjectId, q.subject));
  if (q.group) filters.push(eq(findings.causeId, q.group));
  if (q.q) {
    const p = likePattern(q.q);
    filters.push(or(sql`lower(${findings.title}) like ${p}`, sql`lower(${findings.subjectName}) like ${p}`)!);
  }
  const sort = SORTS[q.sort];
  let after: SQL | null = null;
  if (q.cursor) {
    const cursor = decodeCursor(q.cursor, isCursor);
    if (cursor[0] !== q.sort)
      throw new AppError("validation", `cursor was made for sort=${cursor[0]}, not sort=${q.sort}`, [
        { path: "cursor", message: `made for sort=${cursor[0]}: start again without a cursor, or keep that sort` },
      ]);
    after = sort.after(cursor);
  }
  const [{ total, rows }, latestAt] = await Promise.all([openAware(db, q, filters, after, sort, now), latestEvaluationAt(db)]);
  const items = rows.slice(0, q.limit).map((r) => toView(r, latestAt, now));
  const last = rows[q.limit - 1];
  return { items, total, nextCursor: rows.length > q.limit && last ? encodeCursor(sort.cursorOf(last)) : null };
}

/**
 * The page's rows (one more than the limit) and the total. Open findings in priority or newest order — the findings
 * page's default — are read in two parts, so the open part can walk the partial index on open findings in score
 * order: rows stored open, and accepted rows whose acceptance has run out (open in force; the next evaluation stores
 * them open), merged by the same order. A single "status in force" expression would read every open finding first.
 */
async function openAware(
  db: Db,
  q: ListFindingsQuery,
  filters: SQL[],
  after: SQL | null,
  sort: (typeof SORTS)[FindingSort],
  now: Date,
): Promise<{ total: number; rows: Row[] }> {
  const total = (status: SQL | null) =>
    db
      .select({ total: count() })
      .from(findings)
      .where(and(...(status ? [status] : []), ...filters))
      .then(([r]) => r?.total ?? 0);
  const rows = (status: SQL | null) =>
    db
      .select(LIST_COLUMNS)
      .from(findings)
      .where(and(...(status ? [status] : []), ...filters, ...(after ? [after] : [])))
      .orderBy(...sort.order)
      .limit(q.limit + 1);
  const compare = q.sort === "priority" ? byPriority : q.sort === "newest" ? byNewest : null;
  if (q.status !== "open" || !compare) {
    const status = q.status ? statusFilter(q.status, now) : null;
    const [n, page] = await Promise.all([total(status), rows(status)]);
    return { total: n, rows: page };
  }
  const stored = eq(findings.status, "open");
  const expired = and(eq(findings.status, "accepted"), lte(findings.acceptedUntil, now))!;
  const [a, b, open, late] = await Promise.all([total(stored), total(expired), rows(stored), rows(expired)]);
  return { total: a + b, rows: [...open, ...late].sort(compare).slice(0, q.limit + 1) };
}

const byPriority = (x: Row, y: Row) => y.score - x.score || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
const byNewest = (x: Row, y: Row) => y.firstSeenAt.getTime() - x.firstSeenAt.getTime() || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);

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
    /** Only the members of this root-cause group (its cause's node id). */
    group: z.string().trim().min(1, "must not be empty").max(64, "at most 64 characters").optional(),
  })
  .strict();

/** The counts the findings page charts: each chart narrowed by the other's filter, so they cross-filter; both by a group's. */
export async function findingsSummary(
  db: Db,
  actor: Actor,
  f: { status?: FindingStatus; rule?: FindingRule; severity?: FindingSeverity; group?: string } = {},
  now: Date = new Date(),
): Promise<FindingsSummary> {
  requirePermission(actor, "findings.read");
  const base = [...(f.status ? [statusFilter(f.status, now)] : []), ...(f.group ? [eq(findings.causeId, f.group)] : [])];
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
  const bySeverity = Object.fromEntries(FINDING_SEVERITIES.map((s) => [s, 0])) as Record<FindingSeverity, number>;
  for (const r of sev) bySeverity[r.k] = r.n;
  const byRule = Object.fromEntries(FINDING_RULES.map((r) => [r, 0])) as Record<FindingRule, number>;
  for (const r of rule) byRule[r.k] = r.n;
  return { bySeverity, byRule, ...(await lastEvaluations(db)) };
}

/** The latest evaluation and the latest full one (the same unless the latest was incremental). */
export async function lastEvaluations(db: Db): Promise<Pick<FindingsSummary, "lastEvaluation" | "lastFullEvaluation">> {
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
  return {
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
