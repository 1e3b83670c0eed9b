import { and, count, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { Db } from "@/db/client";
import {
  edges,
  nodes,
  ownershipReassignments,
  REASSIGNMENT_KINDS,
  REASSIGNMENT_STATUSES,
  sources,
  type ReassignmentKind,
  type ReassignmentStatus,
} from "@/db/schema";
import { decodeCursor, encodeCursor } from "@/lib/api/cursor";
import { emitAudit } from "@/lib/audit/emit-audit";
import { actorLabel, type Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { AppError, parseInput } from "@/lib/errors";
import { OWNER_ROLES, type NodeKind, type OwnerRole } from "@/lib/graph/model";
import { notifyGraphChanged, recordGraphChange } from "@/lib/graph/after-change";
import { bumpGraphVersion } from "@/lib/graph/version";
import { offboardHumans, type OffboardResult } from "./offboarding";
import { reasonField } from "./owners";
import { changeOwners, checkAssignableOwner, type OwnerChange } from "./owner-writes";
import { rows } from "@/db/rows";
import { edgeRoles } from "./owner-state";
import { resolveRefs } from "./refs";

const intParam = (max: number, dflt: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number from 1 to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(1, `must be from 1 to ${max}`).max(max, `must be from 1 to ${max}`))
    .default(dflt);

export const listReassignmentsQuerySchema = z
  .object({
    status: z.enum([...REASSIGNMENT_STATUSES, "all"], { error: `must be one of ${[...REASSIGNMENT_STATUSES, "all"].join(", ")}` }).default("open"),
    kind: z.enum(REASSIGNMENT_KINDS, { error: `must be one of ${REASSIGNMENT_KINDS.join(", ")}` }).optional(),
    limit: intParam(200, 50),
    cursor: z.string().max(500).optional(),
  })
  .strict();

const ref = z.string().trim().min(1, "is required").max(700);

/** POST /api/v1/ownership/reassignments: offboard people by hand. */
export const queueSchema = z
  .object({
    humans: z.array(ref).min(1, "name at least one person").max(100, "at most 100 people at once"),
    reason: reasonField,
  })
  .strict();

/** POST /api/v1/ownership/reassignments/resolve: work the queue, one or many rows at once. */
export const resolveSchema = z
  .object({
    items: z.array(z.string().trim().min(1).max(64)).min(1, "name at least one row").max(500, "at most 500 rows at once"),
    action: z.enum(["accept", "assign", "dismiss"], { error: "must be accept (the suggested successor), assign (the owner given) or dismiss" }),
    owner: ref.optional(),
    role: z.enum(OWNER_ROLES).optional(),
    note: reasonField.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.action === "assign" && !v.owner) ctx.addIssue({ code: "custom", path: ["owner"], message: "is required to assign" });
    if (v.action !== "assign" && v.owner) ctx.addIssue({ code: "custom", path: ["owner"], message: "is only for assign" });
    if (v.action === "dismiss" && !v.note) ctx.addIssue({ code: "custom", path: ["note"], message: "say why the row needs no new owner" });
  });

export interface ReassignmentView {
  id: string;
  kind: ReassignmentKind;
  status: ReassignmentStatus;
  node: { id: string; kind: NodeKind; name: string; source: string };
  formerOwner: { id: string; kind: NodeKind; name: string; status: string | null };
  role: string | null;
  reason: string;
  suggestedOwner: { id: string; name: string; kind: NodeKind } | null;
  suggestionReason: string | null;
  resolvedOwner: { id: string; name: string } | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  note: string | null;
  createdAt: string;
}

const isCursor = (v: unknown): v is { o: number } =>
  typeof v === "object" && v !== null && Number.isInteger((v as { o: unknown }).o) && (v as { o: number }).o >= 0;

async function loadViews(db: Db, where: SQL | undefined, limit: number, offset: number): Promise<ReassignmentView[]> {
  const node = alias(nodes, "node");
  const former = alias(nodes, "former");
  const suggested = alias(nodes, "suggested");
  const resolved = alias(nodes, "resolved");
  const found = await db
    .select({
      r: ownershipReassignments,
      node: { id: node.id, kind: node.kind, name: node.name },
      nodeSource: sources.name,
      former: { id: former.id, kind: former.kind, name: former.name, status: former.status },
      suggested: { id: suggested.id, name: suggested.name, kind: suggested.kind },
      resolvedName: resolved.name,
    })
    .from(ownershipReassignments)
    .innerJoin(node, eq(node.id, ownershipReassignments.nodeId))
    .innerJoin(sources, eq(sources.id, node.sourceId))
    .innerJoin(former, eq(former.id, ownershipReassignments.formerOwnerId))
    .leftJoin(suggested, eq(suggested.id, ownershipReassignments.suggestedOwnerId))
    .leftJoin(resolved, eq(resolved.id, ownershipReassignments.resolvedOwnerId))
    .where(where)
    .orderBy(desc(ownershipReassignments.createdAt), ownershipReassignments.id)
    .limit(limit)
    .offset(offset);
  return found.map(({ r, ...x }) => ({
    id: r.id,
    kind: r.kind,
    status: r.status,
    node: { ...x.node, source: x.nodeSource },
    formerOwner: x.former,
    role: r.role,
    reason: r.reason,
    suggestedOwner: x.suggested?.id ? x.suggested : null,
    suggestionReason: r.suggestionReason,
    resolvedOwner: r.resolvedOwnerId ? { id: r.resolvedOwnerId, name: x.resolvedName ?? r.resolvedOwnerId } : null,
    resolvedAt: r.resolvedAt?.toISOString() ?? null,
    resolvedBy: r.resolvedBy,
    note: r.note,
    createdAt: r.createdAt.toISOString(),
  }));
}

/** The reassignment queue (GET /api/v1/ownership/reassignments), newest first; open rows by default. */
export async function listReassignments(db: Db, actor: Actor, q: z.infer<typeof listReassignmentsQuerySchema>) {
  requirePermission(actor, "owner.read");
  const filters: SQL[] = [];
  if (q.status !== "all") filters.push(eq(ownershipReassignments.status, q.status));
  if (q.kind) filters.push(eq(ownershipReassignments.kind, q.kind));
  const where = filters.length ? and(...filters) : undefined;
  const [{ total } = { total: 0 }] = await db.select({ total: count() }).from(ownershipReassignments).where(where);
  const offset = q.cursor ? decodeCursor(q.cursor, isCursor).o : 0;
  const items = await loadViews(db, where, q.limit, offset);
  const open = await db
    .select({ kind: ownershipReassignments.kind, n: count() })
    .from(ownershipReassignments)
    .where(eq(ownershipReassignments.status, "open"))
    .groupBy(ownershipReassignments.kind);
  return {
    items,
    total,
    nextCursor: offset + q.limit < total ? encodeCursor({ o: offset + q.limit }) : null,
    open: Object.fromEntries(REASSIGNMENT_KINDS.map((k) => [k, open.find((o) => o.kind === k)?.n ?? 0])) as Record<ReassignmentKind, number>,
  };
}

/** Offboards people by hand (POST /api/v1/ownership/reassignments): what they own goes into the queue. */
export async function queueReassignments(db: Db, actor: Actor, input: unknown, requestId?: string): Promise<OffboardResult> {
  requirePermission(actor, "owner.assign");
  const body = parseInput(queueSchema, input);
  const found = await resolveRefs(
    db,
    body.humans.map((raw, i) => ({ raw, path: `humans[${i}]` })),
  );
  const problems = body.humans.flatMap((raw, i) =>
    found.get(raw)!.kind === "human" ? [] : [{ path: `humans[${i}]`, message: `is a ${found.get(raw)!.kind}, not a human` }],
  );
  if (problems.length) throw new AppError("validation", `invalid humans: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`, problems);
  return db.transaction((tx) =>
    offboardHumans(
      tx,
      actor,
      body.humans.map((raw) => found.get(raw)!.id),
      `by hand: ${body.reason}`,
      { requestId },
    ),
  );
}

/**
 * Works queue rows (POST /api/v1/ownership/reassignments/resolve), all in one
 * transaction: `accept` gives each node its suggested successor, `assign` the
 * owner named, in the roles the former owner held (or `role`), and end-dates
 * the former owner's edge; `dismiss` closes rows with a note. For an agent
 * still acting for someone who left, the successor becomes its business owner
 * (the delegation itself lives in the agent's source and must be changed there).
 * One audit event per row and one per owner change.
 */
export async function resolveReassignments(
  db: Db,
  actor: Actor,
  input: unknown,
  requestId?: string,
): Promise<{ items: ReassignmentView[]; changes: (OwnerChange & { nodeId: string })[] }> {
  requirePermission(actor, "owner.assign");
  const body = parseInput(resolveSchema, input);
  const named = body.owner ? (await resolveRefs(db, [{ raw: body.owner, path: "owner" }])).get(body.owner)! : null;
  const at = new Date();
  const ids = [...new Set(body.items)];
  const changes: (OwnerChange & { nodeId: string })[] = [];
  await db.transaction(async (tx) => {
    const found = await tx.select().from(ownershipReassignments).where(inArray(ownershipReassignments.id, ids)).for("update");
    const problems = ids.flatMap((id, i) => {
      const r = found.find((f) => f.id === id);
      if (!r) return [{ path: `items[${i}]`, message: "no such row" }];
      if (r.status !== "open") return [{ path: `items[${i}]`, message: `already ${r.status}` }];
      if (body.action === "accept" && !r.suggestedOwnerId) return [{ path: `items[${i}]`, message: "has no suggested successor; assign an owner instead" }];
      return [];
    });
    if (problems.some((p) => p.message === "no such row"))
      throw new AppError("not_found", `reassignment not found: ${problems.map((p) => p.path).join(", ")}`, problems);
    if (problems.length)
      throw new AppError("conflict", `these rows cannot be ${body.action}ed: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`, problems);
    if (named) await checkAssignableOwner(tx, named, "owner");
    const successors =
      body.action === "accept"
        ? await resolveRefs(
            tx,
            found.map((r) => ({ raw: r.suggestedOwnerId!, path: `items[${ids.indexOf(r.id)}]` })),
          )
        : new Map();
    const names = new Map<string, string>(named ? [[named.id, named.name]] : []);
    let graphChanged = false;
    const touchedEdgeIds: string[] = [];
    for (const r of found) {
      let ownerId: string | null = null;
      if (body.action !== "dismiss") {
        const owner = named ?? successors.get(r.suggestedOwnerId!)!;
        if (!named) await checkAssignableOwner(tx, owner, `items[${ids.indexOf(r.id)}]`);
        names.set(owner.id, owner.name);
        ownerId = owner.id;
        const [edge] = await tx.select({ attributes: edges.attributes }).from(edges).where(eq(edges.id, r.edgeId));
        const former = r.kind === "agent_principal_departed" ? [] : edgeRoles(edge?.attributes);
        const roles: OwnerRole[] = body.role ? [body.role] : former.length ? former : ["business"];
        const made = await changeOwners(
          tx,
          actor,
          r.nodeId,
          (current) => [
            ...current.filter((p) => r.kind === "agent_principal_departed" || p.ownerId !== r.formerOwnerId),
            ...roles.map((role) => ({ ownerId: owner.id, role })),
          ],
          names,
          { via: "reassign", reason: body.note ?? `reassignment ${r.id}: ${r.reason}`, requestId, at, touchedEdgeIds },
        );
        changes.push(...made.map((c) => ({ ...c, nodeId: r.nodeId })));
        graphChanged ||= made.length > 0;
      }
      const status: ReassignmentStatus = body.action === "dismiss" ? "dismissed" : "reassigned";
      await tx
        .update(ownershipReassignments)
        .set({ status, resolvedOwnerId: ownerId, resolvedAt: at, resolvedBy: actorLabel(actor), note: body.note ?? null, updatedAt: at })
        .where(eq(ownershipReassignments.id, r.id));
      await emitAudit(tx, actor, {
        action: body.action === "dismiss" ? "ownership.reassignment.dismiss" : "ownership.reassignment.resolve",
        target: { type: "reassignment", id: r.id },
        before: { status: "open", nodeId: r.nodeId, formerOwnerId: r.formerOwnerId, suggestedOwnerId: r.suggestedOwnerId },
        after: { status, ownerId, note: body.note ?? null },
        requestId,
      });
    }
    if (graphChanged) {
      await bumpGraphVersion(tx);
      await recordGraphChange(tx, { origin: "ownership", edgeIds: touchedEdgeIds });
    }
  });
  if (changes.length) notifyGraphChanged();
  const items = await loadViews(db, inArray(ownershipReassignments.id, ids), ids.length, 0);
  return { items, changes };
}

export interface Departure {
  human: { id: string; name: string; status: string | null; ended: boolean };
  /** Nodes they still own (current owns edges). */
  owns: number;
  /** Of those, how many have no open queue row. */
  unqueued: number;
  /** Agents that still act for them, without an open queue row. */
  actingAgents: number;
}

/**
 * People who left but still own something or have agents acting for them,
 * with what is not in the queue yet (GET /api/v1/ownership/departures): the
 * departures that happened before Attest watched (a seed, an import from
 * before this feature) or that no trigger reported. Queue them by hand.
 */
export async function listDepartures(db: Db, actor: Actor) {
  requirePermission(actor, "owner.read");
  const found = await rows<{ id: string; name: string; status: string | null; ended: boolean; owns: number; unqueued: number; acting: number }>(
    db,
    sql`select h.id, h.name, h.status, (h.valid_to is not null) as ended,
        (select count(*)::int from edges o join nodes t on t.id = o.to_id where o.from_id = h.id and o.kind = 'owns' and o.valid_to is null and t.valid_to is null) as owns,
        (select count(*)::int from edges o join nodes t on t.id = o.to_id where o.from_id = h.id and o.kind = 'owns' and o.valid_to is null and t.valid_to is null
           and not exists (select 1 from ownership_reassignments r where r.edge_id = o.id and r.status = 'open')) as unqueued,
        (select count(*)::int from edges a join nodes t on t.id = a.from_id where a.to_id = h.id and a.kind = 'acts_for' and a.valid_to is null and t.valid_to is null
           and not exists (select 1 from ownership_reassignments r where r.edge_id = a.id and r.status = 'open')) as acting
      from nodes h
      where h.kind = 'human' and (h.valid_to is not null or h.status in ('terminated', 'inactive'))
        and exists (select 1 from edges e where (e.from_id = h.id and e.kind = 'owns' or e.to_id = h.id and e.kind = 'acts_for') and e.valid_to is null)
      order by h.name`,
  );
  const items: Departure[] = found.map((r) => ({
    human: { id: r.id, name: r.name, status: r.status, ended: r.ended },
    owns: r.owns,
    unqueued: r.unqueued,
    actingAgents: r.acting,
  }));
  return { items, total: items.length, nextCursor: null };
}
