import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
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
  /** A handle on the read replica (DATABASE_READ_URL), when one is configured: read-only work that may lag. */
  readDb?: Db;
  /** Its pool. */
  readPool?: import("pg").Pool;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** A PostgreSQL connection string; when absent, PGlite is used. */
  url?: string;
  /** PGlite data folder; "memory://" keeps everything in memory (tests). */
  dataDir?: string;
  /**
   * A PostgreSQL hot standby of `url` (DATABASE_READ_URL): index builds, reports and exports may read there
   * (lib/graph/graph-feed.ts pickReadDb decides, per read, whether it is recent enough). Never written to.
   */
  readUrl?: string;
}

// ---------------------------------------------------------------------------
// What hangs off a handle: its read replica, and work to stop before its pool ends (the graph feed's LISTEN
// connection). Keyed by the handle, so tests that open many databases in one process keep them apart.
// ---------------------------------------------------------------------------

// On globalThis, like the database itself: Next may load this module more than once per process.
type HandleMaps = { replicaOf: WeakMap<object, Db>; closeHooks: WeakMap<object, Set<() => Promise<void> | void>> };
const handleMaps: HandleMaps = ((globalThis as typeof globalThis & { __attestDbHandles?: HandleMaps }).__attestDbHandles ??= {
  replicaOf: new WeakMap(),
  closeHooks: new WeakMap(),
});
const { replicaOf, closeHooks } = handleMaps;

/** The read replica's handle for a primary handle, if DATABASE_READ_URL (or `readUrl`) configured one. */
export function readReplicaOf(db: Db): Db | undefined {
  return replicaOf.get(db);
}

/** Runs `hook` when the database behind `db` is closed, before its pool ends; answers a function that unregisters it. */
export function onDatabaseClose(db: Db, hook: () => Promise<void> | void): () => void {
  let hooks = closeHooks.get(db);
  if (!hooks) closeHooks.set(db, (hooks = new Set()));
  hooks.add(hook);
  return () => hooks.delete(hook);
}

async function runCloseHooks(db: Db): Promise<void> {
  const hooks = closeHooks.get(db);
  if (!hooks) return;
  closeHooks.delete(db);
  await Promise.allSettled([...hooks].map(async (h) => h()));
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
    const open = (url: string, name: string, max: number) => {
      const pool = new Pool({ connectionString: url, max, application_name: name, options: `-c statement_timeout=${STATEMENT_TIMEOUT_MS}` });
      // An idle client error (server restart) must not crash the process.
      pool.on("error", (err) => console.error(`[db] idle client error (${name}):`, err.message));
      return pool;
    };
    const pool = open(opts.url, "attest", Number(process.env.ATTEST_PG_POOL_MAX ?? 10));
    const db = drizzle({ client: pool, schema }) as unknown as Db;
    let readPool: import("pg").Pool | undefined;
    let readDb: Db | undefined;
    if (opts.readUrl) {
      readPool = open(opts.readUrl, "attest-read", Number(process.env.ATTEST_PG_READ_POOL_MAX ?? process.env.ATTEST_PG_POOL_MAX ?? 10));
      readDb = drizzle({ client: readPool, schema }) as unknown as Db;
      replicaOf.set(db, readDb);
    }
    return {
      db,
      kind: "postgres",
      pool,
      readDb,
      readPool,
      async close() {
        await runCloseHooks(db);
        await Promise.all([pool.end(), readPool?.end()]);
      },
    };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  let client;
  let release = () => {};
  if (!opts.dataDir || opts.dataDir === "memory://") {
    client = new PGlite();
  } else {
    mkdirSync(opts.dataDir, { recursive: true });
    release = acquirePgliteLock(opts.dataDir);
    client = new PGlite(path.join(opts.dataDir, "pglite"));
  }
  try {
    await client.waitReady;
  } catch (err) {
    release();
    throw err;
  }
  const db = drizzle({ client, schema }) as unknown as Db;
  return {
    db,
    kind: "pglite",
    close: async () => {
      await runCloseHooks(db);
      try {
        await client.close();
      } finally {
        release();
      }
    },
  };
}

export function databaseUrlFromEnv(): string | undefined {
  const url = process.env.DATABASE_URL?.trim();
  return url ? url : undefined;
}

