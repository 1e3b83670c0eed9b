import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rows } from "@/db/rows";
import { decodeCursor, encodeCursor } from "@/lib/api/cursor";
import type { Actor } from "@/lib/authz/actor";
import type { NodeKind } from "@/lib/graph/model";
import { boundedLimit, hubNode, iso, isPgInstant, type SectionPage, type SectionQuery } from "./common";

/** One review of an access of this node (as its subject, or as what the access reaches) in a campaign. */
export interface CertificationRow {
  itemId: string;
  campaign: { id: string; name: string; status: string };
  /** "subject": the node held the access; "target": the access reached the node. */
  role: "subject" | "target";
  subject: { id: string; kind: NodeKind; name: string };
  edgeKind: string;
  target: { id: string; kind: NodeKind; name: string };
  level: number;
  decision: string | null;
  outcome: string | null;
  justification: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  reviewer: string | null;
  /** When the decision was made, or the item created when none was. */
  at: string;
}

export interface CertificationSummary {
  total: number;
  /** The latest approval (a reviewer's decision or a campaign's outcome), if any. */
  lastCertified: { at: string; by: string | null; campaign: { id: string; name: string } } | null;
  pending: number;
}

interface Row {
  id: string;
  campaign_id: string;
  campaign_name: string;
  campaign_status: string;
  subject_id: string;
  subject_kind: NodeKind;
  subject_name: string;
  edge_kind: string;
  target_id: string;
  target_kind: NodeKind;
  target_name: string;
  level: number;
  decision: string | null;
  outcome: string | null;
  justification: string | null;
  decided_by: string | null;
  decided_at: Date | string | null;
  reviewer: string | null;
  at: Date | string;
  /** `at` as PostgreSQL prints it (microseconds kept), for the cursor. */
  at_key: string;
}

const isCursor = (v: unknown): v is [string, string] => Array.isArray(v) && v.length === 2 && isPgInstant(v[0]) && typeof v[1] === "string";

/**
 * The node's items: as subject (review_items_access_idx) and as target
 * (review_items_target_idx), each an index range, unioned. `at` orders them.
 */
const itemsOf = (nodeId: string) => sql`(
  select i.*, coalesce(i.decided_at, i.created_at) as at from review_items i where i.subject_id = ${nodeId}
  union all
  select i.*, coalesce(i.decided_at, i.created_at) as at from review_items i where i.target_id = ${nodeId} and i.subject_id <> ${nodeId}
)`;

/**
 * Campaign decisions on the node's access, newest first (campaign.read): the
 * accesses it holds and, for what others reach (a tool, a server, a resource),
 * the accesses that reach it. With a summary: how many, the last approval and by whom.
 */
export async function listNodeCertifications(
  db: Db,
  actor: Actor,
  rawId: string,
  q: SectionQuery = {},
): Promise<SectionPage<CertificationRow> & { summary: CertificationSummary }> {
  const node = await hubNode(db, actor, rawId, "certifications");
  const limit = boundedLimit(q.limit);
  const after = q.cursor ? decodeCursor(q.cursor, isCursor) : null;
  const found = await rows<Row>(
    db,
    sql`select i.id, i.campaign_id, c.name as campaign_name, c.status as campaign_status, i.subject_id, i.subject_kind, i.subject_name,
        i.edge_kind, i.target_id, i.target_kind, i.target_name, i.level, i.decision, i.outcome, i.justification,
        d.name as decided_by, i.decided_at, r.name as reviewer, i.at, i.at::text as at_key
      from ${itemsOf(node.id)} i
      join campaigns c on c.id = i.campaign_id
      left join app_users d on d.id = i.decided_by_id
      left join app_users r on r.id = i.reviewer_id
      ${after ? sql`where (i.at, i.id) < (${after[0]}::timestamptz, ${after[1]})` : sql``}
      order by i.at desc, i.id desc
      limit ${limit + 1}`,
  );
  const [s] = await rows<{ total: number; pending: number }>(
    db,
    sql`select count(*)::int as total, count(*) filter (where i.decision is null and i.outcome is null)::int as pending from ${itemsOf(node.id)} i`,
  );
  const [last] = await rows<{ at: Date | string; by: string | null; campaign_id: string; campaign_name: string }>(
    db,
    sql`select coalesce(i.decided_at, c.closed_at, i.at) as at, d.name as by, c.id as campaign_id, c.name as campaign_name
      from ${itemsOf(node.id)} i join campaigns c on c.id = i.campaign_id left join app_users d on d.id = i.decided_by_id
      where coalesce(i.outcome, i.decision) = 'approve'
      order by i.at desc, i.id desc limit 1`,
  );
  const items = found.slice(0, limit).map((r): CertificationRow => ({
    itemId: r.id,
    campaign: { id: r.campaign_id, name: r.campaign_name, status: r.campaign_status },
    role: r.subject_id === node.id ? "subject" : "target",
    subject: { id: r.subject_id, kind: r.subject_kind, name: r.subject_name },
    edgeKind: r.edge_kind,
    target: { id: r.target_id, kind: r.target_kind, name: r.target_name },
    level: r.level,
    decision: r.decision,
    outcome: r.outcome,
    justification: r.justification,
    decidedBy: r.decided_by,
    decidedAt: iso(r.decided_at),
    reviewer: r.reviewer,
    at: iso(r.at)!,
  }));
  const lastRow = found[limit - 1];
  return {
    items,
    nextCursor: found.length > limit && lastRow ? encodeCursor([lastRow.at_key, lastRow.id]) : null,
    summary: {
      total: s?.total ?? 0,
      pending: s?.pending ?? 0,
      lastCertified: last ? { at: iso(last.at)!, by: last.by, campaign: { id: last.campaign_id, name: last.campaign_name } } : null,
    },
  };
}
