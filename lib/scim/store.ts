import { and, asc, eq, inArray, isNull, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { edges, nodes, sources } from "@/db/schema";
import { emitAudit, type AuditEventInput } from "@/lib/audit/emit-audit";
import { systemActor } from "@/lib/authz/actor";
import { NODE_ID_PREFIX } from "@/lib/graph/model";
import { notifyGraphChanged, recordGraphChange } from "@/lib/graph/after-change";
import { bumpGraphVersion } from "@/lib/graph/version";
import { newId, ulid } from "@/lib/ids";
import { firstAttributeSecret, secretRefusal } from "@/lib/ingest/secrets/attributes";
import type { ScimSource } from "./auth";
import type { Leniency } from "./config";
import { invalidValue } from "./errors";

/** What every SCIM domain function works with: the database, the source the token names, and where the API lives. */
export interface ScimContext {
  db: Db;
  source: ScimSource;
  /** Absolute SCIM root, e.g. https://attest.example/scim/v2. */
  base: string;
  requestId: string;
  /** Strict (refuse) or lenient (ignore and record) about unknown input; unset is strict. */
  lx?: Leniency;
}

export type NodeRow = typeof nodes.$inferSelect;
export type ScimKind = "human" | "group";
export type ScimEdgeKind = "member_of" | "manages";

/**
 * One SCIM write: a transaction that first locks the source row, so writes of
 * one source never interleave (userName uniqueness and edge diffs are checked
 * and applied under the lock), then marks the graph changed, records when the
 * source last spoke, and appends the audit event (and any `more` events the
 * write caused, such as pending manager references it resolved), all or nothing.
 * What it changed goes to the after-change outbox in the same transaction; offboarding
 * a deactivated or deleted person and findings follow after commit (lib/pipeline).
 */
export async function scimWrite<T>(
  ctx: ScimContext,
  fn: (tx: Db, at: Date) => Promise<{ result: T; audit: Omit<AuditEventInput, "requestId">; more?: Omit<AuditEventInput, "requestId">[] }>,
): Promise<T> {
  const result = await ctx.db.transaction(async (tx) => {
    await tx.select({ id: sources.id }).from(sources).where(eq(sources.id, ctx.source.id)).for("update");
    const at = new Date();
    const touched: Touched = { nodes: new Set(), edges: new Set() };
    changedIn.set(tx, touched);
    const { result, audit, more = [] } = await fn(tx, at);
    await tx.update(sources).set({ lastImportAt: at, updatedAt: at }).where(eq(sources.id, ctx.source.id));
    await bumpGraphVersion(tx);
    await recordGraphChange(tx, { origin: "scim", ref: ctx.source.name, nodeIds: [...touched.nodes], edgeIds: [...touched.edges], sourceIds: [ctx.source.id] });
    const actor = systemActor(`scim:${ctx.source.name}`);
    for (const event of [audit, ...more]) await emitAudit(tx, actor, { ...event, requestId: ctx.requestId });
    return result;
  });
  notifyGraphChanged();
  return result;
}

type Touched = { nodes: Set<string>; edges: Set<string> };
/** What the write in progress on a transaction changed (the helpers below note it), for the outbox record. */
const changedIn = new WeakMap<Db, Touched>();
function noteChanged(tx: Db, nodeIds: string[], edgeIds: string[] = []): void {
  const t = changedIn.get(tx);
  if (!t) return;
  for (const id of nodeIds) t.nodes.add(id);
  for (const id of edgeIds) t.edges.add(id);
}

const current = (sourceId: string, kind: ScimKind) => and(eq(nodes.sourceId, sourceId), eq(nodes.kind, kind), isNull(nodes.validTo));

/** The current node a SCIM id names in this source, or undefined (ended nodes and other sources' nodes are not found). */
export async function findScimNode(db: Db, sourceId: string, kind: ScimKind, scimId: string): Promise<NodeRow | undefined> {
  const [row] = await db
    .select()
    .from(nodes)
    .where(and(current(sourceId, kind), eq(nodes.externalId, scimId)))
    .limit(1);
  return row;
}

/** Current nodes of this source and kind, oldest first, narrowed by `where` (a necessary condition, never the whole filter). */
export async function listScimNodes(db: Db, sourceId: string, kind: ScimKind, where?: SQL, page?: { offset: number; limit: number }): Promise<NodeRow[]> {
  const q = db
    .select()
    .from(nodes)
    .where(and(current(sourceId, kind), where))
    .orderBy(asc(nodes.createdAt), asc(nodes.id));
  return page ? q.offset(page.offset).limit(page.limit) : q;
}

export async function countScimNodes(db: Db, sourceId: string, kind: ScimKind, where?: SQL): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(nodes)
    .where(and(current(sourceId, kind), where));
  return row?.n ?? 0;
}

/** Current users and groups of this source by SCIM id, for member and manager references. */
export async function findByScimIds(db: Db, sourceId: string, kinds: ScimKind[], scimIds: string[]): Promise<NodeRow[]> {
  if (scimIds.length === 0) return [];
  return db
    .select()
    .from(nodes)
    .where(and(eq(nodes.sourceId, sourceId), inArray(nodes.kind, kinds), isNull(nodes.validTo), inArray(nodes.externalId, scimIds)));
}

export interface NodeFields {
  name: string;
  status: string | null;
  attributes: Record<string, unknown>;
}

/** Issue 13: a secret-looking value anywhere in a resource is refused, never stored (lib/ingest/secrets/attributes.ts). */
async function refuseSecrets(f: NodeFields): Promise<void> {
  const secret = await firstAttributeSecret(f.attributes.scim ?? f.attributes);
  if (secret) throw invalidValue(secretRefusal(secret));
}

