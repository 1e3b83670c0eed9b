import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rows } from "@/db/rows";

const texts = (values: Iterable<string>) => sql`${sql.param([...values])}::text[]`;
const iso = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());

/** What tool usage says about one access (a subject's access to a target that reaches tools). */
export interface AccessToolUse {
  /** The subject's newest call of any tool the access reaches; null when never seen. */
  lastUsedAt: string | null;
  /** Where that call was seen: `pdp` (an allowed decision) or `otlp` (a gateway's span). */
  via: string | null;
  /**
   * Since when usage of those tools is seen at all (the first call by anyone): before it there is no telemetry, so
   * "never seen" means nothing. Null when nobody's use of them was ever seen (no telemetry for them).
   */
  coveredSince: string | null;
}

/**
 * Tool usage for a set of accesses (subject → target), in one query: the tools an access reaches are the target
 * itself when it is a tool, the tools an MCP server exposes or an entitlement grants, and the tools of the servers
 * an entitlement grants. Keyed by `${subjectId}\u0000${targetId}`; accesses that reach no tool are absent.
 */
export async function toolUseForAccesses(db: Db, accesses: { subjectId: string; targetId: string }[]): Promise<Map<string, AccessToolUse>> {
  const out = new Map<string, AccessToolUse>();
  if (!accesses.length) return out;
  const found = await rows<{ f: string; t: string; last_used_at: Date | string | null; via: string | null; covered_since: Date | string | null }>(
    db,
    sql`with a as (select distinct f, t from unnest(${texts(accesses.map((x) => x.subjectId))}, ${texts(accesses.map((x) => x.targetId))}) as a(f, t)),
        reach as (
          select a.f, a.t, a.t as tool from a join nodes n on n.id = a.t and n.kind = 'tool'
          union
          select a.f, a.t, x.to_id from a
            join edges x on x.from_id = a.t and x.kind in ('exposes', 'grants') and x.valid_to is null
            join nodes n on n.id = x.to_id and n.kind = 'tool' and n.valid_to is null
          union
          select a.f, a.t, y.to_id from a
            join edges x on x.from_id = a.t and x.kind = 'grants' and x.valid_to is null
            join edges y on y.from_id = x.to_id and y.kind = 'exposes' and y.valid_to is null
        )
        select r.f, r.t, max(mine.last_used_at) as last_used_at,
               (array_agg(mine.last_seen_via order by mine.last_used_at desc) filter (where mine.last_used_at is not null))[1] as via,
               min(cov.first_used_at) as covered_since
        from reach r
        left join tool_usage mine on mine.subject_id = r.f and mine.tool_id = r.tool
        left join lateral (select min(u.first_used_at) as first_used_at from tool_usage u where u.tool_id = r.tool) cov on true
        group by r.f, r.t`,
  );
  for (const r of found) out.set(`${r.f}\u0000${r.t}`, { lastUsedAt: iso(r.last_used_at), via: r.via, coveredSince: iso(r.covered_since) });
  return out;
}

/** One (subject, tool) pair's last use, for node pages. */
export interface LastUse {
  subjectId: string;
  toolId: string;
  lastUsedAt: string;
  firstUsedAt: string;
  calls: number;
  via: string;
}

/**
 * The tools a subject was seen calling, or the subjects seen calling a tool, newest first (at most `limit`), read
 * through tool_usage's two indexes. For node pages: "last used N days ago"; pairs absent here were never seen.
 */
export async function lastUsesOf(db: Db, nodeId: string, side: "subject" | "tool", limit = 50): Promise<LastUse[]> {
  const col = side === "subject" ? sql.raw("subject_id") : sql.raw("tool_id");
  const found = await rows<{
    subject_id: string;
    tool_id: string;
    last_used_at: Date | string;
    first_used_at: Date | string;
    calls: number | string;
    last_seen_via: string;
  }>(
    db,
    sql`select subject_id, tool_id, last_used_at, first_used_at, calls, last_seen_via from tool_usage
        where ${col} = ${nodeId} order by last_used_at desc limit ${limit}`,
  );
  return found.map((r) => ({
    subjectId: r.subject_id,
    toolId: r.tool_id,
    lastUsedAt: iso(r.last_used_at)!,
    firstUsedAt: iso(r.first_used_at)!,
    calls: Number(r.calls),
    via: r.last_seen_via,
  }));
}
