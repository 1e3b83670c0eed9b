import { sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rows } from "@/db/rows";
import { OWNABLE_KINDS, OWNER_ROLES, type NodeKind, type OwnerRole } from "@/lib/graph/model";

/**
 * What "an active owner" means, in one place, for coverage, orphans, owner
 * lists and "what I own":
 * - an owner is the `from` end of a current `owns` edge (any source);
 * - a human owner is active while their node is current and their status is
 *   not terminated or inactive (leave still counts: they come back; no status
 *   at all counts too: many directories do not report one);
 * - a group owner is active while it has at least one active human member,
 *   directly or through nested groups;
 * - a tool with no owns edge of its own inherits the owners of the MCP servers
 *   that expose it (tools arrive by discovery, dozens per server, and the
 *   server's owners answer for them); a tool with owners of its own does not.
 * An owns edge carries its roles as `role` (the first) and, when Attest wrote
 * it, `roles` (all of them), so one person may be both business and technical owner.
 */
export const DEPARTED_STATUSES = ["terminated", "inactive"] as const;

export function isDepartedStatus(status: string | null | undefined): boolean {
  return status === "terminated" || status === "inactive";
}

/** The roles an owns edge's attributes carry. */
export function edgeRoles(attributes: Record<string, unknown> | null | undefined): OwnerRole[] {
  const out = new Set<OwnerRole>();
  const add = (v: unknown) => {
    if (typeof v === "string" && (OWNER_ROLES as readonly string[]).includes(v)) out.add(v as OwnerRole);
  };
  if (Array.isArray(attributes?.roles)) attributes.roles.forEach(add);
  add(attributes?.role);
  return OWNER_ROLES.filter((r) => out.has(r));
}

const ownable = sql.raw(OWNABLE_KINDS.map((k) => `'${k}'`).join(", "));
export const ownableKindsSql = (): SQL => sql`(${ownable})`;

const activeHuman = (a: string) => `(${a}.kind = 'human' and ${a}.valid_to is null and coalesce(${a}.status, 'active') not in ('terminated', 'inactive'))`;
const hasRole = (attrs: string, role: OwnerRole) => `(${attrs}->>'role' = '${role}' or coalesce(${attrs}->'roles', '[]'::jsonb) @> '["${role}"]'::jsonb)`;

/**
 * `WITH RECURSIVE` prelude defining, for current data:
 * - active_groups(id): groups with at least one active human member, directly or through nested groups
 *   (walked upwards from active people, so the work is bounded by the number of groups);
 * - owner_state(edge_id, node_id, owner_id, attrs, source_id, valid_from, via_id, owner_kind, active, is_business, is_technical):
 *   every effective owner of every node (via_id: the MCP server a tool inherits from);
 * - node_flags(node_id, owners, any_active, business, technical): per owned node.
 * Follow it with a query that reads these names.
 */
export const OWNERSHIP_CTES: SQL = sql.raw(`with recursive
active_groups(id) as (
  select distinct m.to_id from edges m join nodes h on h.id = m.from_id
  where m.kind = 'member_of' and m.valid_to is null and ${activeHuman("h")}
  union
  select m.to_id from edges m join active_groups g on m.from_id = g.id
  where m.kind = 'member_of' and m.valid_to is null
),
direct_owns as (
  select o.id as edge_id, o.to_id as node_id, o.from_id as owner_id, o.attributes as attrs, o.source_id, o.valid_from, null::text as via_id
  from edges o where o.kind = 'owns' and o.valid_to is null
),
effective_owns as (
  select * from direct_owns
  union all
  select d.edge_id, x.to_id, d.owner_id, d.attrs, d.source_id, d.valid_from, x.from_id
  from edges x
  join direct_owns d on d.node_id = x.from_id
  join nodes t on t.id = x.to_id and t.kind = 'tool'
  where x.kind = 'exposes' and x.valid_to is null
    and not exists (select 1 from direct_owns d2 where d2.node_id = x.to_id)
),
owner_state as (
  select e.*, f.kind as owner_kind,
    (case when f.kind = 'human' then ${activeHuman("f")} else (f.valid_to is null and ag.id is not null) end) as active,
    ${hasRole("e.attrs", "business")} as is_business,
    ${hasRole("e.attrs", "technical")} as is_technical
  from effective_owns e join nodes f on f.id = e.owner_id left join active_groups ag on ag.id = f.id
),
node_flags as (
  select node_id, count(*)::int as owners, bool_or(active) as any_active,
    bool_or(active and is_business) as business, bool_or(active and is_technical) as technical
  from owner_state group by node_id
)
`);

/**
 * Runs a query over OWNERSHIP_CTES with JIT off. The planner cannot estimate a
 * recursive CTE and guesses millions of rows, so PostgreSQL would JIT-compile
 * a query that runs in under a second on a 50k-node graph, spending more than
 * that compiling it. (PGlite accepts the setting and has no JIT.)
 */
