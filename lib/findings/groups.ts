import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { findingGroups, findings } from "@/db/schema";

/**
 * Recomputes the finding_groups rows of these causes ("all": every row) from
 * the open findings, in the caller's transaction: whatever opens, closes,
 * accepts or re-scores findings calls it with the causes it touched (old and
 * new), so a group's count always equals its open members. Set-based: one
 * delete and one insert … select.
 *
 * A group's score is its members' scores with diminishing returns (s₁ + s₂/2 +
 * s₃/3 …, priority.ts groupScore; a member the cause does not resolve alone
 * counts half, memberWeight); its rule is the members' most common rule
 * (ties: the higher-scoring); `resolves` counts members the cause alone explains.
 */
export async function refreshGroups(tx: Db, causeIds: readonly string[] | "all", now: Date): Promise<void> {
  if (causeIds !== "all" && causeIds.length === 0) return;
  const only = causeIds === "all" ? sql`true` : sql`cause_id = any(${sql.param([...new Set(causeIds)])}::text[])`;
  await tx.execute(sql`delete from ${findingGroups} where ${only}`);
  await tx.execute(sql`
    with m as (
      select id, rule, severity, cause_id, cause_kind, cause_name, cause_resolves, score,
        case when cause_resolves then score else score / 2 end as weighted,
        row_number() over (partition by cause_id order by case when cause_resolves then score else score / 2 end desc, id) as rn
      from ${findings}
      where status = 'open' and cause_id is not null and ${only}
    ),
    by_rule as (
      select cause_id, rule, count(*) as n, max(score) as top from m group by cause_id, rule
    ),
    main_rule as (
      select distinct on (cause_id) cause_id, rule from by_rule order by cause_id, n desc, top desc, rule
    ),
    agg as (
      select cause_id,
        max(cause_kind) as cause_kind, max(cause_name) as cause_name,
        count(*)::int as count,
        count(*) filter (where cause_resolves)::int as resolves,
        round(sum(weighted / rn)::numeric, 2)::float8 as score,
        round(sum(score)::numeric, 2)::float8 as impact,
        max(score) as top,
        (array_agg(id order by score desc, id))[1] as top_finding_id
      from m group by cause_id
    ),
    sev as (
      select cause_id, jsonb_object_agg(severity, n) as by_severity
      from (select cause_id, severity, count(*)::int as n from m group by cause_id, severity) s group by cause_id
    ),
    rul as (
      select cause_id, jsonb_object_agg(rule, n) as by_rule from by_rule group by cause_id
    )
    insert into ${findingGroups} (cause_id, cause_kind, cause_name, rule, count, resolves, score, score_parts, top_finding_id, updated_at)
    select a.cause_id, a.cause_kind, a.cause_name, mr.rule, a.count, a.resolves, a.score,
      jsonb_build_object('top', a.top, 'impact', a.impact, 'count', a.count, 'resolves', a.resolves, 'bySeverity', s.by_severity, 'byRule', r.by_rule),
      a.top_finding_id, ${now.toISOString()}::timestamptz
    from agg a join main_rule mr using (cause_id) join sev s using (cause_id) join rul r using (cause_id)`);
}
