import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rows } from "@/db/rows";
import { edges, nodes, sources } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import { actorLabel, type Actor } from "@/lib/authz/actor";
import { AppError } from "@/lib/errors";
import { EDGE_RULES, OWNER_ROLES, type NodeKind, type OwnerRole } from "@/lib/graph/model";
import { newId } from "@/lib/ids";
import { edgeRoles, isDepartedStatus } from "./owner-state";
import type { RefNode } from "./refs";

/** Owner edges created in Attest belong to this source, created on first use. */
export const ATTEST_SOURCE = {
  name: "attest",
  type: "manual",
  description: "Facts recorded in Attest itself: owner assignments made by analysts and admins",
} as const;

export async function ensureAttestSource(tx: Db): Promise<string> {
  await tx
    .insert(sources)
    .values({ id: newId("src"), name: ATTEST_SOURCE.name, type: ATTEST_SOURCE.type, description: ATTEST_SOURCE.description })
    .onConflictDoNothing();
  const [row] = await tx.select({ id: sources.id }).from(sources).where(eq(sources.name, ATTEST_SOURCE.name));
  return row!.id;
}

/** An owner and one role; role null stands for an imported owns edge that names no role (kept as it is when wanted). */
export type OwnerPair = { ownerId: string; role: OwnerRole | null };
const pairKey = (ownerId: string, role: string | null) => `${ownerId}\u0000${role ?? ""}`;

/** Why a change was made; stored on the new edge and in the audit event. */
export interface ChangeContext {
  reason?: string;
  /** Which operation made it: "put", "assign", "reassign". */
  via: "put" | "assign" | "reassign";
  requestId?: string;
  at: Date;
  /**
   * Collects the ids of the owns edges ended or created, for the after-change record: the findings scope of an
   * owns edge is its target's ownership only, where the owner's node id would re-check the owner's whole reach.
   */
  touchedEdgeIds?: string[];
}

export interface OwnerChange {
  change: "added" | "removed";
  ownerId: string;
  ownerName: string;
  role: OwnerRole | null;
}

interface CurrentEdge {
  id: string;
  fromId: string;
  fromName: string;
  sourceId: string;
  roles: OwnerRole[];
}

/** Locks the node and reads its current direct owns edges. */
async function lockAndRead(tx: Db, nodeId: string): Promise<CurrentEdge[]> {
  await tx.select({ id: nodes.id }).from(nodes).where(eq(nodes.id, nodeId)).for("update");
  const rows = await tx
    .select({ id: edges.id, fromId: edges.fromId, fromName: nodes.name, sourceId: edges.sourceId, attributes: edges.attributes })
    .from(edges)
    .innerJoin(nodes, eq(nodes.id, edges.fromId))
    .where(and(eq(edges.toId, nodeId), eq(edges.kind, "owns"), isNull(edges.validTo)))
    .orderBy(edges.id);
  return rows.map((r) => ({ id: r.id, fromId: r.fromId, fromName: r.fromName, sourceId: r.sourceId, roles: edgeRoles(r.attributes) }));
}

/** The target must be a current node an owns edge may point at. */
export function checkOwnable(node: RefNode, path: string): void {
  if (!node.current) throw new AppError("validation", `${path}: ${node.name} no longer exists`, [{ path, message: "the node has ended" }]);
  if (!EDGE_RULES.owns.to.includes(node.kind))
    throw new AppError("validation", `${path}: a ${node.kind} cannot be owned`, [{ path, message: `a ${node.kind} cannot be owned` }]);
}

/**
 * A new owner must be a current human who has not left, or a current group
 * with at least one active member (an empty group answers for nothing).
 */
export async function checkAssignableOwner(tx: Db, owner: RefNode, path: string): Promise<void> {
  const fail = (message: string) => new AppError("validation", `${path}: ${message}`, [{ path, message }]);
  if (!(EDGE_RULES.owns.from as readonly NodeKind[]).includes(owner.kind)) throw fail(`an owner must be a human or a group, not a ${owner.kind}`);
  if (!owner.current) throw fail(`${owner.name} no longer exists`);
  if (owner.kind === "human" && isDepartedStatus(owner.status)) throw fail(`${owner.name} is ${owner.status}`);
  if (owner.kind === "group" && !(await groupHasActiveMember(tx, owner.id))) throw fail(`${owner.name} has no active members`);
}

export async function groupHasActiveMember(db: Db, groupId: string): Promise<boolean> {
  const found = await rows<unknown>(
    db,
    sql`
    with recursive members(id) as (
      select from_id from edges where to_id = ${groupId} and kind = 'member_of' and valid_to is null
      union
      select e.from_id from edges e join members m on e.to_id = m.id where e.kind = 'member_of' and e.valid_to is null
    )
    select 1 as ok from members m join nodes h on h.id = m.id
    where h.kind = 'human' and h.valid_to is null and coalesce(h.status, 'active') not in ('terminated', 'inactive')
    limit 1`,
  );
  return found.length > 0;
}

