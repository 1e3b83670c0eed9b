import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import type { Actor } from "@/lib/authz/actor";
import { can, requirePermission } from "@/lib/authz/permissions";
import { AppError, parseInput } from "@/lib/errors";
import { OWNER_ROLES, type NodeKind } from "@/lib/graph/model";
import { notifyGraphChanged, recordGraphChange } from "@/lib/graph/after-change";
import { bumpGraphVersion } from "@/lib/graph/version";
import { changeOwners, checkAssignableOwner, checkOwnable, type OwnerChange } from "./owner-writes";
import { rows } from "@/db/rows";
import { effectiveOwnersOf, orphanRules, type EffectiveOwner, type OrphanRule } from "./owner-state";
import { resolveRef, resolveRefs } from "./refs";

export const reasonField = z.string().trim().min(1, "is empty").max(500, "at most 500 characters");
const ref = z.string().trim().min(1, "is required").max(700, "at most 700 characters");

export const putOwnersSchema = z
  .object({
    owners: z
      .array(z.object({ owner: ref, role: z.enum(OWNER_ROLES, { error: `must be one of ${OWNER_ROLES.join(", ")}` }) }).strict())
      .max(50, "at most 50 owners"),
    reason: reasonField.optional(),
  })
  .strict();

export interface OwnersView {
  node: { id: string; kind: NodeKind; name: string; source: string; status: string | null };
  items: EffectiveOwner[];
  total: number;
  nextCursor: null;
  summary: { activeOwners: number; business: boolean; technical: boolean; security: boolean; orphan: boolean; rules: OrphanRule[] };
}

/**
 * Whether the actor's person owns the node: directly, through a group they are
 * an active member of (nested groups included), or, for a tool, through the
 * server that exposes it. Reviewers may see the owners of what they own.
 */
export async function actorOwns(db: Db, actor: Actor, nodeId: string): Promise<boolean> {
  if (!actor.humanNodeId) return false;
  const owners = (await effectiveOwnersOf(db, [nodeId])).get(nodeId) ?? [];
  if (owners.some((o) => o.owner.id === actor.humanNodeId)) return true;
  const groups = owners.filter((o) => o.owner.kind === "group").map((o) => o.owner.id);
  if (groups.length === 0) return false;
  const found = await rows<{ ok: number }>(
    db,
    sql`with recursive my_groups(id) as (
        select to_id from edges where from_id = ${actor.humanNodeId} and kind = 'member_of' and valid_to is null
        union
        select e.to_id from edges e join my_groups g on e.from_id = g.id where e.kind = 'member_of' and e.valid_to is null
      )
      select 1 as ok from my_groups where id = any(${sql.param(groups)}::text[]) limit 1`,
  );
  return found.length > 0;
}

async function ownersView(db: Db, node: { id: string; kind: NodeKind; name: string; source: string; status: string | null }): Promise<OwnersView> {
  const items = (await effectiveOwnersOf(db, [node.id])).get(node.id) ?? [];
  const active = items.filter((o) => o.active);
  const has = (r: string) => active.some((o) => o.roles.includes(r as never));
  return {
    node,
    items,
    total: items.length,
    nextCursor: null,
    summary: {
      activeOwners: active.length,
      business: has("business"),
      technical: has("technical"),
      security: has("security"),
      orphan: active.length === 0,
      rules: orphanRules(items),
    },
  };
}

/**
 * The owners of a node (GET /api/v1/nodes/{id}/owners): direct and inherited,
 * active or not, with who assigned them. Analysts, admins and auditors see any
 * node's; a reviewer sees the owners of what they own, and "not found" otherwise.
 */
export async function getOwnersFor(db: Db, actor: Actor, rawId: string): Promise<OwnersView> {
  const readsAll = can(actor, "owner.read");
  if (!readsAll && !can(actor, "review.decide")) requirePermission(actor, "owner.read");
  const node = await resolveRef(db, rawId);
  if (!readsAll && !(await actorOwns(db, actor, node.id))) throw new AppError("not_found", "node not found");
  return ownersView(db, node);
}

/**
 * Replaces a node's owners (PUT /api/v1/nodes/{id}/owners) in one transaction:
 * owners no longer named are end-dated (their edges stay as history), new ones
 * get an Attest edge recording who assigned them, when and why, and every
 * (owner, role) added or removed is one audit event.
 */
export async function setOwnersFor(db: Db, actor: Actor, rawId: string, input: unknown, requestId?: string): Promise<OwnersView & { changes: OwnerChange[] }> {
  requirePermission(actor, "owner.assign");
  const body = parseInput(putOwnersSchema, input);
  const node = await resolveRef(db, rawId);
  checkOwnable(node, "id");
  const owners = await resolveRefs(
    db,
    body.owners.map((o, i) => ({ raw: o.owner, path: `owners[${i}].owner` })),
  );
  const desired = body.owners.map((o) => ({ ownerId: owners.get(o.owner)!.id, role: o.role }));
  const names = new Map([...owners.values()].map((o) => [o.id, o.name]));
  const changes = await db.transaction(async (tx) => {
    const touchedEdgeIds: string[] = [];
    const out = await changeOwners(tx, actor, node.id, () => desired, names, { via: "put", reason: body.reason, requestId, at: new Date(), touchedEdgeIds });
    // Only owners this request adds must be assignable; ones already there may stay whatever their state.
    for (const [i, o] of body.owners.entries()) {
      const owner = owners.get(o.owner)!;
      if (out.some((c) => c.change === "added" && c.ownerId === owner.id)) await checkAssignableOwner(tx, owner, `owners[${i}].owner`);
    }
    if (out.length) {
      await bumpGraphVersion(tx);
      await recordGraphChange(tx, { origin: "ownership", edgeIds: touchedEdgeIds });
    }
    return out;
  });
  // Findings and coverage follow out of this request (lib/pipeline): the answer is the new owners.
  if (changes.length) notifyGraphChanged();
  return { ...(await ownersView(db, node)), changes };
}
