import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { decodeCursor, encodeCursor } from "@/lib/api/cursor";
import type { Actor } from "@/lib/authz/actor";
import type { NodeKind, OwnerRole } from "@/lib/graph/model";
import { rows } from "@/db/rows";
import { edgeRoles, effectiveOwnersOf, type EffectiveOwner } from "./owner-state";

export interface OwnedItem {
  id: string;
  kind: NodeKind;
  name: string;
  /** The first role held (kept for callers that show one); `roles` has them all. */
  role: string | null;
  roles: OwnerRole[];
  /** The group through which the person owns it; null when they own it themselves. */
  via: { id: string; name: string } | null;
}

interface Row {
  id: string;
  kind: NodeKind;
  name: string;
  attrs: Record<string, unknown>;
  via_id: string | null;
  via_name: string | null;
}

/**
 * Everything the person behind `actor` owns, current nodes only: directly, or
 * through a group they belong to (nested groups included). One row per node
 * and owning edge, sorted by kind and name. Tools they own only through an MCP
 * server are not repeated: the server stands for them.
 */
async function ownedRows(db: Db, humanNodeId: string): Promise<Row[]> {
  return rows<Row>(
    db,
    sql`with recursive my_groups(id) as (
        select to_id from edges where from_id = ${humanNodeId} and kind = 'member_of' and valid_to is null
        union
        select e.to_id from edges e join my_groups g on e.from_id = g.id where e.kind = 'member_of' and e.valid_to is null
      ),
      -- The person and their groups, joined to their owns edges through the (from_id, kind) index: a handful of rows,
      -- where "from_id = me or from_id in (my groups)" made the planner scan every edge.
      me_and_groups(id) as (select ${humanNodeId}::text union select id from my_groups)
      select n.id, n.kind, n.name, o.attributes as attrs,
        case when o.from_id = ${humanNodeId} then null else o.from_id end as via_id,
        case when o.from_id = ${humanNodeId} then null else (select g.name from nodes g where g.id = o.from_id) end as via_name
      from me_and_groups w
      join edges o on o.from_id = w.id
      join nodes n on n.id = o.to_id
      where o.kind = 'owns' and o.valid_to is null and n.valid_to is null
      order by n.kind, n.name, n.id, via_id nulls first`,
  );
}

const toItem = (r: Row): OwnedItem => {
  const roles = edgeRoles(r.attrs);
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    role: roles[0] ?? (typeof r.attrs.role === "string" ? r.attrs.role : null),
    roles,
    via: r.via_id ? { id: r.via_id, name: r.via_name ?? r.via_id } : null,
  };
};

/** One row per node: owned directly first, else through the first group. */
function uniqueByNode(list: Row[]): Row[] {
  const seen = new Set<string>();
  return list.filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)));
}

/** What the signed-in person owns, directly or through their groups, one row per node. Everyone may see their own. */
export async function listOwnedByActor(db: Db, actor: Actor): Promise<OwnedItem[]> {
  if (!actor.humanNodeId) return [];
  return uniqueByNode(await ownedRows(db, actor.humanNodeId)).map(toItem);
}

export const mineQuerySchema = z
  .object({
    limit: z
      .string()
      .regex(/^\d+$/, "must be a whole number from 1 to 200")
      .transform(Number)
      .pipe(z.number().int().min(1, "must be from 1 to 200").max(200, "must be from 1 to 200"))
      .default(50),
    cursor: z.string().max(200).optional(),
  })
  .strict();

export interface MyOwnedItem extends OwnedItem {
  /** Everyone who owns it, the signed-in person included, active first. */
  owners: EffectiveOwner[];
  /** What an owner should fix: a missing business or technical owner, being its only active owner. */
  gaps: string[];
}

const isCursor = (v: unknown): v is { o: number } =>
  typeof v === "object" && v !== null && Number.isInteger((v as { o: unknown }).o) && (v as { o: number }).o >= 0;

/**
 * "What I own" with its co-owners and gaps (GET /api/v1/ownership/mine and the
 * reviewer's ownership page). Every signed-in person may read their own;
 * nothing here reveals nodes they do not own.
 */
export async function listMyOwnership(
  db: Db,
  actor: Actor,
  q: z.infer<typeof mineQuerySchema>,
): Promise<{ items: MyOwnedItem[]; total: number; nextCursor: string | null; linked: boolean }> {
  if (!actor.humanNodeId) return { items: [], total: 0, nextCursor: null, linked: false };
  const unique = uniqueByNode(await ownedRows(db, actor.humanNodeId));
  const offset = q.cursor ? decodeCursor(q.cursor, isCursor).o : 0;
  const page = unique.slice(offset, offset + q.limit);
  const owners = await effectiveOwnersOf(
    db,
    page.map((r) => r.id),
  );
  const items = page.map((r) => {
    const list = owners.get(r.id) ?? [];
    const active = list.filter((o) => o.active);
    const gaps: string[] = [];
    if (!active.some((o) => o.roles.includes("business"))) gaps.push("no business owner");
    if (!active.some((o) => o.roles.includes("technical"))) gaps.push("no technical owner");
    if (active.length === 1) gaps.push("only one active owner");
    const departed = list.filter((o) => !o.active);
    if (departed.length) gaps.push(`${departed.length} inactive co-owner${departed.length === 1 ? "" : "s"}`);
    return { ...toItem(r), owners: list, gaps };
  });
  return { items, total: unique.length, nextCursor: offset + q.limit < unique.length ? encodeCursor({ o: offset + q.limit }) : null, linked: true };
}
