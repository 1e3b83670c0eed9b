import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "@/db/client";
import { edges, nodes, ownershipReassignments, type ReassignmentKind } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import type { Actor } from "@/lib/authz/actor";
import { newId } from "@/lib/ids";
import { groupHasActiveMember } from "./owner-writes";
import { rows } from "@/db/rows";
import { edgeRoles, effectiveOwnersOf } from "./owner-state";
import { activeManagerOf } from "./successor";

export interface QueuedItem {
  id: string;
  kind: ReassignmentKind;
  nodeId: string;
  edgeId: string;
  formerOwnerId: string;
  suggestedOwnerId: string | null;
}

export interface OffboardResult {
  /** Humans looked at (ids that are not humans are ignored). */
  humans: number;
  /** Rows added to the queue; rows already open for the same edge are not added again. */
  queued: QueuedItem[];
}

type Row = typeof ownershipReassignments.$inferInsert;

/**
 * Offboarding: puts everything the given humans own into the reassignment
 * queue, each with a suggested successor, and flags agents acting for them.
 * Call it inside the transaction that made them leave (an import that sets
 * `status` to terminated or inactive, a SCIM `active: false`, a change by
 * hand), after the status is written, so it commits or rolls back with it.
 *
 * For each human:
 * - every current `owns` edge from them becomes an `owner_departed` row;
 * - every current `owns` edge from a group they were in (directly or through
 *   nesting) that now has no active member left becomes an `owner_group_empty` row;
 * - every agent with a current `acts_for` edge to them becomes an
 *   `agent_principal_departed` row.
 * The suggested successor is their nearest active manager (walking up past
 * managers who left); failing that, someone who already co-owns the node.
 *
 * Idempotent: at most one open row per edge, so calling it again (a second
 * import, SCIM and an import both reporting the departure) adds nothing; with
 * `skipHandled` (the after-change pipeline), an edge already queued once for the
 * same former owner, even if since resolved or dismissed, is not queued again. No
 * permission check: the caller has already changed the person's status under
 * its own authority; `actor` is recorded in one audit event per human with
 * anything queued (action `ownership.offboard`). `reason` says what happened,
 * e.g. "okta: status became terminated" or "SCIM: active set to false".
 */
