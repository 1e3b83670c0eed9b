import { and, asc, count, eq, gt, isNull, lte, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "@/db/client";
import { likePattern } from "@/db/like";
import { edges, nodes, sources } from "@/db/schema";
import { decodeCursor, encodeCursor } from "@/lib/api/cursor";
import { EDGE_RULES, type EdgeKind, type NodeKind } from "./model";

export interface NodeView {
  id: string;
  kind: NodeKind;
  source: string;
  externalId: string;
  name: string;
  status: string | null;
  attributes: Record<string, unknown>;
  firstSeenAt: string;
  lastSeenAt: string;
  validFrom: string;
  validTo: string | null;
}

export interface Page<T> {
  items: T[];
  total: number;
  nextCursor: string | null;
}

const nodeColumns = {
  id: nodes.id,
  kind: nodes.kind,
  source: sources.name,
  externalId: nodes.externalId,
  name: nodes.name,
  status: nodes.status,
  attributes: nodes.attributes,
  firstSeenAt: nodes.firstSeenAt,
  lastSeenAt: nodes.lastSeenAt,
  validFrom: nodes.validFrom,
  validTo: nodes.validTo,
};

type NodeRow = Omit<NodeView, "firstSeenAt" | "lastSeenAt" | "validFrom" | "validTo"> & {
  firstSeenAt: Date;
  lastSeenAt: Date;
  validFrom: Date;
  validTo: Date | null;
};

function toView(r: NodeRow): NodeView {
  return {
    ...r,
    firstSeenAt: r.firstSeenAt.toISOString(),
    lastSeenAt: r.lastSeenAt.toISOString(),
    validFrom: r.validFrom.toISOString(),
    validTo: r.validTo ? r.validTo.toISOString() : null,
  };
}

/** Rows valid at `asOf`, or current rows when no instant is given. */
export function validAt(table: typeof nodes | typeof edges, asOf?: Date): SQL {
  if (!asOf) return isNull(table.validTo);
  return and(lte(table.validFrom, asOf), or(isNull(table.validTo), gt(table.validTo, asOf)))!;
}

export interface ListNodesQuery {
  kind?: NodeKind;
  q?: string;
  source?: string;
  status?: string;
  asOf?: Date;
  limit: number;
  cursor?: string;
}

const isNameIdCursor = (v: unknown): v is [string, string] => Array.isArray(v) && v.length === 2 && typeof v[0] === "string" && typeof v[1] === "string";

/** Nodes by kind, source, status and a search over name, external id and email; keyset-paginated by (name, id). */
export async function listNodes(db: Db, query: ListNodesQuery): Promise<Page<NodeView>> {
  const filters: SQL[] = [validAt(nodes, query.asOf)];
  if (query.kind) filters.push(eq(nodes.kind, query.kind));
  if (query.source) filters.push(eq(sources.name, query.source));
  if (query.status) filters.push(eq(nodes.status, query.status));
  if (query.q) {
    const p = likePattern(query.q);
    filters.push(or(sql`lower(${nodes.name}) like ${p}`, sql`lower(${nodes.externalId}) like ${p}`, sql`lower(${nodes.attributes}->>'email') like ${p}`)!);
  }
  const where = and(...filters);
  const [{ total } = { total: 0 }] = await db.select({ total: count() }).from(nodes).innerJoin(sources, eq(sources.id, nodes.sourceId)).where(where);

  const pageFilters = [...filters];
  if (query.cursor) {
    const [name, id] = decodeCursor(query.cursor, isNameIdCursor);
    pageFilters.push(or(gt(nodes.name, name), and(eq(nodes.name, name), gt(nodes.id, id)))!);
  }
  const rows = await db
    .select(nodeColumns)
    .from(nodes)
    .innerJoin(sources, eq(sources.id, nodes.sourceId))
    .where(and(...pageFilters))
    .orderBy(asc(nodes.name), asc(nodes.id))
    .limit(query.limit + 1);
  const more = rows.length > query.limit;
  const items = rows.slice(0, query.limit).map(toView);
  const last = items[items.length - 1];
  return { items, total, nextCursor: more && last ? encodeCursor([last.name, last.id]) : null };
}

export async function getNode(db: Db, id: string): Promise<NodeView | null> {
  const [row] = await db.select(nodeColumns).from(nodes).innerJoin(sources, eq(sources.id, nodes.sourceId)).where(eq(nodes.id, id)).limit(1);
  return row ? toView(row) : null;
}

export interface NeighborView {
  edge: { id: string; kind: EdgeKind; direction: "out" | "in"; label: string; source: string; attributes: Record<string, unknown>; access: boolean };
  node: Pick<NodeView, "id" | "kind" | "name" | "source" | "externalId" | "status">;
}

export interface NeighborsQuery {
  direction: "out" | "in" | "both";
  edgeKind?: EdgeKind;
  asOf?: Date;
  limit: number;
  cursor?: string;
}

const isOffsetCursor = (v: unknown): v is { o: number } =>
  typeof v === "object" && v !== null && Number.isInteger((v as { o: unknown }).o) && (v as { o: number }).o >= 0;

/** The nodes one edge away, with the edge, ordered by edge kind then neighbour name. */
export async function listNeighbors(db: Db, nodeId: string, query: NeighborsQuery): Promise<Page<NeighborView>> {
  const other = alias(nodes, "other");
  const edgeSource = alias(sources, "edge_source");
  const otherSource = alias(sources, "other_source");
  const dirFilter =
    query.direction === "out"
      ? eq(edges.fromId, nodeId)
      : query.direction === "in"
        ? eq(edges.toId, nodeId)
        : or(eq(edges.fromId, nodeId), eq(edges.toId, nodeId))!;
  const filters: SQL[] = [dirFilter, validAt(edges, query.asOf)];
  if (query.edgeKind) filters.push(eq(edges.kind, query.edgeKind));
  const where = and(...filters);
  const otherId = sql`case when ${edges.fromId} = ${nodeId} then ${edges.toId} else ${edges.fromId} end`;

  const [{ total } = { total: 0 }] = await db.select({ total: count() }).from(edges).where(where);
  const offset = query.cursor ? decodeCursor(query.cursor, isOffsetCursor).o : 0;
  const rows = await db
    .select({
      edgeId: edges.id,
      edgeKind: edges.kind,
      fromId: edges.fromId,
      edgeSource: edgeSource.name,
      edgeAttributes: edges.attributes,
      id: other.id,
      kind: other.kind,
      name: other.name,
      source: otherSource.name,
      externalId: other.externalId,
      status: other.status,
    })
    .from(edges)
    .innerJoin(other, eq(other.id, otherId))
    .innerJoin(edgeSource, eq(edgeSource.id, edges.sourceId))
    .innerJoin(otherSource, eq(otherSource.id, other.sourceId))
    .where(where)
    .orderBy(asc(edges.kind), asc(sql`case when ${edges.fromId} = ${nodeId} then 0 else 1 end`), asc(other.name), asc(edges.id))
    .limit(query.limit + 1)
    .offset(offset);
  const more = rows.length > query.limit;
  const items: NeighborView[] = rows.slice(0, query.limit).map((r) => ({
    edge: {
      id: r.edgeId,
      kind: r.edgeKind,
      direction: r.fromId === nodeId ? "out" : "in",
      label: EDGE_RULES[r.edgeKind].label,
      source: r.edgeSource,
      attributes: r.edgeAttributes,
      access: EDGE_RULES[r.edgeKind].access,
    },
    node: { id: r.id, kind: r.kind, name: r.name, source: r.source, externalId: r.externalId, status: r.status },
  }));
  return { items, total, nextCursor: more ? encodeCursor({ o: offset + query.limit }) : null };
}

export interface GraphCounts {
  byKind: Record<string, number>;
  bySource: { source: string; kind: string; count: number }[];
  edgesByKind: Record<string, number>;
  total: number;
}

/** Current node counts by kind and by (source, kind), and edge counts by kind, for the dashboard. */
export async function graphCounts(db: Db): Promise<GraphCounts> {
  const rows = await db
    .select({ source: sources.name, kind: nodes.kind, count: count() })
    .from(nodes)
    .innerJoin(sources, eq(sources.id, nodes.sourceId))
    .where(isNull(nodes.validTo))
    .groupBy(sources.name, nodes.kind)
    .orderBy(sources.name, nodes.kind);
  const byKind: Record<string, number> = {};
  let total = 0;
  for (const r of rows) {
    byKind[r.kind] = (byKind[r.kind] ?? 0) + r.count;
    total += r.count;
  }
  const e = await db.select({ kind: edges.kind, count: count() }).from(edges).where(isNull(edges.validTo)).groupBy(edges.kind);
  const edgesByKind: Record<string, number> = {};
  for (const r of e) edgesByKind[r.kind] = r.count;
  return { byKind, bySource: rows, edgesByKind, total };
}

export interface NeighborhoodItem extends NeighborView {
  /** Edges from the start node to `node` (1: a direct neighbour). */
  depth: number;
  /** The node this edge hangs from: the start node at depth 1, a nearer neighbour beyond; `edge.direction` is relative to it. */
  via: string;
}

export interface NeighborhoodQuery {
  depth: number;
  direction: "out" | "in" | "both";
  edgeKind?: EdgeKind;
  asOf?: Date;
  limit: number;
}

/** The deepest neighbourhood the API draws: each level multiplies the rows a hub brings in. */
export const MAX_NEIGHBORHOOD_DEPTH = 3;

/**
 * The relationships up to `depth` edges from a node, nearest first: breadth-first, one query per level over the
 * frontier, at most `limit` edges in all. Each frontier node contributes at most its share of the level's budget
 * (at least 5) per direction, read through the (from_id, kind, to_id) / (to_id, kind, from_id) indexes with a LIMIT,
 * so a frontier of large groups costs a few thousand index rows, not every membership (a 300-group frontier at M
 * has 87,000 incident edges). Within a level the order is edge kind, then the other node's name. `truncated` says
 * the neighbourhood holds more than was returned.
 */
export async function listNeighborhood(db: Db, nodeId: string, query: NeighborhoodQuery): Promise<{ items: NeighborhoodItem[]; truncated: boolean }> {
  const depthOf = new Map<string, number>([[nodeId, 0]]);
  const seenEdges = new Set<string>();
  const items: NeighborhoodItem[] = [];
  let frontier = [nodeId];
  let truncated = false;
  for (let depth = 1; depth <= query.depth && frontier.length > 0 && items.length < query.limit; depth++) {
    const budget = query.limit - items.length;
    const share = Math.max(5, Math.ceil(budget / frontier.length));
    const rows = await levelRows(db, frontier, share + 1, query);
    // A frontier node with more than its share: the neighbourhood is larger than what is listed.
    const perVia = new Map<string, number>();
    const kept: LevelRow[] = [];
    for (const r of rows) {
      const key = `${r.via}|${r.from_id === r.via ? "out" : "in"}`;
      const n = (perVia.get(key) ?? 0) + 1;
      perVia.set(key, n);
      if (n > share) truncated = true;
      else kept.push(r);
    }
    kept.sort((a, b) =>
      a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : a.edge_id < b.edge_id ? -1 : a.edge_id > b.edge_id ? 1 : 0,
    );
    const next: string[] = [];
    let added = 0;
    for (const r of kept) {
      if (seenEdges.has(r.edge_id)) continue;
      if (added === budget) {
        truncated = true;
        break;
      }
      seenEdges.add(r.edge_id);
      added++;
      if (!depthOf.has(r.id)) {
        depthOf.set(r.id, depth);
        next.push(r.id);
      }
      const kind = r.kind as EdgeKind;
      items.push({
        depth: depthOf.get(r.id) ?? depth,
        via: r.via,
        edge: {
          id: r.edge_id,
          kind,
          direction: r.from_id === r.via ? "out" : "in",
          label: EDGE_RULES[kind].label,
          source: r.edge_source,
          attributes: r.attributes ?? {},
          access: EDGE_RULES[kind].access,
        },
        node: { id: r.id, kind: r.node_kind as NodeKind, name: r.name, source: r.node_source, externalId: r.external_id, status: r.status },
      });
    }
    frontier = next;
  }
  return { items, truncated };
}

interface LevelRow {
  edge_id: string;
  kind: string;
  from_id: string;
  via: string;
  edge_source: string;
  attributes: Record<string, unknown> | null;
  id: string;
  node_kind: string;
  name: string;
  node_source: string;
  external_id: string;
  status: string | null;
}

/** Up to `perNode` edges per frontier node and direction, with the node at the other end. */
async function levelRows(db: Db, frontier: string[], perNode: number, query: NeighborhoodQuery): Promise<LevelRow[]> {
  const ids = sql`unnest(array[${sql.join(
    frontier.map((id) => sql`${id}`),
    sql`, `,
  )}]::text[])`;
  const filters = sql`${validAt(edges, query.asOf)}${query.edgeKind ? sql` and ${edges.kind} = ${query.edgeKind}` : sql``}`;
  const out = sql`select edges.id as edge_id, edges.kind, edges.from_id, edges.source_id, edges.attributes, f.id as via, edges.to_id as other
    from ${ids} f(id) cross join lateral (select * from edges where edges.from_id = f.id and ${filters} order by edges.kind, edges.to_id limit ${perNode}) edges`;
  const inn = sql`select edges.id as edge_id, edges.kind, edges.from_id, edges.source_id, edges.attributes, f.id as via, edges.from_id as other
    from ${ids} f(id) cross join lateral (select * from edges where edges.to_id = f.id and ${filters} order by edges.kind, edges.from_id limit ${perNode}) edges`;
  const halves = query.direction === "out" ? out : query.direction === "in" ? inn : sql`${out} union all ${inn}`;
  const result = (await db.execute(sql`select x.edge_id, x.kind, x.from_id, x.via, es.name as edge_source, x.attributes,
      o.id, o.kind as node_kind, o.name, os.name as node_source, o.external_id, o.status
    from (${halves}) x
    join nodes o on o.id = x.other
    join sources es on es.id = x.source_id
    join sources os on os.id = o.source_id`)) as unknown as { rows: LevelRow[] };
  return result.rows;
}
