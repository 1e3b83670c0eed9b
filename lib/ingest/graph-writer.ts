import { and, eq, isNull, lt, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rows } from "@/db/rows";
import { edges, nodes, sources, type ImportCounts } from "@/db/schema";
import { canonicalJson } from "@/lib/audit/canonical-json";
import { AppError, type ErrorDetail } from "@/lib/errors";
import { NODE_ID_PREFIX, type EdgeKind, type NodeKind } from "@/lib/graph/model";
import { newId } from "@/lib/ids";
import { MAX_LISTED_IDS, recordGraphChange } from "@/lib/graph/after-change";
import { bumpGraphVersion } from "@/lib/graph/version";
import type { GraphEdgeRecord, GraphNodeRecord, ImportMode } from "./graph-document";

const STATUSES = new Set(["active", "inactive", "leave", "terminated"]);
const refKey = (source: string, kind: string, externalId: string) => `${source}\u0000${kind}\u0000${externalId}`;

export function emptyCounts(): ImportCounts {
  return { nodesCreated: 0, nodesUpdated: 0, nodesEnded: 0, edgesCreated: 0, edgesUpdated: 0, edgesEnded: 0 };
}

/** A node's lifecycle status, from its `status` attribute (SCIM `active`, directories' `status`). */
export function nodeStatus(attributes: Record<string, unknown> | undefined): string | null {
  const s = attributes?.status;
  return typeof s === "string" && STATUSES.has(s) ? s : null;
}

export interface PendingEdge {
  record: GraphEdgeRecord;
  /** Where the record came from, for error messages: `edges[3]` or `line 42`. */
  where: string;
}

/**
 * Writes one source's graph facts inside the caller's transaction, chunk by
 * chunk, so a large import never needs the whole document in memory:
 * - nodes and edges are upserted by their keys; unchanged ones only get lastSeenAt;
 * - every row this import touches gets lastSeenAt = `at`, so a full import can
 *   end-date what it did not report with one statement per table in finish();
 * - edges whose ends are not in the database yet are retried at finish()
 *   (an edge may name a node that appears later in the file).
 */
export class GraphWriter {
  readonly counts = emptyCounts();
  private deferred: PendingEdge[] = [];
  /** Ids created, changed or ended, for the after-change outbox; null once past MAX_LISTED_IDS (recorded as whole-source). */
  private changedNodes: Set<string> | null = new Set();
  private changedEdges: Set<string> | null = new Set();

  private constructor(
    private readonly tx: Db,
    readonly sourceId: string,
    readonly sourceName: string,
    readonly at: Date,
    readonly mode: ImportMode,
  ) {}

  /**
   * Opens (creating if new) the source and locks it, so two imports of one source never interleave.
   * Follow-up work (offboarding people who left, remediation checks, findings) is not the writer's:
   * finish() records what changed, and lib/pipeline runs it after commit.
   */
  static async open(tx: Db, sourceName: string, sourceType: string, mode: ImportMode, at: Date): Promise<GraphWriter> {
    await tx
      .insert(sources)
      .values({ id: newId("src"), name: sourceName, type: sourceType })
      .onConflictDoNothing();
    const [src] = await tx.select({ id: sources.id, type: sources.type }).from(sources).where(eq(sources.name, sourceName)).for("update");
    // A SCIM source is the IdP's to write: a full import into it would end every identity the IdP pushed.
    if (src!.type === "scim" && sourceType !== "scim") {
      throw new AppError("conflict", `source ${sourceName} is kept by SCIM; import into another source name`, [{ path: "source", message: "a SCIM source" }]);
    }
    return new GraphWriter(tx, src!.id, sourceName, at, mode);
  }

