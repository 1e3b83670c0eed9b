import { sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { decodeCursor, encodeCursor } from "@/lib/api/cursor";

/**
 * What the sortable lists (MCP servers, nodes) share: a direction, a page size
 * and an offset cursor. Offsets, not keysets: a list can be sorted by counts
 * computed per request (tools, findings), which have no stable key to resume
 * from, and its length is bounded by the graph's node count.
 */
export const sortDir = z.enum(["asc", "desc"], { error: "must be asc or desc" });
export type SortDirection = z.infer<typeof sortDir>;

export const pageSize = (max: number, dflt: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number from 1 to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(1, `must be from 1 to ${max}`).max(max, `must be from 1 to ${max}`))
    .default(dflt);

const isOffsetCursor = (v: unknown): v is { o: number } =>
  typeof v === "object" && v !== null && Number.isInteger((v as { o: unknown }).o) && (v as { o: number }).o >= 0 && (v as { o: number }).o <= 10_000_000;

export const offsetOf = (cursor: string | undefined): number => (cursor ? decodeCursor(cursor, isOffsetCursor).o : 0);

export interface TablePage<T> {
  items: T[];
  total: number;
  /** Where this page starts (0-based). */
  offset: number;
  nextCursor: string | null;
  /** The previous page's cursor; null on the first page ("" would mean the first page too, so null means there is none). */
  prevCursor: string | null;
  sort: string;
  dir: SortDirection;
}

/** The cursors around a page at `offset` of `limit` rows, `more` telling whether another row followed. */
export function pageCursors(offset: number, limit: number, more: boolean): Pick<TablePage<unknown>, "nextCursor" | "prevCursor"> {
  return {
    nextCursor: more ? encodeCursor({ o: offset + limit }) : null,
    prevCursor: offset > 0 ? encodeCursor({ o: Math.max(0, offset - limit) }) : null,
  };
}

/** `asc`/`desc` as SQL, with rows lacking a value last either way. */
export const orderSql = (expr: SQL, dir: SortDirection): SQL => (dir === "asc" ? sql`${expr} asc nulls last` : sql`${expr} desc nulls last`);

/** Finding severities as numbers, worst highest (4 = critical), for sorting and "worst of". */
export const severityRankSql = (col: SQL): SQL =>
  sql`(case ${col} when 'critical' then 4 when 'high' then 3 when 'medium' then 2 when 'low' then 1 else 0 end)`;
export const SEVERITY_BY_RANK = [null, "low", "medium", "high", "critical"] as const;
