import { mkdirSync } from "node:fs";
import path from "node:path";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import * as schema from "./schema";

export type Schema = typeof schema;
/** The one database handle type: node-postgres and PGlite drizzle instances both satisfy it. */
export type Db = PgDatabase<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
export type DatabaseKind = "pglite" | "postgres";

export interface Database {
  db: Db;
  kind: DatabaseKind;
  /** The node-postgres pool, on PostgreSQL only. */
  pool?: import("pg").Pool;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** A PostgreSQL connection string; when absent, PGlite is used. */
  url?: string;
  /** PGlite data folder; "memory://" keeps everything in memory (tests). */
  dataDir?: string;
}

/** Per-statement time limit for user-driven queries, so no request can hang the server. */
const STATEMENT_TIMEOUT_MS = Number(process.env.ATTEST_STATEMENT_TIMEOUT_MS ?? 30_000);

export function resolveDataDir(): string {
  return path.resolve(/*turbopackIgnore: true*/ process.env.ATTEST_DATA_DIR ?? ".data");
}

/** The one factory: PostgreSQL when a URL is given, otherwise embedded PGlite. */
export async function openDatabase(opts: OpenOptions = {}): Promise<Database> {
  if (opts.url) {
    const { Pool } = await import("pg");
    const { drizzle } = await import("drizzle-orm/node-postgres");
    const pool = new Pool({
      connectionString: opts.url,
      max: Number(process.env.ATTEST_PG_POOL_MAX ?? 10),
      options: `-c statement_timeout=${STATEMENT_TIMEOUT_MS}`,
    });
    // An idle client error (server restart) must not crash the process.
    pool.on("error", (err) => console.error("[db] idle client error:", err.message));
    const db = drizzle({ client: pool, schema }) as unknown as Db;
    return { db, kind: "postgres", pool, close: () => pool.end() };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  let client;
  if (!opts.dataDir || opts.dataDir === "memory://") {
    client = new PGlite();
  } else {
    mkdirSync(opts.dataDir, { recursive: true });
    client = new PGlite(path.join(opts.dataDir, "pglite"));
  }
  await client.waitReady;
  const db = drizzle({ client, schema }) as unknown as Db;
  return { db, kind: "pglite", close: () => client.close() };
}

export function databaseUrlFromEnv(): string | undefined {
  const url = process.env.DATABASE_URL?.trim();
  return url ? url : undefined;
}

/** Demo mode: the embedded database, or ATTEST_DEMO=1 on PostgreSQL. */
export function isDemoMode(): boolean {
  return !databaseUrlFromEnv() || process.env.ATTEST_DEMO === "1";
}

type Global = typeof globalThis & { __attestDb?: Promise<Database> };

/**
 * The process-wide database, opened once and migrated on first use. Kept on
 * globalThis because Next may load this module more than once per process, and
 * PGlite must never be opened twice on one folder.
 */
export function getDatabase(): Promise<Database> {
  const g = globalThis as Global;
  if (!g.__attestDb) {
    g.__attestDb = (async () => {
      const database = await openDatabase({ url: databaseUrlFromEnv(), dataDir: resolveDataDir() });
      const { migrate } = await import("./migrate");
      await migrate(database);
      return database;
    })();
    g.__attestDb.catch(() => {
      g.__attestDb = undefined;
    });
  }
  return g.__attestDb;
}

export async function getDb(): Promise<Db> {
  return (await getDatabase()).db;
}
