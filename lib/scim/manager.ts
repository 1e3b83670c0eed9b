import { and, eq, inArray, isNull, ne, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { edges, nodes } from "@/db/schema";
import type { AuditEventInput } from "@/lib/audit/emit-audit";
import { invalidValue } from "./errors";
import { isObj, type Obj } from "./resource-shape";
import { ENTERPRISE_USER_SCHEMA } from "./schema";
import { linkedEdges, syncEdges, type NodeRow, type ScimContext } from "./store";

/**
 * EnterpriseUser `manager` as a `manages` edge (manager → report).
 *
 * IdPs provision users in any order (Entra ID does), so a manager that is not yet
 * a User of the source is not an error for a lenient source: the reference stays
 * in the stored resource (`attributes.managerId`, and `managerPending: true` on
 * the node) and the edge is made, in the same transaction and audited, when a
 * User with that id or externalId arrives. "Pending" is read from the graph (a
 * managerId and no current manages edge), so resolving twice finds nothing the
 * second time. A strict source still refuses an unknown manager.
 *
 * A reference matches a User's SCIM id, or the client's `externalId` when exactly
 * one current User of the source has it (RFC 7643 names the id; IdPs that
 * provision in any order can only know their own identifier of the manager).
 */

export type ManagerRef = { kind: "none" } | { kind: "found"; node: NodeRow } | { kind: "pending" };

const MANAGER_PATH = `${ENTERPRISE_USER_SCHEMA}:manager.value`;

/** The manager reference a User resource carries, if any. */
export function managerRef(resource: Obj): string | undefined {
  const ext = resource[ENTERPRISE_USER_SCHEMA];
  const manager = isObj(ext) ? ext.manager : undefined;
  const value = isObj(manager) ? manager.value : undefined;
  return typeof value === "string" && value.trim() ? value : undefined;
}

const currentHumans = (sourceId: string) => and(eq(nodes.sourceId, sourceId), eq(nodes.kind, "human"), isNull(nodes.validTo));

async function byExternalId(tx: Db, sourceId: string, externalId: string): Promise<NodeRow[]> {
  return tx
    .select()
    .from(nodes)
    .where(and(currentHumans(sourceId), sql`${nodes.attributes}->>'scimExternalId' = ${externalId}`))
    .limit(2);
}

/** Looks the manager up before the user is written; `self` is the user being written (absent on create). */
export async function findManager(tx: Db, ctx: ScimContext, resource: Obj, self?: NodeRow): Promise<ManagerRef> {
  const ref = managerRef(resource);
  if (!ref) return { kind: "none" };
  const own = () => invalidValue("a user cannot be their own manager");
  if (ref === self?.externalId || ref === resource.externalId) throw own();
  const [byId] = await tx
    .select()
    .from(nodes)
    .where(and(currentHumans(ctx.source.id), eq(nodes.externalId, ref)))
    .limit(1);
  const matches = byId ? [byId] : await byExternalId(tx, ctx.source.id, ref);
  if (matches.length === 1) {
    if (matches[0]!.id === self?.id) throw own();
    return { kind: "found", node: matches[0]! };
  }
  if (ctx.lx && !ctx.lx.strict) return { kind: "pending" };
  throw invalidValue(`${MANAGER_PATH} is not a User of this source`);
}

/** Points the user's manages edge at the manager found (or ends it when there is none or it is pending). */
export async function linkManager(tx: Db, ctx: ScimContext, user: NodeRow, manager: ManagerRef, at: Date) {
  const existing = await linkedEdges(tx, ctx.source.id, "manages", "to", [user.id]);
  const desired = manager.kind === "found" ? [{ from: manager.node, to: user }] : [];
  return syncEdges(tx, ctx.source.id, "manages", existing, desired, "from", at);
}

/**
 * Users of the source waiting for `arrived` as their manager get their manages
 * edge now. Returns one audit event per edge made.
 */
export async function resolvePendingReports(tx: Db, ctx: ScimContext, arrived: NodeRow, at: Date): Promise<Omit<AuditEventInput, "requestId">[]> {
  const keys = [arrived.externalId];
  const ext = arrived.attributes.scimExternalId;
  if (typeof ext === "string" && ext && (await byExternalId(tx, ctx.source.id, ext)).length === 1) keys.push(ext);
  const reports = await tx
    .select()
    .from(nodes)
    .where(
      and(
        currentHumans(ctx.source.id),
        ne(nodes.id, arrived.id),
        inArray(sql`${nodes.attributes}->>'managerId'`, keys),
        sql`not exists (select 1 from ${edges} where ${edges.sourceId} = ${ctx.source.id} and ${edges.kind} = 'manages' and ${edges.toId} = ${nodes.id} and ${edges.validTo} is null)`,
      ),
    );
  const events: Omit<AuditEventInput, "requestId">[] = [];
  for (const report of reports) {
    await syncEdges(tx, ctx.source.id, "manages", [], [{ from: arrived, to: report }], "to", at);
    await tx
      .update(nodes)
      .set({ attributes: sql`${nodes.attributes} - 'managerPending'`, updatedAt: at })
      .where(eq(nodes.id, report.id));
    events.push({
      action: "scim.user.manager_resolved",
      target: { type: "node", id: report.id },
      before: { scimId: report.externalId, managerPending: true },
      after: { scimId: report.externalId, managerScimId: arrived.externalId, managerNodeId: arrived.id },
    });
  }
  return events;
}

/**
 * A manager ended (SCIM DELETE): the reports whose manages edge from it ended at `at`
 * wait again, as pending references (a User with that externalId may still arrive).
 */
export async function markReportsPending(tx: Db, ctx: ScimContext, managerNodeId: string, at: Date): Promise<void> {
  const ended = tx
    .select({ id: edges.toId })
    .from(edges)
    .where(and(eq(edges.sourceId, ctx.source.id), eq(edges.kind, "manages"), eq(edges.fromId, managerNodeId), eq(edges.validTo, at)));
  await tx
    .update(nodes)
    .set({ attributes: sql`${nodes.attributes} || '{"managerPending": true}'::jsonb`, updatedAt: at })
    .where(and(currentHumans(ctx.source.id), inArray(nodes.id, ended)));
}
