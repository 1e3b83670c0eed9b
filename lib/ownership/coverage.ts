import { and, asc, desc, eq, gte, isNotNull, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { ownershipCoverageDaily, ownershipReassignments } from "@/db/schema";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { graphVersion } from "@/lib/graph/access-cache";
import { OWNABLE_KINDS, type NodeKind } from "@/lib/graph/model";
import { OWNERSHIP_CTES, ownableKindsSql, wholeGraphRows } from "./owner-state";

export const coverageQuerySchema = z
  .object({
    kind: z.enum(OWNABLE_KINDS as [NodeKind, ...NodeKind[]], { error: `must be one of ${OWNABLE_KINDS.join(", ")}` }).optional(),
    source: z.string().trim().min(1).max(200).optional(),
    days: z
      .string()
      .regex(/^\d+$/, "must be a whole number from 1 to 365")
      .transform(Number)
      .pipe(z.number().int().min(1, "must be from 1 to 365").max(365, "must be from 1 to 365"))
      .default(90),
  })
  .strict();
export type CoverageQuery = z.infer<typeof coverageQuerySchema>;

export interface Counts {
  total: number;
  /** Nodes with at least one active owner. */
  owned: number;
  /** Nodes with an active business owner and an active technical owner. */
  businessAndTechnical: number;
  /** owned / total, or null when there is nothing to cover. */
  ownedShare: number | null;
  businessAndTechnicalShare: number | null;
  unowned: number;
}

export interface CoverageCell extends Counts {
  kind: NodeKind;
  source: string;
}

export interface Coverage {
  asOf: string;
  totals: Counts;
  byKind: (Counts & { kind: NodeKind })[];
  bySource: (Counts & { source: string })[];
  /** Every (kind, source) with something to own, worst gap first: most nodes without an active owner, then lowest share. */
  gaps: CoverageCell[];
  /** One point per day recorded (see recordCoverage), oldest first, ending with today's figure. */
  trend: (Counts & { day: string })[];
  /**
   * Set when the figures are the latest recorded point rather than a fresh count (`{ kept: true }`): when they were
   * computed, and whether the graph has changed since (then the after-change pipeline is recounting them).
   */
  kept?: { computedAt: string; current: boolean };
}

const share = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);

export function counts(total: number, owned: number, businessAndTechnical: number): Counts {
  return {
    total,
    owned,
    businessAndTechnical,
    ownedShare: share(owned, total),
    businessAndTechnicalShare: share(businessAndTechnical, total),
    unowned: total - owned,
  };
}

function sum<T extends { total: number; owned: number; businessAndTechnical: number }>(list: readonly T[]): Counts {
  return counts(
    list.reduce((a, c) => a + c.total, 0),
    list.reduce((a, c) => a + c.owned, 0),
    list.reduce((a, c) => a + c.businessAndTechnical, 0),
  );
}

/** Current coverage of every (kind, source) of ownable nodes, straight from the graph. */
export async function coverageCells(db: Db): Promise<CoverageCell[]> {
  const found = await wholeGraphRows<{ kind: NodeKind; source: string; total: number; owned: number; both: number }>(
    db,
    sql`${OWNERSHIP_CTES}
      select n.kind, s.name as source, count(*)::int as total,
        (count(*) filter (where f.any_active))::int as owned,
        (count(*) filter (where f.business and f.technical))::int as both
      from nodes n
      join sources s on s.id = n.source_id
      left join node_flags f on f.node_id = n.id
      where n.valid_to is null and n.kind in ${ownableKindsSql()}
      group by n.kind, s.name
      order by n.kind, s.name`,
  );
  return found.map((r) => ({ kind: r.kind, source: r.source, ...counts(r.total, r.owned, r.both) }));
}

const utcDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Records the day's coverage (replacing what an earlier record that day wrote),
 * so the trend has one point per day. Node status is overwritten in place, so
 * this is the only way to know past coverage exactly. Called by every findings
 * evaluation (after each import and ownership change, at seed, on demand),
 * never by a read.
 */
export async function recordCoverage(db: Db, cells: readonly CoverageCell[], at: Date = new Date(), version: number | null = null): Promise<void> {
  const day = utcDay(at);
  await db.transaction(async (tx) => {
    // Upsert, not delete-then-insert: two looks at the same moment must not collide on the key.
    if (cells.length) {
      await tx
        .insert(ownershipCoverageDaily)
        .values(
          cells.map((c) => ({
            day,
            kind: c.kind,
            source: c.source,
            total: c.total,
            owned: c.owned,
            businessAndTechnical: c.businessAndTechnical,
            updatedAt: at,
            graphVersion: version,
          })),
        )
        .onConflictDoUpdate({
          target: [ownershipCoverageDaily.day, ownershipCoverageDaily.kind, ownershipCoverageDaily.source],
          set: {
            total: sql`excluded.total`,
            owned: sql`excluded.owned`,
            businessAndTechnical: sql`excluded.business_and_technical`,
            updatedAt: at,
            graphVersion: version,
          },
        });
    }
    // A (kind, source) with nothing left to own today drops out of today's point.
    await tx
      .delete(ownershipCoverageDaily)
      .where(and(eq(ownershipCoverageDaily.day, day), sql`${ownershipCoverageDaily.updatedAt} < ${at.toISOString()}::timestamptz`));
  });
}

/**
 * Counts the current coverage and records it as the day's point, with the graph version it was counted at (read
 * first, so a change committed during the count makes the point stale, never falsely current). Whole-graph: only
 * the after-change pipeline and evaluations call it, never a read.
 */