export async function insertScimNode(tx: Db, sourceId: string, kind: ScimKind, f: NodeFields, at: Date): Promise<NodeRow> {
  await refuseSecrets(f);
  const [row] = await tx
    .insert(nodes)
    .values({
      id: newId(NODE_ID_PREFIX[kind]),
      kind,
      sourceId,
      externalId: ulid(at.getTime()),
      ...f,
      firstSeenAt: at,
      lastSeenAt: at,
      validFrom: at,
      createdAt: at,
      updatedAt: at,
    })
    .returning();
  noteChanged(tx, [row!.id]);
  return row!;
}

/** A person the IdP deactivates is offboarded by the pipeline from the outbox record (lib/pipeline/follow-ups.ts). */
export async function updateScimNode(tx: Db, id: string, f: NodeFields, at: Date): Promise<NodeRow> {
  await refuseSecrets(f);
  const [row] = await tx
    .update(nodes)
    .set({ ...f, lastSeenAt: at, updatedAt: at })
    .where(eq(nodes.id, id))
    .returning();
  noteChanged(tx, [id]);
  return row!;
}

/** Ends a node (validTo = at; the row stays for history) and every current edge of this source that touches it. */
export async function endScimNode(tx: Db, sourceId: string, nodeId: string, at: Date): Promise<number> {
  await tx.update(nodes).set({ validTo: at, updatedAt: at }).where(eq(nodes.id, nodeId));
  const ended = await tx
    .update(edges)
    .set({ validTo: at, updatedAt: at })
    .where(and(eq(edges.sourceId, sourceId), isNull(edges.validTo), or(eq(edges.fromId, nodeId), eq(edges.toId, nodeId))))
    .returning({ id: edges.id });
  noteChanged(
    tx,
    [nodeId],
    ended.map((e) => e.id),
  );
  return ended.length;
}

export interface EdgeEnd {
  id: string;
  externalId: string;
  kind: string;
  name: string;
}

export interface LinkedEdge {
  edgeId: string;
  fromId: string;
  toId: string;
  /** The node at the other end from the one asked about. */
  other: EdgeEnd;
}

/** Current edges of this source and kind that end at (side "to") or start from (side "from") the given nodes, with the node at the other end. */
export async function linkedEdges(db: Db, sourceId: string, kind: ScimEdgeKind, side: "from" | "to", nodeIds: string[]): Promise<LinkedEdge[]> {
  if (nodeIds.length === 0) return [];
  const near = side === "to" ? edges.toId : edges.fromId;
  const far = side === "to" ? edges.fromId : edges.toId;
  const rows = await db
    .select({ edgeId: edges.id, fromId: edges.fromId, toId: edges.toId, id: nodes.id, externalId: nodes.externalId, kind: nodes.kind, name: nodes.name })
    .from(edges)
    .innerJoin(nodes, eq(nodes.id, far))
    .where(and(eq(edges.sourceId, sourceId), eq(edges.kind, kind), isNull(edges.validTo), inArray(near, nodeIds)))
    // Oldest membership first; edges written together order by the other end's SCIM id, so reads are stable.
    .orderBy(asc(edges.createdAt), asc(nodes.externalId));
  return rows.map((r) => ({ edgeId: r.edgeId, fromId: r.fromId, toId: r.toId, other: { id: r.id, externalId: r.externalId, kind: r.kind, name: r.name } }));
}

/**
 * Makes the current edges of one kind at one node equal `desired`: edges no
 * longer wanted are ended (validTo = at), new ones open a new row, unchanged
 * ones stay as they are. Returns the SCIM ids of the other ends added and removed.
 */
export async function syncEdges(
  tx: Db,
  sourceId: string,
  kind: ScimEdgeKind,
  existing: LinkedEdge[],
  desired: { from: EdgeEnd; to: EdgeEnd }[],
  otherEnd: "from" | "to",
  at: Date,
): Promise<{ added: string[]; removed: string[] }> {
  const key = (from: string, to: string) => `${from}->${to}`;
  const want = new Map(desired.map((d) => [key(d.from.id, d.to.id), d]));
  const have = new Set(existing.map((e) => key(e.fromId, e.toId)));
  const gone = existing.filter((e) => !want.has(key(e.fromId, e.toId)));
  const fresh = [...want.entries()].filter(([k]) => !have.has(k)).map(([, d]) => d);
  if (gone.length) {
    await tx
      .update(edges)
      .set({ validTo: at, updatedAt: at })
      .where(
        inArray(
          edges.id,
          gone.map((e) => e.edgeId),
        ),
      );
    noteChanged(
      tx,
      [],
      gone.map((e) => e.edgeId),
    );
  }
  for (let i = 0; i < fresh.length; i += 500) {
    const inserted = await tx
      .insert(edges)
      .values(
        fresh.slice(i, i + 500).map((d) => ({
          id: newId("edg"),
          kind,
          sourceId,
          externalId: `${kind}:${d.from.externalId}->${d.to.externalId}`,
          fromId: d.from.id,
          toId: d.to.id,
          firstSeenAt: at,
          lastSeenAt: at,
          validFrom: at,
          createdAt: at,
          updatedAt: at,
        })),
      )
      .returning({ id: edges.id });
    noteChanged(
      tx,
      [],
      inserted.map((e) => e.id),
    );
  }
  return { added: fresh.map((d) => d[otherEnd].externalId), removed: gone.map((e) => e.other.externalId) };
}
