import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";

/**
 * Review items inserted straight by SQL (no launch), for the streaming-export
 * test and the evidence benchmark: `n` first-level items of `campaignId`, with
 * a realistic row (path, owners, risk), a tenth approved and a tenth revoked
 * (with their decision rows), one in a hundred delegated (a delegation row). No
 * audit events (they would have to be hash-chained): the audit extract stays
 * the campaign's own events.
 */
export async function insertSyntheticItems(db: Db, campaignId: string, n: number, o: { reviewerId: string; delegateId: string; tag?: string }): Promise<void> {
  const tag = o.tag ?? "s";
  const step = 100_000;
  for (let from = 1; from <= n; from += step) {
    const to = Math.min(n, from + step - 1);
    await db.execute(sql`
      insert into review_items (id, campaign_id, level, subject_id, subject_kind, subject_name, subject_source, subject_external_id, subject_status,
        edge_id, edge_kind, edge_source, target_id, target_kind, target_name, target_source, target_external_id, access_first_seen_at,
        tool_risk, risk_reason, high_risk, context, recommendation, recommendation_reason, reviewer_id, reviewer_reason, assigned_reviewer_id,
        decision, justification, decided_by_id, decided_at, version)
      select 'itm_' || ${tag} || '_' || lpad(g::text, 8, '0'), ${campaignId}, 1,
        'hum_' || ${tag} || '_' || (g % 50000), 'human', 'Person ' || lpad((g % 50000)::text, 6, '0'), 'okta', 'u' || (g % 50000), 'active',
        'edg_' || ${tag} || '_' || g, 'member_of', 'okta',
        'grp_' || ${tag} || '_' || (g / 50000) || '_' || (g % 997), 'group', 'Group ' || (g / 50000) || '-' || (g % 997), 'okta', 'g' || (g % 997),
        timestamptz '2026-01-01T00:00:00Z' + (g % 365) * interval '1 day',
        case when g % 5 = 0 then 'high' end, case when g % 5 = 0 then 'reaches a high-risk tool' end, g % 5 = 0,
        jsonb_build_object(
          'path', jsonb_build_object(
            'nodes', jsonb_build_array(
              jsonb_build_object('id', 'hum_' || ${tag} || '_' || (g % 50000), 'kind', 'human', 'name', 'Person ' || lpad((g % 50000)::text, 6, '0')),
              jsonb_build_object('id', 'grp_' || ${tag} || '_' || (g % 997), 'kind', 'group', 'name', 'Group ' || (g / 50000) || '-' || (g % 997))),
            'edges', jsonb_build_array('member_of')),
          'reach', jsonb_build_object('tools', g % 7, 'resources', g % 3, 'mcpServers', 0, 'credentials', 0),
          'targetOwners', '[]'::jsonb, 'subjectOwners', '[]'::jsonb, 'subjectActsFor', '[]'::jsonb, 'credentials', '[]'::jsonb, 'flags', '[]'::jsonb),
        'review', 'no usage data', ${o.reviewerId}, 'named reviewer', ${o.reviewerId},
        case g % 10 when 0 then 'approve' when 1 then 'revoke' end,
        case g % 10 when 0 then 'still in the team' when 1 then 'left the team, "moved" to sales' end,
        case when g % 10 < 2 then ${o.reviewerId} end,
        case when g % 10 < 2 then timestamptz '2026-02-01T00:00:00Z' + g * interval '1 second' end,
        case when g % 10 < 2 or g % 100 = 2 then 2 else 1 end
      from generate_series(${from}::int, ${to}::int) g`);
    await db.execute(sql`
      insert into review_decisions (id, item_id, campaign_id, version, kind, decision, justification, from_reviewer_id, to_reviewer_id, actor_id, actor_label, at)
      select 'dec_' || ${tag} || '_' || g, 'itm_' || ${tag} || '_' || lpad(g::text, 8, '0'), ${campaignId}, 2,
        case when g % 10 < 2 then 'decision' else 'delegation' end,
        case g % 10 when 0 then 'approve' when 1 then 'revoke' end,
        case when g % 10 < 2 then 'as decided' else 'on leave' end,
        case when g % 10 = 2 then ${o.reviewerId} end, case when g % 10 = 2 then ${o.delegateId} end,
        ${o.reviewerId}, 'reviewer', timestamptz '2026-02-01T00:00:00Z' + g * interval '1 second'
      from generate_series(${from}::int, ${to}::int) g where g % 10 < 2 or g % 100 = 2`);
  }
}