  /** Upserts a chunk of nodes (the caller has removed duplicates). */
  async writeNodes(chunk: { record: GraphNodeRecord; where: string }[]): Promise<ErrorDetail[]> {
    const errors: ErrorDetail[] = [];
    const batch = chunk.map((c) => c.record);
    if (batch.length === 0) return errors;
    const existing = await rows<{
      id: string;
      kind: string;
      externalId: string;
      name: string;
      attributes: Record<string, unknown>;
      status: string | null;
      validTo: Date | null;
    }>(
      this.tx,
      sql`select n.id, n.kind, n.external_id as "externalId", n.name, n.attributes, n.status, n.valid_to as "validTo"
          from unnest(${sql.param(batch.map((n) => n.kind))}::text[], ${sql.param(batch.map((n) => n.externalId))}::text[]) as k(kind, external_id)
          cross join lateral (
            select * from nodes n where n.source_id = ${this.sourceId} and n.kind = k.kind and n.external_id = k.external_id limit 1 offset 0
          ) n`,
    );
    const byKey = new Map(existing.map((e) => [`${e.kind}\u0000${e.externalId}`, e]));
    const inserts: NewNode[] = [];
    const touched: string[] = [];
    for (const n of batch) {
      const attributes = n.attributes ?? {};
      const status = nodeStatus(attributes);
      const old = byKey.get(`${n.kind}\u0000${n.externalId}`);
      if (!old) {
        inserts.push({ id: newId(NODE_ID_PREFIX[n.kind]), kind: n.kind, externalId: n.externalId, name: n.name, status, attributes });
        continue;
      }
      const changed = old.name !== n.name || old.status !== status || old.validTo !== null || canonicalJson(old.attributes) !== canonicalJson(attributes);
      if (changed) {
        await this.tx
          .update(nodes)
          .set({ name: n.name, status, attributes, lastSeenAt: this.at, updatedAt: this.at, validTo: null, ...(old.validTo ? { validFrom: this.at } : {}) })
          .where(eq(nodes.id, old.id));
        this.counts.nodesUpdated++;
        // A person who just left is offboarded by the pipeline from this record (lib/pipeline/process-changes.ts).
        this.noteNodes([old.id]);
      } else touched.push(old.id);
    }
    if (inserts.length) {
      await insertNodes(this.tx, this.sourceId, this.at, inserts);
      this.counts.nodesCreated += inserts.length;
      this.noteNodes(inserts.map((i) => i.id));
    }
    if (touched.length)
      await this.tx
        .update(nodes)
        .set({ lastSeenAt: this.at })
        .where(sql`${nodes.id} = any(${sql.param(touched)}::text[])`);
    return errors;
  }

  /** Upserts a chunk of edges; ends not found yet are kept for finish(). */
  async writeEdges(chunk: PendingEdge[], final = false): Promise<ErrorDetail[]> {
    const errors: ErrorDetail[] = [];
    if (chunk.length === 0) return errors;
    const refs = new Map<string, { source: string; kind: NodeKind; externalId: string }>();
    for (const { record } of chunk) {
      for (const end of [record.from, record.to]) {
        const source = end.source ?? this.sourceName;
        refs.set(refKey(source, end.kind, end.externalId), { source, kind: end.kind, externalId: end.externalId });
      }
    }
    const list = [...refs.values()];
    const found = await rows<{ id: string; source: string; kind: string; externalId: string }>(
      this.tx,
      sql`select k.source, k.kind, k.external_id as "externalId", n.id
          from unnest(${sql.param(list.map((r) => r.source))}::text[], ${sql.param(list.map((r) => r.kind))}::text[], ${sql.param(list.map((r) => r.externalId))}::text[]) as k(source, kind, external_id)
          cross join lateral (
            select n.id from nodes n join sources s on s.id = n.source_id
            where s.name = k.source and n.kind = k.kind and n.external_id = k.external_id and n.valid_to is null limit 1 offset 0
          ) n`,
    );
    const ids = new Map(found.map((f) => [refKey(f.source, f.kind, f.externalId), f.id]));

    const resolved: { kind: EdgeKind; fromId: string; toId: string; attributes: Record<string, unknown>; externalId: string }[] = [];
    for (const p of chunk) {
      const { record } = p;
      const fromSource = record.from.source ?? this.sourceName;
      const toSource = record.to.source ?? this.sourceName;
      const fromId = ids.get(refKey(fromSource, record.from.kind, record.from.externalId));
      const toId = ids.get(refKey(toSource, record.to.kind, record.to.externalId));
      if (!fromId || !toId) {
        if (final) {
          const missing = !fromId ? record.from : record.to;
          errors.push({
            path: p.where,
            message: `edge ${!fromId ? "from" : "to"} ${missing.source ?? this.sourceName}:${missing.kind}:${missing.externalId}, which is neither in this import nor a current node`,
          });
        } else this.deferred.push(p);
        continue;
      }
      resolved.push({
        kind: record.kind,
        fromId,
        toId,
        attributes: record.attributes ?? {},
        externalId: `${record.kind}:${fromSource}:${record.from.kind}:${record.from.externalId}->${toSource}:${record.to.kind}:${record.to.externalId}`,
      });
    }
    if (resolved.length === 0) return errors;

    const existing = await rows<{ id: string; kind: string; fromId: string; toId: string; attributes: Record<string, unknown> }>(
      this.tx,
      sql`select e.id, e.kind, e.from_id as "fromId", e.to_id as "toId", e.attributes
          from unnest(${sql.param(resolved.map((e) => e.kind))}::text[], ${sql.param(resolved.map((e) => e.fromId))}::text[], ${sql.param(resolved.map((e) => e.toId))}::text[]) as k(kind, from_id, to_id)
          cross join lateral (
            select * from edges e
            where e.source_id || '' = ${this.sourceId} and e.kind = k.kind and e.from_id = k.from_id and e.to_id = k.to_id and e.valid_to is null limit 1 offset 0
          ) e`,
    );
    const byKey = new Map(existing.map((e) => [`${e.kind}\u0000${e.fromId}\u0000${e.toId}`, e]));
    const inserts: NewEdge[] = [];
    const touched: string[] = [];
    for (const e of resolved) {
      const old = byKey.get(`${e.kind}\u0000${e.fromId}\u0000${e.toId}`);
      if (!old) {
        inserts.push({ id: newId("edg"), kind: e.kind, externalId: e.externalId, fromId: e.fromId, toId: e.toId, attributes: e.attributes });
      } else if (canonicalJson(old.attributes) !== canonicalJson(e.attributes)) {
        await this.tx.update(edges).set({ attributes: e.attributes, lastSeenAt: this.at, updatedAt: this.at }).where(eq(edges.id, old.id));
        this.counts.edgesUpdated++;
        this.noteEdges([old.id]);
      } else touched.push(old.id);
    }
    if (inserts.length) {
      await insertEdges(this.tx, this.sourceId, this.at, inserts);
      this.counts.edgesCreated += inserts.length;
      this.noteEdges(inserts.map((i) => i.id));
    }
    if (touched.length)
      await this.tx
        .update(edges)
        .set({ lastSeenAt: this.at })
        .where(sql`${edges.id} = any(${sql.param(touched)}::text[])`);
    return errors;
  }

