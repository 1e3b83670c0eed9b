import { and, asc, desc, eq, ne, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { findings } from "@/db/schema";
import { decodeCursor, encodeCursor } from "@/lib/api/cursor";
import type { Actor } from "@/lib/authz/actor";
import { toView, type FindingView } from "@/lib/findings/queries";
import { boundedLimit, hubNode, sectionQuerySchema, type SectionPage, type SectionQuery } from "./common";

const RANK = sql<number>`(case ${findings.severity} when 'critical' then 3 when 'high' then 2 when 'medium' then 1 else 0 end)`;
const RANK_OF = { critical: 3, high: 2, medium: 1, low: 0 } as const;

const isCursor = (v: unknown): v is [number, string] => Array.isArray(v) && v.length === 2 && typeof v[0] === "number" && typeof v[1] === "string";

export const nodeFindingsQuerySchema = sectionQuerySchema.extend({ status: z.enum(["open", "all"], { error: "must be open or all" }).optional() }).strict();

export interface NodeFindingsQuery extends SectionQuery {
  /** "open" (default): open and accepted; "all": resolved ones too. */
  status?: "open" | "all";
}

/**
 * The findings about a node (its subject), most severe first
 * (findings.read). Reads through findings_subject_idx: the node's own findings only.
 */
export async function listNodeFindings(
  db: Db,
  actor: Actor,
  rawId: string,
  q: NodeFindingsQuery = {},
  now: Date = new Date(),
): Promise<SectionPage<FindingView> & { openCount: number }> {
  const node = await hubNode(db, actor, rawId, "findings");
  const limit = boundedLimit(q.limit);
  const base = and(eq(findings.subjectId, node.id), q.status === "all" ? undefined : ne(findings.status, "resolved"));
  const page = q.cursor
    ? (() => {
        const [rank, id] = decodeCursor(q.cursor, isCursor);
        return or(sql`${RANK} < ${rank}`, and(sql`${RANK} = ${rank}`, sql`${findings.id} > ${id}`));
      })()
    : undefined;
  const found = await db
    .select()
    .from(findings)
    .where(and(base, page))
    .orderBy(desc(RANK), asc(findings.id))
    .limit(limit + 1);
  const [{ n } = { n: 0 }] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(findings)
    .where(and(eq(findings.subjectId, node.id), ne(findings.status, "resolved")));
  const items = found.slice(0, limit).map((r) => toView(r, null, now));
  const last = found[limit - 1];
  return { items, openCount: Number(n), nextCursor: found.length > limit && last ? encodeCursor([RANK_OF[last.severity], last.id]) : null };
}