export async function wholeGraphRows<T>(db: Db, query: SQL): Promise<T[]> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local jit = off`);
    return rows<T>(tx, query);
  });
}

export interface EffectiveOwner {
  edgeId: string;
  nodeId: string;
  owner: { id: string; kind: "human" | "group"; name: string; status: string | null; email: string | null; ended: boolean };
  roles: OwnerRole[];
  source: string;
  since: string;
  /** Who assigned it in Attest, when and why (edges Attest wrote); null for imported edges. */
  assignedBy: string | null;
  assignedReason: string | null;
  /** The MCP server a tool inherits this owner from. */
  inheritedFrom: { id: string; name: string } | null;
  active: boolean;
  /** Active human members of an owner group (nested groups included); null for humans. */
  activeMembers: number | null;
}

interface OwnerRow {
  edge_id: string;
  node_id: string;
  owner_id: string;
  owner_kind: "human" | "group";
  owner_name: string;
  owner_status: string | null;
  owner_email: string | null;
  owner_ended: boolean;
  attrs: Record<string, unknown>;
  source: string;
  valid_from: string | Date;
  via_id: string | null;
  via_name: string | null;
}

/**
 * Every effective owner (active or not) of the given nodes, active first, then
 * by name. Reads only these nodes' owns edges (and, for tools without owners
 * of their own, their servers'), so its cost does not grow with the graph.
 */
export async function effectiveOwnersOf(db: Db, nodeIds: readonly string[]): Promise<Map<string, EffectiveOwner[]>> {
  const out = new Map<string, EffectiveOwner[]>();
  if (nodeIds.length === 0) return out;
  const found = await rows<OwnerRow>(
    db,
    sql`with direct as (
        select o.id as edge_id, o.to_id as node_id, o.from_id as owner_id, o.attributes as attrs, o.source_id, o.valid_from, null::text as via_id
        from edges o where o.to_id = any(${sql.param([...nodeIds])}::text[]) and o.kind = 'owns' and o.valid_to is null
      ),
      inherited as (
        select o.id, x.to_id, o.from_id, o.attributes, o.source_id, o.valid_from, x.from_id
        from edges x
        join nodes t on t.id = x.to_id and t.kind = 'tool'
        join edges o on o.to_id = x.from_id and o.kind = 'owns' and o.valid_to is null
        where x.to_id = any(${sql.param([...nodeIds])}::text[]) and x.kind = 'exposes' and x.valid_to is null
          and not exists (select 1 from direct d where d.node_id = x.to_id)
      )
      select e.edge_id, e.node_id, e.owner_id, f.kind as owner_kind, f.name as owner_name, f.status as owner_status,
        f.attributes->>'email' as owner_email, (f.valid_to is not null) as owner_ended, e.attrs, s.name as source,
        e.valid_from, e.via_id, v.name as via_name
      from (select * from direct union all select * from inherited) e
      join nodes f on f.id = e.owner_id
      join sources s on s.id = e.source_id
      left join nodes v on v.id = e.via_id
      order by e.node_id, f.name, e.edge_id`,
  );
  const members = await activeMemberCounts(db, [...new Set(found.filter((r) => r.owner_kind === "group").map((r) => r.owner_id))]);
  for (const r of found) {
    const list = out.get(r.node_id) ?? [];
    const activeMembers = r.owner_kind === "group" ? (members.get(r.owner_id) ?? 0) : null;
    list.push({
      edgeId: r.edge_id,
      nodeId: r.node_id,
      owner: { id: r.owner_id, kind: r.owner_kind, name: r.owner_name, status: r.owner_status, email: r.owner_email, ended: r.owner_ended },
      roles: edgeRoles(r.attrs),
      source: r.source,
      since: new Date(r.valid_from).toISOString(),
      assignedBy: typeof r.attrs.assignedBy === "string" ? r.attrs.assignedBy : null,
      assignedReason: typeof r.attrs.reason === "string" ? r.attrs.reason : null,
      inheritedFrom: r.via_id ? { id: r.via_id, name: r.via_name ?? r.via_id } : null,
      active: !r.owner_ended && (r.owner_kind === "group" ? (activeMembers ?? 0) > 0 : !isDepartedStatus(r.owner_status)),
      activeMembers,
    });
    out.set(r.node_id, list);
  }
  // Active owners first, keeping name order within each half.
  for (const list of out.values()) list.sort((a, b) => Number(b.active) - Number(a.active));
  return out;
}

/** Active human members of each group, nested groups included (walked downwards from these groups only). */
export async function activeMemberCounts(db: Db, groupIds: readonly string[]): Promise<Map<string, number>> {
  if (groupIds.length === 0) return new Map();
  const found = await rows<{ id: string; n: number }>(
    db,
    sql`with recursive members(root, id) as (
        select m.to_id, m.from_id from edges m where m.to_id = any(${sql.param([...groupIds])}::text[]) and m.kind = 'member_of' and m.valid_to is null
        union
        select g.root, m.from_id from members g join edges m on m.to_id = g.id where m.kind = 'member_of' and m.valid_to is null
      )
      select g.root as id, count(distinct g.id)::int as n from members g join nodes h on h.id = g.id
      where ${sql.raw(activeHuman("h"))}
      group by g.root`,
  );
  return new Map(found.map((r) => [r.id, r.n]));
}

/** Why a node counts as an orphan, from its effective owners (empty when it has an active owner). */
export type OrphanRule = "no_owner" | "inactive_owners" | "empty_owner_group";

export function orphanRules(owners: readonly EffectiveOwner[]): OrphanRule[] {
  if (owners.some((o) => o.active)) return [];
  if (owners.length === 0) return ["no_owner"];
  const rules = new Set<OrphanRule>();
  for (const o of owners) rules.add(o.owner.kind === "group" && !o.owner.ended ? "empty_owner_group" : "inactive_owners");
  return [...rules];
}

export const ORPHAN_RULE_LABEL: Record<OrphanRule, string> = {
  no_owner: "no owner",
  inactive_owners: "only departed owners",
  empty_owner_group: "owner group has no active members",
};

export function isOwnableKind(kind: NodeKind): boolean {
  return (OWNABLE_KINDS as readonly string[]).includes(kind);
}