/** DATABASE_READ_URL: an optional hot standby of DATABASE_URL (ignored without DATABASE_URL: PGlite has no replica). */
export function databaseReadUrlFromEnv(): string | undefined {
  const url = process.env.DATABASE_READ_URL?.trim();
  return url && databaseUrlFromEnv() ? url : undefined;
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
      const database = await openDatabase({ url: databaseUrlFromEnv(), readUrl: databaseReadUrlFromEnv(), dataDir: resolveDataDir() });
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

// ---------------------------------------------------------------------------
// One process per PGlite folder. Two processes opening the same folder would
// corrupt it, so the opener holds <dataDir>/pglite.lock: {pid, host, identity}.
// The server takes it at start and keeps it for its life; CLIs (npm run
// audit:verify) take it too, or are told to ask the server's API instead.
// A lock whose process is gone (or whose pid now belongs to another process,
// told apart on Linux by boot id and start time) is stale and taken over.
// Within one process the lock is re-entrant, so nothing changes for the server.
// ---------------------------------------------------------------------------

export const PGLITE_LOCK_FILE = "pglite.lock";

interface LockHolder {
  pid: number;
  host: string;
  identity: string | null;
  since: string;
}

export class DatabaseInUseError extends Error {
  constructor(
    readonly lockFile: string,
    readonly holder: LockHolder,
  ) {
    super(
      `the embedded database in ${path.dirname(lockFile)} is in use by process ${holder.pid} on ${holder.host} (since ${holder.since}), ` +
        `most likely the Attest server; PGlite can be opened by one process only. Ask the running server through its API instead, ` +
        `or stop it first. If no such process exists, delete ${lockFile}.`,
    );
    this.name = "DatabaseInUseError";
  }
}

/** Locks this process holds, on globalThis because Next may load this module more than once per process. */
const heldLocks = ((globalThis as typeof globalThis & { __attestPgliteLocks?: Map<string, { count: number; onExit: () => void }> }).__attestPgliteLocks ??=
  new Map());

/** Linux: boot id + process start time, so a recycled pid is not mistaken for the holder. */
function processIdentity(pid: number): string | null {
  try {
    const boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const start = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
    return start ? `${boot}:${start}` : null;
  } catch {
    return null;
  }
}

function readHolder(file: string): { raw: string; holder: LockHolder | null } | null {
  let raw: string;
  try {
    raw = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  try {
    const h = JSON.parse(raw) as LockHolder;
    return { raw, holder: Number.isInteger(h.pid) && h.pid > 0 ? h : null };
  } catch {
    // A half-written lock: its writer died between create and write, or is writing now.
    return { raw, holder: null };
  }
}

function holderAlive(h: LockHolder): boolean {
  if (h.host !== os.hostname()) return true; // another machine sharing the folder: cannot tell, assume it is there
  if (h.pid === process.pid) return false; // our pid but not in heldLocks: left by an earlier process that had our pid
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ESRCH") return false;
  }
  return !h.identity || h.identity === processIdentity(h.pid);
}

function acquirePgliteLock(dataDir: string): () => void {
  const file = path.join(path.resolve(dataDir), PGLITE_LOCK_FILE);
  let entry = heldLocks.get(file);
  if (!entry) {
    takeLockFile(file);
    const onExit = () => removeIfOurs(file);
    process.on("exit", onExit);
    entry = { count: 0, onExit };
    heldLocks.set(file, entry);
  }
  entry.count++;
  let released = false;
  return () => {
    const e = heldLocks.get(file);
    if (released || !e) return;
    released = true;
    if (--e.count > 0) return;
    heldLocks.delete(file);
    process.off("exit", e.onExit);
    removeIfOurs(file);
  };
}

function removeIfOurs(file: string): void {
  if (readHolder(file)?.holder?.pid === process.pid) rmSync(file, { force: true });
}

function takeLockFile(file: string): void {
  const me = JSON.stringify({ pid: process.pid, host: os.hostname(), identity: processIdentity(process.pid), since: new Date().toISOString() });
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, me, { flag: "wx" });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    if (attempt > 10) throw new Error(`could not take ${file}: it keeps changing; is another process starting on this folder?`);
    const seen = readHolder(file);
    if (seen === null) continue; // released in the meantime
    if (seen.holder && holderAlive(seen.holder)) throw new DatabaseInUseError(file, seen.holder);
    if (!seen.holder && attempt < 5) {
      sleepSync(50); // a writer between create and write gets its moment
      continue;
    }
    // Stale. Move it aside atomically, and keep it removed only if what moved is what was judged stale.
    const grave = `${file}.${process.pid}.stale`;
    try {
      renameSync(file, grave);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw err;
    }
    const moved = readHolder(grave);
    if (moved && moved.raw !== seen.raw) {
      // Another process took the lock between our read and the move: give it back (the next round reports it).
      try {
        linkSync(grave, file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      } finally {
        rmSync(grave, { force: true });
      }
      continue;
    }
    rmSync(grave, { force: true });
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