  private noteNodes(ids: string[]): void {
    this.changedNodes = note(this.changedNodes, this.changedEdges, ids);
  }

  private noteEdges(ids: string[]): void {
    this.changedEdges = note(this.changedEdges, this.changedNodes, ids);
  }

  /**
   * Retries deferred edges, then, for a full import, end-dates what this source
   * no longer reports (never deletes: history stays answerable), bumps the
   * graph version and records the change in the after-change outbox (`ref`:
   * the import id). Returns the errors of edges whose ends never appeared.
   */
  async finish(ref: string | null = null): Promise<ErrorDetail[]> {
    const errors: ErrorDetail[] = [];
    const deferred = this.deferred;
    this.deferred = [];
    for (let i = 0; i < deferred.length; i += 1000) errors.push(...(await this.writeEdges(deferred.slice(i, i + 1000), true)));
    if (this.mode === "full") {
      const endedEdges = await this.tx
        .update(edges)
        .set({ validTo: this.at, updatedAt: this.at })
        .where(and(eq(edges.sourceId, this.sourceId), isNull(edges.validTo), lt(edges.lastSeenAt, this.at)))
        .returning({ id: edges.id });
      const endedNodes = await this.tx
        .update(nodes)
        .set({ validTo: this.at, updatedAt: this.at })
        .where(and(eq(nodes.sourceId, this.sourceId), isNull(nodes.validTo), lt(nodes.lastSeenAt, this.at)))
        .returning({ id: nodes.id });
      this.counts.edgesEnded += endedEdges.length;
      this.counts.nodesEnded += endedNodes.length;
      this.noteEdges(endedEdges.map((e) => e.id));
      this.noteNodes(endedNodes.map((n) => n.id));
    }
    await this.tx.update(sources).set({ lastImportAt: this.at, updatedAt: this.at }).where(eq(sources.id, this.sourceId));
    if (Object.values(this.counts).some((n) => n > 0)) await bumpGraphVersion(this.tx);
    // Recorded even when nothing changed: an import that no longer reports revoked access is what verifies remediation.
    const full = this.changedNodes === null || this.changedEdges === null;
    await recordGraphChange(this.tx, {
      origin: "import",
      ref,
      nodeIds: full ? [] : [...this.changedNodes!],
      edgeIds: full ? [] : [...this.changedEdges!],
      sourceIds: [this.sourceId],
      full,
    });
    return errors;
  }
}