export async function offboardHumans(
  tx: Db,
  actor: Actor,
  nodeIds: string[],
  reason: string,
  opts: { requestId?: string; skipHandled?: boolean } = {},
): Promise<OffboardResult> {
  const ids = [...new Set(nodeIds)];
  if (ids.length === 0) return { humans: 0, queued: [] };
  const humans = await tx
    .select({ id: nodes.id, name: nodes.name, validTo: nodes.validTo })
    .from(nodes)
    .where(and(inArray(nodes.id, ids), eq(nodes.kind, "human")));
  const queued: QueuedItem[] = [];
  const owned = alias(nodes, "owned");
  for (const h of humans) {
    const manager = await activeManagerOf(tx, h.id);
    const managerReason = manager ? `manager of ${h.name}${manager.via ? ` (through ${manager.via}, who left too)` : ""}` : null;
    const queue: Row[] = [];
    const successorFor = async (nodeId: string, exclude: string): Promise<{ id: string | null; reason: string | null }> => {
      if (manager) return { id: manager.id, reason: managerReason };
      const co = ((await effectiveOwnersOf(tx, [nodeId])).get(nodeId) ?? []).find((o) => o.active && o.owner.id !== exclude);
      return co ? { id: co.owner.id, reason: `already co-owns it (${co.roles.join(", ") || "no role"})` } : { id: null, reason: null };
    };

    // What they own themselves.
    const theirs = await tx
      .select({ edgeId: edges.id, nodeId: edges.toId, attributes: edges.attributes })
      .from(edges)
      .innerJoin(owned, eq(owned.id, edges.toId))
      .where(and(eq(edges.fromId, h.id), eq(edges.kind, "owns"), isNull(edges.validTo), isNull(owned.validTo)));
    for (const e of theirs) {
      const s = await successorFor(e.nodeId, h.id);
      queue.push({
        id: newId("rsg"),
        kind: "owner_departed",
        nodeId: e.nodeId,
        edgeId: e.edgeId,
        formerOwnerId: h.id,
        role: edgeRoles(e.attributes)[0] ?? null,
        reason,
        suggestedOwnerId: s.id,
        suggestionReason: s.reason,
      });
    }

    // What groups they leave empty own (every group they are in, nested groups included). A person who was ended
    // (SCIM DELETE) had their memberships ended at the same instant: those still say which groups they left.
    const leftAt = h.validTo ? h.validTo.toISOString() : null;
    const groups = await rows<{ id: string }>(
      tx,
      sql`with recursive up(id) as (
          select e.to_id from edges e where e.from_id = ${h.id} and e.kind = 'member_of' and (e.valid_to is null or e.valid_to = ${leftAt}::timestamptz)
          union
          select e.to_id from edges e join up on e.from_id = up.id where e.kind = 'member_of' and e.valid_to is null
        )
        select up.id from up join nodes g on g.id = up.id where g.kind = 'group' and g.valid_to is null`,
    );
    for (const g of groups) {
      const groupOwns = await tx
        .select({ edgeId: edges.id, nodeId: edges.toId, attributes: edges.attributes })
        .from(edges)
        .innerJoin(owned, eq(owned.id, edges.toId))
        .where(and(eq(edges.fromId, g.id), eq(edges.kind, "owns"), isNull(edges.validTo), isNull(owned.validTo)));
      if (groupOwns.length === 0 || (await groupHasActiveMember(tx, g.id))) continue;
      for (const e of groupOwns) {
        const s = await successorFor(e.nodeId, g.id);
        queue.push({
          id: newId("rsg"),
          kind: "owner_group_empty",
          nodeId: e.nodeId,
          edgeId: e.edgeId,
          formerOwnerId: g.id,
          role: edgeRoles(e.attributes)[0] ?? null,
          reason: `${reason}; ${h.name} was the owner group's last active member`,
          suggestedOwnerId: s.id,
          suggestionReason: s.reason,
        });
      }
    }

    // Agents still acting for them.
    const agents = await tx
      .select({ edgeId: edges.id, agentId: edges.fromId })
      .from(edges)
      .innerJoin(owned, eq(owned.id, edges.fromId))
      .where(and(eq(edges.toId, h.id), eq(edges.kind, "acts_for"), isNull(edges.validTo), isNull(owned.validTo)));
    for (const a of agents) {
      queue.push({
        id: newId("rsg"),
        kind: "agent_principal_departed",
        nodeId: a.agentId,
        edgeId: a.edgeId,
        formerOwnerId: h.id,
        role: null,
        reason: `${reason}; the agent still acts for ${h.name}`,
        suggestedOwnerId: manager?.id ?? null,
        suggestionReason: managerReason,
      });
    }

    // The pipeline sees a departed person again whenever their record changes: what was already queued for an edge,
    // and since reassigned or dismissed, stays handled (a person leaving once is queued once, as when it ran in the write).
    if (opts.skipHandled && queue.length) {
      const handled = await tx
        .select({ edgeId: ownershipReassignments.edgeId, formerOwnerId: ownershipReassignments.formerOwnerId })
        .from(ownershipReassignments)
        .where(
          inArray(
            ownershipReassignments.edgeId,
            queue.map((q) => q.edgeId),
          ),
        );
      const seen = new Set(handled.map((r) => `${r.edgeId}\u0000${r.formerOwnerId}`));
      queue.splice(0, queue.length, ...queue.filter((q) => !seen.has(`${q.edgeId}\u0000${q.formerOwnerId}`)));
    }
    if (queue.length === 0) continue;
    const inserted = await tx.insert(ownershipReassignments).values(queue).onConflictDoNothing().returning();
    const items = inserted.map((r) => ({
      id: r.id,
      kind: r.kind,
      nodeId: r.nodeId,
      edgeId: r.edgeId,
      formerOwnerId: r.formerOwnerId,
      suggestedOwnerId: r.suggestedOwnerId,
    }));
    queued.push(...items);
    if (items.length) {
      await emitAudit(tx, actor, {
        action: "ownership.offboard",
        target: { type: "node", id: h.id },
        after: {
          reason,
          queued: items.map(({ id, kind, nodeId, suggestedOwnerId }) => ({ id, kind, nodeId, suggestedOwnerId })),
          alreadyQueued: queue.length - items.length,
        },
        requestId: opts.requestId,
      });
    }
  }
  return { humans: humans.length, queued };
}
