import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rows } from "@/db/rows";
import { decodeCursor, encodeCursor } from "@/lib/api/cursor";
import type { Actor } from "@/lib/authz/actor";
import { EDGE_RULES, type EdgeKind } from "@/lib/graph/model";
import type { NeighborView } from "@/lib/graph/nodes";
import { boundedLimit, hubNode, type SectionPage, type SectionQuery } from "./common";

interface Row {
  edge_id: string;
  edge_kind: EdgeKind;
  direction: "out" | "in";
  edge_source: string;
  attributes: Record<string, unknown>;
  id: string;
  kind: NeighborView["node"]["kind"];
  name: string;
  source: string;
  external_id: string;
  status: string | null;
}

const isCursor = (v: unknown): v is [string, string, string, string] => Array.isArray(v) && v.length === 4 && v.every((x) => typeof x === "string");

/**
 * The node's current relationships one edge away, by edge kind, direction and
 * neighbour name (graph.read). Owners are the header's, so incoming owns edges
 * are left out. Each direction is a range of one covering edge index
 * (edges_from_kind_to_idx, edges_to_kind_from_idx), never an OR over both
 * columns (which PostgreSQL answers with a scan of every edge at M).
 */
export async function listNodeRelationships(
  db: Db,
  actor: Actor,
  rawId: string,
  q: SectionQuery = {},
): Promise<SectionPage<NeighborView> & { total: number; owners: number }> {
  const node = await hubNode(db, actor, rawId, "access");
  const limit = boundedLimit(q.limit);
  const after = q.cursor ? decodeCursor(q.cursor, isCursor) : null;
  const mine = sql`(
    select e.id, e.kind, 'out' as direction, e.source_id, e.attributes, e.to_id as other_id from edges e where e.from_id = ${node.id} and e.valid_to is null
    union all
    select e.id, e.kind, 'in', e.source_id, e.attributes, e.from_id from edges e where e.to_id = ${node.id} and e.valid_to is null and e.kind <> 'owns'
  )`;
  const found = await rows<Row>(
    db,
    sql`select x.id as edge_id, x.kind as edge_kind, x.direction, es.name as edge_source, x.attributes,
        o.id, o.kind, o.name, os.name as source, o.external_id, o.status
      from ${mine} x
      join nodes o on o.id = x.other_id
      join sources es on es.id = x.source_id
      join sources os on os.id = o.source_id
      ${after ? sql`where (x.kind, x.direction, o.name, x.id) > (${after[0]}, ${after[1]}, ${after[2]}, ${after[3]})` : sql``}
      order by x.kind, x.direction, o.name, x.id
      limit ${limit + 1}`,
  );
  const [c] = await rows<{ total: number; owners: number }>(
    db,
    sql`select (select count(*) from edges where from_id = ${node.id} and valid_to is null)::int
        + (select count(*) from edges where to_id = ${node.id} and valid_to is null and kind <> 'owns')::int as total,
      (select count(*) from edges where to_id = ${node.id} and kind = 'owns' and valid_to is null)::int as owners`,
  );
  const items = found.slice(0, limit).map((r): NeighborView => ({
    edge: {
      id: r.edge_id,
      kind: r.edge_kind,
      direction: r.direction,
      label: EDGE_RULES[r.edge_kind].label,
      source: r.edge_source,
      attributes: r.attributes,
      access: EDGE_RULES[r.edge_kind].access,
    },
    node: { id: r.id, kind: r.kind, name: r.name, source: r.source, externalId: r.external_id, status: r.status },
  }));
  const last = found[limit - 1];
  return {
    items,
    total: c?.total ?? 0,
    owners: c?.owners ?? 0,
    nextCursor: found.length > limit && last ? encodeCursor([last.edge_kind, last.direction, last.name, last.edge_id]) : null,
  };
}