export async function recordCurrentCoverage(db: Db, at: Date = new Date()): Promise<void> {
  const version = await graphVersion(db);
  await recordCoverage(db, await coverageCells(db), at, version);
}

/**
 * The latest recorded coverage point (what the after-change pipeline keeps), without counting anything: its cells,
 * when they were counted, and whether they are of the current graph version. Null when nothing was ever recorded
 * (or only by a version that did not keep the graph version).
 */
export async function keptCoverageCells(db: Db): Promise<{ cells: CoverageCell[]; computedAt: Date; current: boolean } | null> {
  const [latest] = await db
    .select({ day: ownershipCoverageDaily.day })
    .from(ownershipCoverageDaily)
    .where(isNotNull(ownershipCoverageDaily.graphVersion))
    .orderBy(desc(ownershipCoverageDaily.day))
    .limit(1);
  if (!latest) return null;
  const [found, version] = await Promise.all([
    db
      .select()
      .from(ownershipCoverageDaily)
      .where(eq(ownershipCoverageDaily.day, latest.day))
      .orderBy(asc(ownershipCoverageDaily.kind), asc(ownershipCoverageDaily.source)),
    graphVersion(db),
  ]);
  if (found.length === 0 || found.some((r) => r.graphVersion === null)) return null;
  return {
    cells: found.map((r) => ({ kind: r.kind as NodeKind, source: r.source, ...counts(r.total, r.owned, r.businessAndTechnical) })),
    computedAt: new Date(Math.max(...found.map((r) => r.updatedAt.getTime()))),
    current: found.every((r) => r.graphVersion === version),
  };
}

/**
 * Ownership coverage (GET /api/v1/ownership/coverage): per kind and per source,
 * the share of nodes with at least one active owner and with both a business
 * and a technical owner; the gaps worst first; the daily trend.
 */
export async function getCoverage(db: Db, actor: Actor, q: CoverageQuery = { days: 90 }, opts: { kept?: boolean } = {}): Promise<Coverage> {
  requirePermission(actor, "owner.read");
  const at = new Date();
  // Pages read the point the pipeline keeps (no whole-graph count in a request); a fresh count only when none was kept.
  const kept = opts.kept ? await keptCoverageCells(db) : null;
  const all = kept?.cells ?? (await coverageCells(db));
  const cells = all.filter((c) => (!q.kind || c.kind === q.kind) && (!q.source || c.source === q.source));

  const kinds = [...new Set(cells.map((c) => c.kind))];
  const sources = [...new Set(cells.map((c) => c.source))].sort();
  const byKind = OWNABLE_KINDS.filter((k) => kinds.includes(k)).map((kind) => ({ kind, ...sum(cells.filter((c) => c.kind === kind)) }));
  const bySource = sources.map((source) => ({ source, ...sum(cells.filter((c) => c.source === source)) }));
  const gaps = cells
    .filter((c) => c.total > 0)
    .sort((a, b) => b.unowned - a.unowned || (a.ownedShare ?? 1) - (b.ownedShare ?? 1) || a.kind.localeCompare(b.kind) || a.source.localeCompare(b.source));

  const since = utcDay(new Date(at.getTime() - (q.days - 1) * 86_400_000));
  const filters: SQL[] = [gte(ownershipCoverageDaily.day, since)];
  if (q.kind) filters.push(eq(ownershipCoverageDaily.kind, q.kind));
  if (q.source) filters.push(eq(ownershipCoverageDaily.source, q.source));
  const points = await db
    .select({
      day: ownershipCoverageDaily.day,
      total: sql<number>`sum(${ownershipCoverageDaily.total})::int`,
      owned: sql<number>`sum(${ownershipCoverageDaily.owned})::int`,
      both: sql<number>`sum(${ownershipCoverageDaily.businessAndTechnical})::int`,
    })
    .from(ownershipCoverageDaily)
    .where(and(...filters))
    .groupBy(ownershipCoverageDaily.day)
    .orderBy(asc(ownershipCoverageDaily.day));
  // Today's point is the figure the page shows now, whatever was last recorded today.
  const today = utcDay(at);
  const trend = points.filter((p) => p.day !== today).map((p) => ({ day: p.day, ...counts(p.total, p.owned, p.both) }));
  trend.push({ day: today, ...sum(cells) });

  return {
    asOf: at.toISOString(),
    totals: sum(cells),
    byKind,
    bySource,
    gaps,
    trend,
    ...(kept ? { kept: { computedAt: kept.computedAt.toISOString(), current: kept.current } } : {}),
  };
}

/** Open rows in the reassignment queue. */
export async function openQueueCount(db: Db, actor: Actor): Promise<number> {
  requirePermission(actor, "owner.read");
  const [open] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(ownershipReassignments)
    .where(eq(ownershipReassignments.status, "open"));
  return open?.n ?? 0;
}

/**
 * Counts for the ownership views' tabs: nodes without an active owner (from the coverage point the pipeline keeps;
 * counted afresh only when none was ever kept), and open queue rows.
 */
export async function ownershipTabCounts(db: Db, actor: Actor): Promise<{ orphans: number; queue: number }> {
  requirePermission(actor, "owner.read");
  const cells = (await keptCoverageCells(db))?.cells ?? (await coverageCells(db));
  return { orphans: cells.reduce((a, c) => a + c.unowned, 0), queue: await openQueueCount(db, actor) };
}
