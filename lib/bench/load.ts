import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { sources } from "@/db/schema";
import { EDGE_KINDS, NODE_ID_PREFIX } from "@/lib/graph/model";
import { recordGraphChange } from "@/lib/graph/after-change";
import { bumpGraphVersion } from "@/lib/graph/version";
import { nodeStatus } from "@/lib/ingest/graph-writer";
import { newId } from "@/lib/ids";
import type { BenchDataset } from "./dataset";

export interface LoadResult {
  /** The Attest id of every dataset node, by node index. */
  ids: string[];
  sourceId: string;
  nodes: number;
  edges: number;
  nodeMs: number;
  edgeMs: number;
  totalMs: number;
}

/** Rows per INSERT: each statement sends one array per column (PERFORMANCE-NOTES: ~10k/batch is near COPY speed). */
export const LOAD_BATCH = 10_000;

interface LoadOptions {
  batch?: number;
  at?: Date;
  onProgress?: (done: number, total: number) => void;
}

/** The row values of node j and edge j. */
function rowsOf(ds: BenchDataset, ids: string[]) {
  return {
    node(j: number) {
      const attributes = ds.attributes[j] ?? {};
      return {
        id: ids[j]!,
        kind: ds.nodeKinds[j]!,
        externalId: ds.externalIds[j]!,
        name: ds.names[j]!,
        status: nodeStatus(attributes),
        attributes: JSON.stringify(attributes),
      };
    },
    edge(j: number) {
      const f = ds.edgeFrom[j]!;
      const t = ds.edgeTo[j]!;
      const kind = EDGE_KINDS[ds.edgeKinds[j]!]!;
      return {
        id: newId("edg"),
        kind,
        // The import engine's external id shape, so a later import of the same source finds these edges.
        externalId: `${kind}:${ds.source}:${ds.nodeKinds[f]}:${ds.externalIds[f]}->${ds.source}:${ds.nodeKinds[t]}:${ds.externalIds[t]}`,
        fromId: ids[f]!,
        toId: ids[t]!,
      };
    },
  };
}

/**
 * Writes a dataset straight into the graph tables, bypassing the import
 * engine, in one transaction: one source row, then nodes and edges with
 * `INSERT … SELECT FROM unnest($1::text[], …)`, one array per column, in
 * batches. The same on PGlite and PostgreSQL: node-postgres has no COPY
 * without an extra package, and PGlite's COPY FROM '/dev/blob' measured no
 * faster than this (slower on the M dataset). On PostgreSQL the rate is
 * bounded by the server maintaining the edges table's five indexes on text
 * keys (an INSERT … SELECT of the same rows between two tables runs no faster).
 * Bumps the graph version so caches see a new graph. The database must not
 * hold the dataset's source yet.
 */
export async function bulkLoad(db: Db, ds: BenchDataset, opts: LoadOptions = {}): Promise<LoadResult> {
  const batch = opts.batch ?? LOAD_BATCH;
  const at = opts.at ?? new Date();
  const stamp = at.toISOString();
  const ids = ds.nodeKinds.map((k) => newId(NODE_ID_PREFIX[k]));
  const rows = rowsOf(ds, ids);
  const sourceId = newId("src");
  const total = ds.nodeKinds.length + ds.edgeKinds.length;
  const description = `benchmark dataset ${ds.size} (seed ${ds.seed})`;
  const started = performance.now();
  let nodeMs = 0;
  let edgeMs = 0;

  await db.transaction(async (tx) => {
    await tx.insert(sources).values({ id: sourceId, name: ds.source, type: "import", description, lastImportAt: at });
    const t0 = performance.now();
    for (let i = 0; i < ids.length; i += batch) {
      const end = Math.min(ids.length, i + batch);
      const cols = {
        id: [] as string[],
        kind: [] as string[],
        externalId: [] as string[],
        name: [] as string[],
        status: [] as (string | null)[],
        attributes: [] as string[],
      };
      for (let j = i; j < end; j++) {
        const n = rows.node(j);
        for (const k of Object.keys(cols) as (keyof typeof cols)[]) (cols[k] as (string | null)[]).push(n[k]);
      }
      await tx.execute(sql`
        insert into nodes (id, kind, source_id, external_id, name, status, attributes, first_seen_at, last_seen_at, valid_from)
        select id, kind, ${sourceId}::text, external_id, name, status, attributes::jsonb, ${stamp}::timestamptz, ${stamp}::timestamptz, ${stamp}::timestamptz
        from unnest(
          ${sql.param(cols.id)}::text[],
          ${sql.param(cols.kind)}::text[],
          ${sql.param(cols.externalId)}::text[],
          ${sql.param(cols.name)}::text[],
          ${sql.param(cols.status)}::text[],
          ${sql.param(cols.attributes)}::text[]
        ) as t(id, kind, external_id, name, status, attributes)`);
      opts.onProgress?.(end, total);
    }
    const t1 = performance.now();
    nodeMs = t1 - t0;
    for (let i = 0; i < ds.edgeKinds.length; i += batch) {
      const end = Math.min(ds.edgeKinds.length, i + batch);
      const cols = { id: [] as string[], kind: [] as string[], externalId: [] as string[], fromId: [] as string[], toId: [] as string[] };
      for (let j = i; j < end; j++) {
        const e = rows.edge(j);
        for (const k of Object.keys(cols) as (keyof typeof cols)[]) cols[k].push(e[k]);
      }
      await tx.execute(sql`
        insert into edges (id, kind, source_id, external_id, from_id, to_id, first_seen_at, last_seen_at, valid_from)
        select id, kind, ${sourceId}::text, external_id, from_id, to_id, ${stamp}::timestamptz, ${stamp}::timestamptz, ${stamp}::timestamptz
        from unnest(
          ${sql.param(cols.id)}::text[],
          ${sql.param(cols.kind)}::text[],
          ${sql.param(cols.externalId)}::text[],
          ${sql.param(cols.fromId)}::text[],
          ${sql.param(cols.toId)}::text[]
        ) as t(id, kind, external_id, from_id, to_id)`);
      opts.onProgress?.(ids.length + end, total);
    }
    edgeMs = performance.now() - t1;
    await bumpGraphVersion(tx);
    // A whole source at once: recorded as whole-scope, so the pipeline's follow-ups take it in full.
    await recordGraphChange(tx, { origin: "seed", ref: description, sourceIds: [sourceId], full: true });
  });
  return { ids, sourceId, nodes: ids.length, edges: ds.edgeKinds.length, nodeMs, edgeMs, totalMs: performance.now() - started };
}

/**
 * VACUUM ANALYZE of the graph tables after a bulk load. The statistics matter
 * most: PGlite has no autovacuum, and without statistics its planner scans
 * every access edge once per recursion step (measured: 22 s instead of 40 ms
 * for a depth-8 recursive CTE on the S dataset). On PostgreSQL it also keeps
 * autovacuum from waking up on the fresh rows in the middle of a measurement.
 * Must run outside a transaction.
 */
export async function analyzeGraph(db: Db): Promise<void> {
  await db.execute(sql`vacuum analyze nodes`);
  await db.execute(sql`vacuum analyze edges`);
}
