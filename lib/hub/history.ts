import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rows } from "@/db/rows";
import { decodeCursor, encodeCursor } from "@/lib/api/cursor";
import type { Actor } from "@/lib/authz/actor";
import { EDGE_RULES, type EdgeKind, type NodeKind } from "@/lib/graph/model";
import { boundedLimit, hubNode, iso, isPgInstant, type SectionPage, type SectionQuery } from "./common";

/**
 * One dated change: a relationship that began or ended (an edge's validity
 * period), or the node itself appearing or ending. Nodes keep one row with its
 * validity period (no attribute versions), so attribute changes are in the
 * audit section where a source recorded them (SCIM).
 */
export interface HistoryEvent {
  at: string;
  change: "began" | "ended";
  /** null: the node itself. */
  edge: { id: string; kind: EdgeKind; label: string; direction: "out" | "in"; source: string; attributes: Record<string, unknown> } | null;
  other: { id: string; kind: NodeKind; name: string } | null;
}

interface Row {
  at: Date | string;
  at_key: string;
  change: "began" | "ended";
  edge_id: string | null;
  edge_kind: EdgeKind | null;
  direction: "out" | "in" | null;
  source: string | null;
  attributes: Record<string, unknown> | null;
  other_id: string | null;
  other_kind: NodeKind | null;
  other_name: string | null;
}

const isCursor = (v: unknown): v is [string, string, string] =>
  Array.isArray(v) && v.length === 3 && isPgInstant(v[0]) && typeof v[1] === "string" && (v[2] === "began" || v[2] === "ended");

/**
 * The node's timeline, newest first (graph.read): when each relationship it
 * has or had began and ended, and when the node began and ended. Keyset pages
 * on (at, edge id, change); reads the node's edges through the two covering
 * edge indexes (both ends), current and ended.
 */
export async function listNodeHistory(db: Db, actor: Actor, rawId: string, q: SectionQuery = {}): Promise<SectionPage<HistoryEvent>> {
  const node = await hubNode(db, actor, rawId, "history");
  const limit = boundedLimit(q.limit);
  const after = q.cursor ? decodeCursor(q.cursor, isCursor) : null;
  const found = await rows<Row>(
    db,
    sql`with mine as (
        select e.id, e.kind, e.source_id, e.valid_from, e.valid_to, e.to_id as other_id, 'out' as direction from edges e where e.from_id = ${node.id}
        union all
        select e.id, e.kind, e.source_id, e.valid_from, e.valid_to, e.from_id, 'in' from edges e where e.to_id = ${node.id}
      ),
      events as (
        select valid_from as at, 'began' as change, id as edge_id, kind, source_id, other_id, direction from mine
        union all
        select valid_to, 'ended', id, kind, source_id, other_id, direction from mine where valid_to is not null
        union all
        select n.valid_from, 'began', '', null, n.source_id, null, null from nodes n where n.id = ${node.id}
        union all
        select n.valid_to, 'ended', '', null, n.source_id, null, null from nodes n where n.id = ${node.id} and n.valid_to is not null
      ),
      -- Only the page's rows are joined to names.
      page as (
        select * from events x
        ${after ? sql`where (x.at, x.edge_id, x.change) < (${after[0]}::timestamptz, ${after[1]}, ${after[2]})` : sql``}
        order by x.at desc, x.edge_id desc, x.change desc
        limit ${limit + 1}
      )
      select x.at, x.at::text as at_key, x.change, nullif(x.edge_id, '') as edge_id, x.kind as edge_kind, x.direction, s.name as source, e.attributes,
        o.id as other_id, o.kind as other_kind, o.name as other_name
      from page x
      join sources s on s.id = x.source_id
      left join edges e on e.id = x.edge_id
      left join nodes o on o.id = x.other_id
      order by x.at desc, x.edge_id desc, x.change desc`,
  );
  const items = found.slice(0, limit).map((r): HistoryEvent => ({
    at: iso(r.at)!,
    change: r.change,
    edge:
      r.edge_id && r.edge_kind && r.direction
        ? {
            id: r.edge_id,
            kind: r.edge_kind,
            label: EDGE_RULES[r.edge_kind].label,
            direction: r.direction,
            source: r.source ?? "",
            attributes: r.attributes ?? {},
          }
        : null,
    other: r.other_id && r.other_kind ? { id: r.other_id, kind: r.other_kind, name: r.other_name ?? r.other_id } : null,
  }));
  const last = found[limit - 1];
  return { items, nextCursor: found.length > limit && last ? encodeCursor([last.at_key, last.edge_id ?? "", last.change]) : null };
}