/**
 * Makes a node's set of (owner, role) pairs what `desired` computes from the
 * current one, inside the caller's transaction:
 * - an edge whose roles are all still wanted stays as it is, whatever its source;
 * - an edge with a role no longer wanted is end-dated (never deleted), and any
 *   of its roles still wanted are carried by an Attest edge;
 * - new pairs go on one Attest edge per owner (source `attest`), which records
 *   who assigned it, when and why.
 * One audit event per pair added or removed. Returns the changes (empty: nothing to do).
 * Owners named in new pairs must have been checked with checkAssignableOwner.
 */
export async function changeOwners(
  tx: Db,
  actor: Actor,
  nodeId: string,
  desired: (current: OwnerPair[]) => OwnerPair[],
  names: Map<string, string>,
  ctx: ChangeContext,
): Promise<OwnerChange[]> {
  const current = await lockAndRead(tx, nodeId);
  const currentPairs = new Map<string, OwnerPair>();
  for (const e of current) {
    names.set(e.fromId, e.fromName);
    if (e.roles.length === 0) currentPairs.set(pairKey(e.fromId, null), { ownerId: e.fromId, role: null });
    for (const role of e.roles) currentPairs.set(pairKey(e.fromId, role), { ownerId: e.fromId, role });
  }
  const wanted = new Map<string, OwnerPair>();
  for (const p of desired([...currentPairs.values()])) wanted.set(pairKey(p.ownerId, p.role), p);
  const added = [...wanted.entries()].filter(([k]) => !currentPairs.has(k)).map(([, p]) => p);
  const removed = [...currentPairs.entries()].filter(([k]) => !wanted.has(k)).map(([, p]) => p);
  if (added.length === 0 && removed.length === 0) return [];

  const wantedRoles = new Map<string, Set<OwnerRole | null>>();
  for (const p of wanted.values()) wantedRoles.set(p.ownerId, (wantedRoles.get(p.ownerId) ?? new Set()).add(p.role));
  const attestSourceId = await ensureAttestSource(tx);
  const covered = new Map<string, Set<OwnerRole>>();
  const keptAttest = new Map<string, CurrentEdge>();
  const toEnd: string[] = [];
  for (const e of current) {
    const want = wantedRoles.get(e.fromId);
    if (want && (e.roles.length === 0 ? want.has(null) : e.roles.every((r) => want.has(r)))) {
      covered.set(e.fromId, new Set([...(covered.get(e.fromId) ?? []), ...e.roles]));
      if (e.sourceId === attestSourceId) keptAttest.set(e.fromId, e);
    } else toEnd.push(e.id);
  }
  const inserts: (typeof edges.$inferInsert)[] = [];
  for (const [ownerId, roles] of wantedRoles) {
    const have = covered.get(ownerId) ?? new Set<OwnerRole>();
    const need = [...roles].filter((r): r is OwnerRole => r !== null && !have.has(r));
    if (need.length === 0) continue;
    const kept = keptAttest.get(ownerId);
    if (kept) toEnd.push(kept.id);
    const all = OWNER_ROLES.filter((r) => need.includes(r) || kept?.roles.includes(r));
    inserts.push({
      id: newId("edg"),
      kind: "owns",
      sourceId: attestSourceId,
      externalId: `owns:${ownerId}->${nodeId}`,
      fromId: ownerId,
      toId: nodeId,
      attributes: {
        role: all[0],
        roles: all,
        assignedBy: actorLabel(actor),
        assignedById: actor.id,
        assignedAt: ctx.at.toISOString(),
        ...(ctx.reason ? { reason: ctx.reason } : {}),
      },
      firstSeenAt: ctx.at,
      lastSeenAt: ctx.at,
      validFrom: ctx.at,
      createdAt: ctx.at,
      updatedAt: ctx.at,
    });
  }
  if (toEnd.length) {
    await tx
      .update(edges)
      .set({ validTo: ctx.at, updatedAt: ctx.at })
      .where(and(sql`${edges.id} = any(${sql.param(toEnd)}::text[])`, isNull(edges.validTo)));
  }
  if (inserts.length) await tx.insert(edges).values(inserts);
  ctx.touchedEdgeIds?.push(...toEnd, ...inserts.map((e) => e.id!));

  const changes: OwnerChange[] = [
    ...removed.map((p) => ({ change: "removed" as const, ownerId: p.ownerId, ownerName: names.get(p.ownerId) ?? p.ownerId, role: p.role })),
    ...added.map((p) => ({ change: "added" as const, ownerId: p.ownerId, ownerName: names.get(p.ownerId) ?? p.ownerId, role: p.role })),
  ];
  for (const c of changes) {
    const owner = { id: c.ownerId, name: c.ownerName };
    await emitAudit(tx, actor, {
      action: c.change === "added" ? "owner.assign" : "owner.unassign",
      target: { type: "node", id: nodeId },
      before: c.change === "removed" ? { owner, role: c.role } : null,
      after: c.change === "added" ? { owner, role: c.role, via: ctx.via, reason: ctx.reason ?? null } : { via: ctx.via, reason: ctx.reason ?? null },
      requestId: ctx.requestId,
    });
  }
  return changes;
}