/*
 * The lookups of a chunk's existing rows are one lateral key lookup per record (`cross join lateral (… limit 1
 * offset 0)`), so each is an index probe on the table's unique key whatever the planner believes. The earlier
 * `(cols) in (select * from unnest(…))` form was planned from statistics that a large first import cannot have
 * (its rows are uncommitted, so never analysed): with every row in one source, PostgreSQL read the whole source's
 * rows for every chunk, and a 1M-edge import slowed quadratically (see docs/BENCHMARKS.md). Each key has at most
 * one row (nodes: unique per source, kind, external id; edges: one current row per source, kind, from, to).
 *
 * The edge probe compares `source_id || ''`, so it goes by (kind, to, from) and filters the source after: for a new
 * source PostgreSQL has no statistics and, seeing `source_id = …` estimated at one row, probed
 * edges_source_external_idx instead — every probe then read all of the source's rows written so far in this
 * transaction (at M, a 20k-edge first import of an AWS account: 5.2 s per 1,000-edge chunk, against 5 ms now).
 */

type NewNode = { id: string; kind: NodeKind; externalId: string; name: string; status: string | null; attributes: Record<string, unknown> };
type NewEdge = { id: string; kind: EdgeKind; externalId: string; fromId: string; toId: string; attributes: Record<string, unknown> };

/*
 * New rows go in as one `INSERT … SELECT FROM unnest($arrays)` per chunk: one
 * array parameter per column instead of a multi-row VALUES with a parameter
 * per cell (13 per edge), which PostgreSQL and above all PGlite parse and bind
 * far more slowly (PGlite, S dataset: edge inserts 14 s → see docs/BENCHMARKS.md).
 * Same columns and values as the drizzle insert it replaces; created_at and
 * updated_at keep their defaults.
 */
async function insertNodes(tx: Db, sourceId: string, at: Date, rows: NewNode[]): Promise<void> {
  const stamp = at.toISOString();
  await tx.execute(sql`
    insert into nodes (id, kind, source_id, external_id, name, status, attributes, first_seen_at, last_seen_at, valid_from)
    select id, kind, ${sourceId}::text, external_id, name, status, attributes::jsonb, ${stamp}::timestamptz, ${stamp}::timestamptz, ${stamp}::timestamptz
    from unnest(
      ${sql.param(rows.map((r) => r.id))}::text[],
      ${sql.param(rows.map((r) => r.kind))}::text[],
      ${sql.param(rows.map((r) => r.externalId))}::text[],
      ${sql.param(rows.map((r) => r.name))}::text[],
      ${sql.param(rows.map((r) => r.status))}::text[],
      ${sql.param(rows.map((r) => JSON.stringify(r.attributes)))}::text[]
    ) as t(id, kind, external_id, name, status, attributes)`);
}

async function insertEdges(tx: Db, sourceId: string, at: Date, rows: NewEdge[]): Promise<void> {
  const stamp = at.toISOString();
  await tx.execute(sql`
    insert into edges (id, kind, source_id, external_id, from_id, to_id, attributes, first_seen_at, last_seen_at, valid_from)
    select id, kind, ${sourceId}::text, external_id, from_id, to_id, attributes::jsonb, ${stamp}::timestamptz, ${stamp}::timestamptz, ${stamp}::timestamptz
    from unnest(
      ${sql.param(rows.map((r) => r.id))}::text[],
      ${sql.param(rows.map((r) => r.kind))}::text[],
      ${sql.param(rows.map((r) => r.externalId))}::text[],
      ${sql.param(rows.map((r) => r.fromId))}::text[],
      ${sql.param(rows.map((r) => r.toId))}::text[],
      ${sql.param(rows.map((r) => JSON.stringify(r.attributes)))}::text[]
    ) as t(id, kind, external_id, from_id, to_id, attributes)`);
}

/** Adds ids to a change list; past MAX_LISTED_IDS (both lists together) the list gives up: null = whole source. */
function note(list: Set<string> | null, other: Set<string> | null, ids: string[]): Set<string> | null {
  if (list === null || other === null) return null;
  for (const id of ids) list.add(id);
  return list.size + other.size > MAX_LISTED_IDS ? null : list;
}
