import { createWriteStream } from "node:fs";
import { chmod, readFile } from "node:fs/promises";
import { once } from "node:events";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { nodeStatus } from "@/lib/ingest/graph-writer";
import { newId } from "@/lib/ids";
import { EDGE_KINDS, NODE_ID_PREFIX } from "@/lib/graph/model";
import type { BenchDataset } from "./dataset";

const NODE_COLUMNS = [
  "id",
  "kind",
  "source_id",
  "external_id",
  "name",
  "status",
  "attributes",
  "first_seen_at",
  "last_seen_at",
  "valid_from",
  "valid_to",
  "created_at",
  "updated_at",
];
const EDGE_COLUMNS = [
  "id",
  "kind",
  "source_id",
  "external_id",
  "from_id",
  "to_id",
  "attributes",
  "first_seen_at",
  "last_seen_at",
  "valid_from",
  "valid_to",
  "created_at",
  "updated_at",
];

/** A value in COPY's text format. */
const text = (v: string | null) => (v === null ? "\\N" : v.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r"));

async function writeLines(file: string, count: number, line: (i: number) => string): Promise<number> {
  const out = createWriteStream(file, { encoding: "utf8" });
  let bytes = 0;
  let buffer: string[] = [];
  let size = 0;
  for (let i = 0; i < count; i++) {
    const l = line(i);
    buffer.push(l);
    size += l.length;
    if (size >= 1 << 20) {
      const chunk = buffer.join("");
      bytes += Buffer.byteLength(chunk);
      buffer = [];
      size = 0;
      if (!out.write(chunk)) await once(out, "drain");
    }
  }
  const chunk = buffer.join("");
  bytes += Buffer.byteLength(chunk);
  out.end(chunk);
  await once(out, "close");
  await chmod(file, 0o644);
  return bytes;
}

export interface CopyFiles {
  /** The source id the rows carry (a source row with it must exist before COPY into the real, foreign-keyed tables). */
  sourceId: string;
  nodes: string;
  edges: string;
  rows: number;
  bytes: number;
}

/**
 * The dataset as the rows the import engine writes (same columns and values:
 * ids, source, external ids, names, status, attributes JSON, timestamps), in
 * COPY text files, readable by the database server's OS user.
 */
export async function writeCopyFiles(ds: BenchDataset, dir: string): Promise<CopyFiles> {
  const at = new Date().toISOString();
  const sourceId = newId("src");
  const ids = ds.nodeKinds.map((k) => newId(NODE_ID_PREFIX[k]));
  const nodes = path.join(dir, "nodes.copy");
  const edges = path.join(dir, "edges.copy");
  let bytes = await writeLines(nodes, ds.nodeKinds.length, (i) => {
    const a = ds.attributes[i] ?? {};
    return `${[ids[i]!, ds.nodeKinds[i]!, sourceId, ds.externalIds[i]!, ds.names[i]!, nodeStatus(a), JSON.stringify(a), at, at, at, null, at, at].map(text).join("\t")}\n`;
  });
  bytes += await writeLines(edges, ds.edgeKinds.length, (i) => {
    const f = ds.edgeFrom[i]!;
    const t = ds.edgeTo[i]!;
    const kind = EDGE_KINDS[ds.edgeKinds[i]!]!;
    const externalId = `${kind}:${ds.source}:${ds.nodeKinds[f]}:${ds.externalIds[f]}->${ds.source}:${ds.nodeKinds[t]}:${ds.externalIds[t]}`;
    return `${[newId("edg"), kind, sourceId, externalId, ids[f]!, ids[t]!, "{}", at, at, at, null, at, at].map(text).join("\t")}\n`;
  });
  return { sourceId, nodes, edges, rows: ds.nodeKinds.length + ds.edgeKinds.length, bytes };
}

/** Milliseconds of one COPY of `file` into `table`: PostgreSQL reads the file server-side; PGlite gets it as a blob. */
async function copyFile(database: Database, table: string, columns: string[], file: string): Promise<number> {
  const statement = `copy ${table} (${columns.join(", ")}) from ${database.kind === "postgres" ? `'${file.replace(/'/g, "''")}'` : "'/dev/blob'"}`;
  if (database.kind === "postgres") {
    // A baseline, not a request: at M the COPY into indexed tables runs past the pool's 30 s statement limit.
    return database.db.transaction(async (tx) => {
      await tx.execute(sql`set local statement_timeout = 0`);
      const t = performance.now();
      await tx.execute(sql.raw(statement));
      return performance.now() - t;
    });
  }
  // PGlite: the file is read into memory first (not timed), then handed over as a blob.
  const blob = new Blob([await readFile(file)]);
  const client = (database.db as unknown as { $client: { query(q: string, p: unknown[], o: { blob: Blob }): Promise<unknown> } }).$client;
  const t = performance.now();
  await client.query(statement, [], { blob });
  return performance.now() - t;
}

