import { count } from "drizzle-orm";
import type { Db } from "@/db/client";
import { appUserRoles, appUsers, edges, nodes, sources } from "@/db/schema";
import { emitAudit } from "@/lib/audit/emit-audit";
import { systemActor } from "@/lib/authz/actor";
import { hashPassword } from "@/lib/authz/password";
import { edgeKindMismatch, NODE_ID_PREFIX } from "@/lib/graph/model";
import { newId } from "@/lib/ids";
import type { SeedGraph } from "./graph-doc";

const BATCH = 500;
const STATUSES = new Set(["active", "inactive", "leave", "terminated"]);

export interface SeedResult {
  seeded: boolean;
  nodes: number;
  edges: number;
  users: number;
}

/** True when the database holds no graph and no app users: the only state the demo may be seeded into. */
export async function isDatabaseEmpty(db: Db): Promise<boolean> {
  const [n] = await db.select({ n: count() }).from(nodes);
  const [u] = await db.select({ n: count() }).from(appUsers);
  return (n?.n ?? 0) === 0 && (u?.n ?? 0) === 0;
}

/**
 * Writes a seed graph and its app users in one transaction, with one audit event.
 * Refuses (returns seeded: false) when the database already holds data: the
 * demo never writes over anyone's graph.
 */
export async function seedGraph(db: Db, graph: SeedGraph, at: Date = new Date()): Promise<SeedResult> {
  if (!(await isDatabaseEmpty(db))) return { seeded: false, nodes: 0, edges: 0, users: 0 };
  const sourceIds = new Map(graph.sources.map((s) => [s.name, newId("src")]));
  const nodeIds = new Map<string, { id: string; kind: string }>();
  const key = (source: string, kind: string, externalId: string) => `${source}\u0000${kind}\u0000${externalId}`;

  const nodeRows = graph.nodes.map((n) => {
    const sourceId = sourceIds.get(n.source);
    if (!sourceId) throw new Error(`seed node ${n.kind}:${n.externalId} names unknown source ${n.source}`);
    const k = key(n.source, n.kind, n.externalId);
    if (nodeIds.has(k)) throw new Error(`seed node ${k} appears twice`);
    const id = newId(NODE_ID_PREFIX[n.kind]);
    nodeIds.set(k, { id, kind: n.kind });
    const status = typeof n.attributes?.status === "string" && STATUSES.has(n.attributes.status) ? n.attributes.status : null;
    return {
      id,
      kind: n.kind,
      sourceId,
      externalId: n.externalId,
      name: n.name,
      status,
      attributes: n.attributes ?? {},
      firstSeenAt: at,
      lastSeenAt: at,
      validFrom: at,
    };
  });

  const edgeRows = graph.edges.map((e, i) => {
    const from = nodeIds.get(key(e.from.source ?? e.source, e.from.kind, e.from.externalId));
    const to = nodeIds.get(key(e.to.source ?? e.source, e.to.kind, e.to.externalId));
    if (!from || !to) throw new Error(`seed edge ${i} (${e.kind}) names a node that is not in the seed`);
    const mismatch = edgeKindMismatch(e.kind, e.from.kind, e.to.kind);
    if (mismatch) throw new Error(`seed edge ${i}: ${mismatch}`);
    return {
      id: newId("edg"),
      kind: e.kind,
      sourceId: sourceIds.get(e.source)!,
      externalId: `${e.kind}:${e.from.kind}:${e.from.externalId}->${e.to.kind}:${e.to.externalId}`,
      fromId: from.id,
      toId: to.id,
      attributes: e.attributes ?? {},
      firstSeenAt: at,
      lastSeenAt: at,
      validFrom: at,
    };
  });

  const users = await Promise.all(
    graph.users.map(async (u) => ({
      id: newId("usr"),
      email: u.email,
      name: u.name,
      passwordHash: await hashPassword(u.password),
      humanNodeId: u.humanExternalId ? findHuman(nodeIds, u.humanExternalId) : null,
      roles: u.roles,
    })),
  );

  await db.transaction(async (tx) => {
    await tx
      .insert(sources)
      .values(graph.sources.map((s) => ({ id: sourceIds.get(s.name)!, name: s.name, type: s.type, description: s.description, lastImportAt: at })));
    for (let i = 0; i < nodeRows.length; i += BATCH) await tx.insert(nodes).values(nodeRows.slice(i, i + BATCH));
    for (let i = 0; i < edgeRows.length; i += BATCH) await tx.insert(edges).values(edgeRows.slice(i, i + BATCH));
    for (const u of users) {
      await tx.insert(appUsers).values({ id: u.id, email: u.email, name: u.name, passwordHash: u.passwordHash, humanNodeId: u.humanNodeId });
      await tx.insert(appUserRoles).values(u.roles.map((role) => ({ userId: u.id, role, grantedBy: "system:seed" })));
    }
    await emitAudit(tx, systemActor("seed"), {
      action: "demo.seed",
      target: { type: "graph", id: "demo" },
      after: {
        sources: graph.sources.length,
        nodes: nodeRows.length,
        edges: edgeRows.length,
        users: users.map((u) => ({ id: u.id, email: u.email, roles: u.roles })),
      },
    });
  });
  return { seeded: true, nodes: nodeRows.length, edges: edgeRows.length, users: users.length };
}

function findHuman(ids: Map<string, { id: string; kind: string }>, externalId: string): string | null {
  for (const [k, v] of ids) if (v.kind === "human" && k.endsWith(`\u0000human\u0000${externalId}`)) return v.id;
  return null;
}
