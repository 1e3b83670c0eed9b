import { sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { likePattern } from "@/db/like";
import { naturalKey, nodeNameKey } from "@/db/natural-sort";
import { rows } from "@/db/rows";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { parseInput } from "@/lib/errors";
import { NODE_KINDS, type NodeKind } from "@/lib/graph/model";
import { effectiveOwnersOf } from "@/lib/ownership/owner-state";
import { ownerSummary, type OwnerSummary } from "./owner-summary";
import { offsetOf, orderSql, pageCursors, pageSize, severityRankSql, SEVERITY_BY_RANK, sortDir, type SortDirection, type TablePage } from "./table-query";

export const NODE_TABLE_SORTS = ["name", "kind", "owner", "risk", "findings", "lastSeen"] as const;
export type NodeTableSort = (typeof NODE_TABLE_SORTS)[number];
export const NODE_TABLE_DEFAULT_DIR: Record<NodeTableSort, SortDirection> = {
  name: "asc",
  kind: "asc",
  owner: "asc",
  risk: "desc",
  findings: "desc",
  lastSeen: "desc",
};
export const NODE_STATUSES = ["active", "inactive", "leave", "terminated"] as const;

export const nodeTableQuerySchema = z
  .object({
    kind: z.enum(NODE_KINDS, { error: `must be one of ${NODE_KINDS.join(", ")}` }).optional(),
    q: z.string().trim().max(200, "at most 200 characters").optional(),
    source: z.string().trim().max(200, "at most 200 characters").optional(),
    status: z.enum(NODE_STATUSES, { error: `must be one of ${NODE_STATUSES.join(", ")}` }).optional(),
    sort: z.enum(NODE_TABLE_SORTS, { error: `must be one of ${NODE_TABLE_SORTS.join(", ")}` }).default("name"),
    dir: sortDir.optional(),
    limit: pageSize(200, 50),
    cursor: z.string().max(200).optional(),
  })
  .strict();
export type NodeTableQuery = z.input<typeof nodeTableQuerySchema>;

export interface NodeTableRow {
  id: string;
  kind: NodeKind;
  name: string;
  email: string | null;
  status: string | null;
  source: string;
  externalId: string;
  owner: OwnerSummary;
  /** The most severe open finding about it; null without open findings. */
  risk: "critical" | "high" | "medium" | "low" | null;
  findings: number;
  lastSeenAt: string;
}

/**
 * Current nodes, filtered, sorted on the server and paged (the /nodes page).
 * Sorting by name (natural order) or kind reads an index and stops after the
 * page; sorting by findings, risk, owner or last seen sorts the filtered nodes
 * once (about 100k at M) against per-node aggregates of findings or owns edges.
 * Owners, findings and risk are then read for the page's rows only.
 */
export async function listNodeTable(db: Db, actor: Actor, raw: NodeTableQuery = {}): Promise<TablePage<NodeTableRow>> {
  requirePermission(actor, "graph.read");
  const q = parseInput(nodeTableQuerySchema, raw, "query");
  const dir = q.dir ?? NODE_TABLE_DEFAULT_DIR[q.sort];
  const offset = offsetOf(q.cursor);

  const filters: SQL[] = [sql`n.valid_to is null`];
  if (q.kind) filters.push(sql`n.kind = ${q.kind}`);
  if (q.status) filters.push(sql`n.status = ${q.status}`);
  if (q.source) filters.push(sql`n.source_id = (select id from sources where name = ${q.source})`);
  if (q.q) {
    const p = likePattern(q.q);
    filters.push(sql`(lower(n.name) like ${p} or lower(n.external_id) like ${p} or lower(n.attributes->>'email') like ${p})`);
  }
  const where = sql.join(filters, sql` and `);
  const name = nodeNameKey("n");

  // Only the aggregate the sort needs is joined; the default (name) reads the natural-name index.
  let join = sql``;
  let key: SQL;
  switch (q.sort) {
    case "name":
      key = name;
      break;
    case "kind":
      key = sql`n.kind`;
      break;
    case "lastSeen":
      key = sql`n.last_seen_at`;
      break;
    case "findings":
    case "risk":
      join = sql`left join (select subject_id, count(*)::int as open, max(${severityRankSql(sql`severity`)}) as worst from findings where status = 'open' group by subject_id) f on f.subject_id = n.id`;
      key = q.sort === "findings" ? sql`coalesce(f.open, 0)` : sql`coalesce(f.worst, 0)`;
      break;
    case "owner":
      // The first owner's name (natural order); a tool without owners of its own sorts by its server's, as it is shown.
      // Aggregated once over the owns edges (hashed), not probed per node: 100k lateral probes took seconds at M.
      join = sql`left join (
          select e.to_id, min(${nodeNameKey("o")}) as k from edges e join nodes o on o.id = e.from_id
          where e.kind = 'owns' and e.valid_to is null group by e.to_id
        ) ow on ow.to_id = n.id
        left join (
          select x.to_id, min(${nodeNameKey("o")}) as k from edges x
          join edges e on e.to_id = x.from_id and e.kind = 'owns' and e.valid_to is null join nodes o on o.id = e.from_id
          where x.kind = 'exposes' and x.valid_to is null group by x.to_id
        ) inh on inh.to_id = n.id and n.kind = 'tool'`;
      key = sql`coalesce(ow.k, inh.k)`;
      break;
  }
  const tie = q.sort === "name" ? sql`n.id ${dir === "asc" ? sql`asc` : sql`desc`}` : sql`${name} asc, n.id asc`;
  const order = q.sort === "name" ? sql`${name} ${dir === "asc" ? sql`asc` : sql`desc`}` : orderSql(key, dir);

  const [page, [counted]] = await Promise.all([
    rows<{
      id: string;
      kind: NodeKind;
      name: string;
      email: string | null;
      status: string | null;
      source: string;
      external_id: string;
      last_seen_at: string | Date;
    }>(
      db,
      sql`select n.id, n.kind, n.name, n.attributes->>'email' as email, n.status, s.name as source, n.external_id, n.last_seen_at
        from nodes n join sources s on s.id = n.source_id ${join}
        where ${where}
        order by ${order}, ${tie}
        limit ${q.limit + 1} offset ${offset}`,
    ),
    rows<{ total: number }>(db, sql`select count(*)::int as total from nodes n where ${where}`),
  ]);
  const more = page.length > q.limit;
  const items = page.slice(0, q.limit);
  const ids = items.map((r) => r.id);
  const [owners, found] = await Promise.all([
    effectiveOwnersOf(db, ids),
    ids.length
      ? rows<{ subject_id: string; open: number; worst: number }>(
          db,
          sql`select subject_id, count(*)::int as open, max(${severityRankSql(sql`severity`)})::int as worst
            from findings where status = 'open' and subject_id = any(${sql.param(ids)}::text[]) group by subject_id`,
        )
      : Promise.resolve([]),
  ]);
  const findingsOf = new Map(found.map((f) => [f.subject_id, f]));
  return {
    items: items.map((r) => ({
      id: r.id,
      kind: r.kind,
      name: r.name,
      email: r.email,
      status: r.status,
      source: r.source,
      externalId: r.external_id,
      owner: ownerSummary(owners.get(r.id) ?? []),
      risk: SEVERITY_BY_RANK[findingsOf.get(r.id)?.worst ?? 0] ?? null,
      findings: findingsOf.get(r.id)?.open ?? 0,
      lastSeenAt: new Date(r.last_seen_at).toISOString(),
    })),
    total: counted?.total ?? 0,
    offset,
    ...pageCursors(offset, q.limit, more),
    sort: q.sort,
    dir,
  };
}

/** Source names, for the source filter. */
export async function listSourceNames(db: Db, actor: Actor): Promise<string[]> {
  requirePermission(actor, "graph.read");
  const found = await rows<{ name: string }>(db, sql`select name from sources order by ${naturalKey(sql`name`)} limit 500`);
  return found.map((r) => r.name);
}
