import { z } from "zod";
import type { Db } from "@/db/client";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { parseInput } from "@/lib/errors";
import { OWNER_ROLES } from "@/lib/graph/model";
import { notifyGraphChanged, recordGraphChange } from "@/lib/graph/after-change";
import { bumpGraphVersion } from "@/lib/graph/version";
import { reasonField } from "./owners";
import { changeOwners, checkAssignableOwner, checkOwnable, type OwnerChange } from "./owner-writes";
import { resolveRefs } from "./refs";

export const MAX_BULK = 500;
const ref = z.string().trim().min(1, "is required").max(700, "at most 700 characters");

export const assignSchema = z
  .object({
    nodes: z.array(ref).min(1, "name at least one node").max(MAX_BULK, `at most ${MAX_BULK} nodes at once`),
    owner: ref,
    role: z.enum(OWNER_ROLES, { error: `must be one of ${OWNER_ROLES.join(", ")}` }),
    reason: reasonField.optional(),
  })
  .strict();

export interface AssignResult {
  /** Nodes that gained the owner. */
  assigned: number;
  /** Nodes that already had this owner in this role. */
  unchanged: number;
  items: { nodeId: string; name: string; changes: OwnerChange[] }[];
}

/**
 * Adds one owner in one role to many nodes (POST /api/v1/ownership/assignments):
 * "select many rows, assign". Other owners stay. One transaction for all of
 * them (any invalid node and nothing changes), one audit event per node changed.
 */
export async function assignOwner(db: Db, actor: Actor, input: unknown, requestId?: string): Promise<AssignResult> {
  requirePermission(actor, "owner.assign");
  const body = parseInput(assignSchema, input);
  const refs = [...body.nodes.map((raw, i) => ({ raw, path: `nodes[${i}]` })), { raw: body.owner, path: "owner" }];
  const found = await resolveRefs(db, refs);
  const owner = found.get(body.owner)!;
  const targets = [...new Map(body.nodes.map((raw, i) => [found.get(raw)!.id, { node: found.get(raw)!, path: `nodes[${i}]` }])).values()];
  for (const t of targets) checkOwnable(t.node, t.path);
  const at = new Date();
  const result = await db.transaction(async (tx) => {
    const touchedEdgeIds: string[] = [];
    await checkAssignableOwner(tx, owner, "owner");
    const names = new Map([[owner.id, owner.name]]);
    const items: AssignResult["items"] = [];
    for (const { node } of targets) {
      const changes = await changeOwners(tx, actor, node.id, (current) => [...current, { ownerId: owner.id, role: body.role }], names, {
        via: "assign",
        reason: body.reason,
        requestId,
        at,
        touchedEdgeIds,
      });
      items.push({ nodeId: node.id, name: node.name, changes });
    }
    const assigned = items.filter((i) => i.changes.length > 0).length;
    if (assigned > 0) {
      await bumpGraphVersion(tx);
      await recordGraphChange(tx, { origin: "ownership", edgeIds: touchedEdgeIds });
    }
    return { assigned, unchanged: items.length - assigned, items };
  });
  // Findings and coverage follow out of this request (lib/pipeline): the answer is the assignment.
  if (result.assigned > 0) notifyGraphChanged();
  return result;
}
