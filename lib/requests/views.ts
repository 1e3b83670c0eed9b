import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { accessRequests, appUsers, edges, nodes } from "@/db/schema";
import type { NodeKind } from "@/lib/graph/model";
import { riskOfToolAttributes, type ToolRisk } from "@/lib/graph/tool-risk";
import { whyInWords, type RequestStatus } from "./model";

export type RequestRow = typeof accessRequests.$inferSelect;

export interface NodeBrief {
  id: string;
  kind: NodeKind | null;
  name: string;
  status: string | null;
}

export interface UserBrief {
  id: string;
  name: string;
  email: string;
}

export interface AccessRequestView {
  id: string;
  status: RequestStatus;
  action: string;
  reasonCode: string;
  /** Why the decision point asked for a person's approval, in words. */
  why: string;
  justification: string | null;
  subject: NodeBrief;
  actingFor: NodeBrief | null;
  tool: NodeBrief & { risk: ToolRisk | null; riskReason: string | null; server: { id: string; name: string } | null };
  /** Who must decide; null = any admin. */
  approver: UserBrief | null;
  decidedBy: UserBrief | null;
  decidedAt: string | null;
  decisionNote: string | null;
  grantExpiresAt: string | null;
  requestExpiresAt: string;
  requestedVia: string | null;
  graphVersion: number | null;
  createdAt: string;
  /** Send it back with a decision: a decision on an older version answers 409. */
  version: number;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** A node that is gone from the database still shows, by its id (names are untrusted data: render as text). */
const missing = (id: string): NodeBrief => ({ id, kind: null, name: id, status: null });

/** The views of a page of requests: names of subjects, principals and tools, each tool's risk and server; a few queries per page. */
export async function requestViews(db: Db, rows: RequestRow[]): Promise<AccessRequestView[]> {
  if (rows.length === 0) return [];
  const nodeIds = [...new Set(rows.flatMap((r) => [r.subjectId, r.toolId, r.actingForId]).filter((x): x is string => !!x))];
  const userIds = [...new Set(rows.flatMap((r) => [r.approverId, r.decidedById]).filter((x): x is string => !!x))];
  const toolIds = [...new Set(rows.map((r) => r.toolId))];
  const [nodeRows, userRows, serverRows] = await Promise.all([
    db
      .select({ id: nodes.id, kind: nodes.kind, name: nodes.name, status: nodes.status, attributes: nodes.attributes })
      .from(nodes)
      .where(inArray(nodes.id, nodeIds)),
    userIds.length
      ? db.select({ id: appUsers.id, name: appUsers.name, email: appUsers.email }).from(appUsers).where(inArray(appUsers.id, userIds))
      : Promise.resolve([]),
    db
      .select({ toolId: edges.toId, id: nodes.id, name: nodes.name })
      .from(edges)
      .innerJoin(nodes, eq(nodes.id, edges.fromId))
      .where(and(eq(edges.kind, "exposes"), isNull(edges.validTo), inArray(edges.toId, toolIds))),
  ]);
  const byNode = new Map(nodeRows.map((n) => [n.id, n]));
  const byUser = new Map(userRows.map((u) => [u.id, u]));
  const serverOf = new Map(serverRows.map((s) => [s.toolId, { id: s.id, name: s.name }]));
  const brief = (id: string): NodeBrief => {
    const n = byNode.get(id);
    return n ? { id, kind: n.kind, name: n.name, status: n.status } : missing(id);
  };
  const user = (id: string | null) => (id ? (byUser.get(id) ?? { id, name: id, email: "" }) : null);
  return rows.map((r) => {
    const t = byNode.get(r.toolId);
    const risk = t?.kind === "tool" ? riskOfToolAttributes(t.attributes) : null;
    return {
      id: r.id,
      status: r.status,
      action: r.action,
      reasonCode: r.reasonCode,
      why: whyInWords(r.reasonCode),
      justification: r.justification,
      subject: brief(r.subjectId),
      actingFor: r.actingForId ? brief(r.actingForId) : null,
      tool: { ...brief(r.toolId), risk: risk?.risk ?? null, riskReason: risk?.reason ?? null, server: serverOf.get(r.toolId) ?? null },
      approver: user(r.approverId),
      decidedBy: user(r.decidedById),
      decidedAt: iso(r.decidedAt),
      decisionNote: r.decisionNote,
      grantExpiresAt: iso(r.grantExpiresAt),
      requestExpiresAt: r.requestExpiresAt.toISOString(),
      requestedVia: r.requestedVia,
      graphVersion: r.graphVersion,
      createdAt: r.createdAt.toISOString(),
      version: r.version,
    };
  });
}