export interface CopyResult {
  method: string;
  rows: number;
  nodesMs: number;
  edgesMs: number;
  totalMs: number;
  rowsPerSecond: number;
}

/**
 * Raw COPY of the files into bare tables shaped like nodes and edges
 * (`create table … (like …)`: same columns and NOT NULLs, no keys, indexes,
 * checks or foreign keys): the ceiling the import path is compared with.
 * PostgreSQL reads the files server-side (`COPY … FROM '<file>'`); PGlite
 * gets them as a blob (`COPY … FROM '/dev/blob'`).
 */
export async function rawCopy(database: Database, files: CopyFiles, shape: "bare" | "indexed" = "bare"): Promise<CopyResult> {
  const { db } = database;
  // "indexed": the same indexes, checks and defaults as the real tables (not the foreign keys), to tell index upkeep from the engine's own work.
  const like = shape === "bare" ? "" : " including all";
  await db.execute(sql`drop table if exists bench_raw_nodes, bench_raw_edges`);
  await db.execute(sql.raw(`create table bench_raw_nodes (like nodes${like})`));
  await db.execute(sql.raw(`create table bench_raw_edges (like edges${like})`));
  const copy = (table: string, columns: string[], file: string) => copyFile(database, table, columns, file);
  const nodesMs = await copy("bench_raw_nodes", NODE_COLUMNS, files.nodes);
  const edgesMs = await copy("bench_raw_edges", EDGE_COLUMNS, files.edges);
  const counted = (
    (await db.execute(sql`select (select count(*) from bench_raw_nodes)::int + (select count(*) from bench_raw_edges)::int as n`)) as unknown as {
      rows: { n: number }[];
    }
  ).rows[0]!.n;
  if (counted !== files.rows) throw new Error(`raw COPY loaded ${counted} rows, expected ${files.rows}`);
  await db.execute(sql`drop table bench_raw_nodes, bench_raw_edges`);
  const totalMs = nodesMs + edgesMs;
  return {
    method: `${database.kind === "postgres" ? "server-side COPY FROM file" : "COPY FROM '/dev/blob'"}${shape === "indexed" ? ", tables with the real indexes and checks" : ", bare tables"}`,
    rows: files.rows,
    nodesMs,
    edgesMs,
    totalMs,
    rowsPerSecond: Math.round(files.rows / (totalMs / 1000)),
  };
}

/**
 * COPY of the files into the real `nodes` and `edges` tables of a freshly migrated database (every index, check,
 * generated column and foreign key the app's migrations create): the baseline of issue #19's import target
 * ("import ≥ 0.5× COPY into the same indexed tables"). `database` must be empty and is left holding the rows.
 */
export async function copyIntoMigratedTables(database: Database, files: CopyFiles): Promise<CopyResult> {
  const { db } = database;
  await db.execute(sql`insert into sources (id, name, type) values (${files.sourceId}, 'bench-copy', 'import')`);
  const copy = (table: string, columns: string[], file: string) => copyFile(database, table, columns, file);
  const nodesMs = await copy("nodes", NODE_COLUMNS, files.nodes);
  const edgesMs = await copy("edges", EDGE_COLUMNS, files.edges);
  const totalMs = nodesMs + edgesMs;
  return {
    method: `${database.kind === "postgres" ? "server-side COPY FROM file" : "COPY FROM '/dev/blob'"}, the real migrated tables (all indexes, checks, foreign keys)`,
    rows: files.rows,
    nodesMs,
    edgesMs,
    totalMs,
    rowsPerSecond: Math.round(files.rows / (totalMs / 1000)),
  };
}
