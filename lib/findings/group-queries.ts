import { and, asc, count, desc, eq, gt, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { findingGroups, findings } from "@/db/schema";
import { likePattern } from "@/db/like";
import { decodeCursor, encodeCursor } from "@/lib/api/cursor";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { AppError } from "@/lib/errors";
import { NODE_KINDS, type NodeKind } from "@/lib/graph/model";
import { actionFor } from "./actions";
import { FINDING_RULES, RULES } from "./rules";
import type { FindingGroupView } from "./views";

const limitParam = z
  .string()
  .regex(/^\d+$/, "must be a whole number from 1 to 200")
  .transform(Number)
  .pipe(z.number().int().min(1, "must be from 1 to 200").max(200, "must be from 1 to 200"));

export const listGroupsQuerySchema = z
  .object({
    /** The group's main rule (the rule most of its members come from). */
    rule: z.enum(FINDING_RULES, { error: `must be one of ${FINDING_RULES.join(", ")}` }).optional(),
    /** The kind of node the cause is. */
    causeKind: z.enum(NODE_KINDS, { error: `must be one of ${NODE_KINDS.join(", ")}` }).optional(),
    /** Searches the cause's name. */
    q: z.string().trim().max(200, "at most 200 characters").optional(),
    limit: limitParam.default(50),
    cursor: z.string().max(500).optional(),
  })
  .strict();
export type ListGroupsQuery = z.output<typeof listGroupsQuerySchema>;

type GroupRow = typeof findingGroups.$inferSelect;

export function toGroupView(r: GroupRow): FindingGroupView {
  const cause = { id: r.causeId, kind: r.causeKind as NodeKind, name: r.causeName };
  return {
    id: r.causeId,
    rule: r.rule,
    ruleLabel: RULES[r.rule].label,
    cause,
    count: r.count,
    score: r.score,
    scoreParts: r.scoreParts,
    action: actionFor({ cause, rule: r.rule, count: r.count, resolves: r.resolves }),
    topFindingId: r.topFindingId,
    updatedAt: r.updatedAt.toISOString(),
  };
}

const isGroupCursor = (v: unknown): v is [number, string] => Array.isArray(v) && v.length === 2 && typeof v[0] === "number" && typeof v[1] === "string";

/**
 * The root-cause groups (GET /api/v1/findings/groups), highest score first
 * (then by cause id), keyset-paginated: the work queue. Reads finding_groups
 * only — the evaluations keep it in step with the open findings — so it answers
 * in the same time whatever the number of findings.
 */
export async function listFindingGroups(
  db: Db,
  actor: Actor,
  q: ListGroupsQuery,
): Promise<{ items: FindingGroupView[]; total: number; nextCursor: string | null }> {
  requirePermission(actor, "findings.read");
  const filters: SQL[] = [];
  if (q.rule) filters.push(eq(findingGroups.rule, q.rule));
  if (q.causeKind) filters.push(eq(findingGroups.causeKind, q.causeKind));
  if (q.q) filters.push(sql`lower(${findingGroups.causeName}) like ${likePattern(q.q)}`);
  const page = [...filters];
  if (q.cursor) {
    const [score, causeId] = decodeCursor(q.cursor, isGroupCursor);
    page.push(or(lt(findingGroups.score, score), and(eq(findingGroups.score, score), gt(findingGroups.causeId, causeId)))!);
  }
  const [[{ total } = { total: 0 }], rows] = await Promise.all([
    db
      .select({ total: count() })
      .from(findingGroups)
      .where(and(...filters)),
    db
      .select()
      .from(findingGroups)
      .where(and(...page))
      // "nulls last" as finding_groups_score_idx is built (score is never null): plain desc cannot walk it.
      .orderBy(sql`${findingGroups.score} desc nulls last`, asc(findingGroups.causeId))
      .limit(q.limit + 1),
  ]);
  const last = rows[q.limit - 1];
  return {
    items: rows.slice(0, q.limit).map(toGroupView),
    total,
    nextCursor: rows.length > q.limit && last ? encodeCursor([last.score, last.causeId]) : null,
  };
}

/** One group by its cause's node id (GET /api/v1/findings/groups/{id}); not found when the cause has no open findings. */
export async function getFindingGroup(db: Db, actor: Actor, causeId: string): Promise<FindingGroupView> {
  requirePermission(actor, "findings.read");
  const [row] = await db.select().from(findingGroups).where(eq(findingGroups.causeId, causeId));
  if (!row) throw new AppError("not_found", "finding group not found");
  return toGroupView(row);
}

/**
 * What the findings page's group chip names: the group when it has open findings, else the cause as its findings
 * last recorded it (a group whose members all closed), else null.
 */
export async function describeCause(db: Db, actor: Actor, causeId: string): Promise<{ id: string; kind: NodeKind; name: string; open: boolean } | null> {
  requirePermission(actor, "findings.read");
  const [g] = await db.select({ kind: findingGroups.causeKind, name: findingGroups.causeName }).from(findingGroups).where(eq(findingGroups.causeId, causeId));
  if (g) return { id: causeId, kind: g.kind as NodeKind, name: g.name, open: true };
  const [f] = await db
    .select({ kind: findings.causeKind, name: findings.causeName })
    .from(findings)
    .where(eq(findings.causeId, causeId))
    .orderBy(desc(findings.updatedAt))
    .limit(1);
  return f ? { id: causeId, kind: (f.kind ?? "group") as NodeKind, name: f.name ?? causeId, open: false } : null;
}

/**
 * What the work queue's heading and empty states need, cheaply at any size: the groups and the open findings they
 * hold (from finding_groups), and whether any open finding has no cause yet (rows written before causes were
 * computed, until the next full evaluation).
 */
export async function queueTotals(db: Db, actor: Actor): Promise<{ groups: number; findings: number; uncaused: boolean }> {
  requirePermission(actor, "findings.read");
  const [[totals], [uncaused]] = await Promise.all([
    db.select({ groups: count(), findings: sql<number>`coalesce(sum(${findingGroups.count}), 0)::int` }).from(findingGroups),
    db
      .select({ id: findings.id })
      .from(findings)
      .where(and(eq(findings.status, "open"), isNull(findings.causeId)))
      .limit(1),
  ]);
  return { groups: totals?.groups ?? 0, findings: Number(totals?.findings ?? 0), uncaused: !!uncaused };
}
