import { sql } from "drizzle-orm";
import { onDatabaseClose, readReplicaOf, type Db } from "@/db/client";
import { onGraphChanged } from "./after-change";
import { GRAPH_VERSION_CHANNEL, readGraphVersion } from "./version";

/**
 * How an instance learns the graph's version and where it reads from (issue #19).
 *
 * Contract shared by the access index (lib/graph/access-cache.ts), reports and exports:
 * - `knownGraphVersion(db)` answers the newest committed graph version this instance knows of, from memory
 *   when it can. `{ refresh: true }` always reads the primary.
 * - `pickReadDb(db, minVersion)` answers a handle to read graph rows at a version ≥ minVersion: the read replica
 *   (DATABASE_READ_URL) when configured and caught up, else the primary `db` itself.
 * - `withReadDb(db, minVersion, read)` runs a read-only `read` there, and again on the primary if the replica fails
 *   under it (index builds should use this).
 * - `pickCaughtUpReadDb(db)` answers a handle that sees every row committed (anywhere) before the call: the replica
 *   when it has replayed the primary's WAL up to now, else the primary. For reports and exports, whose rows are
 *   not only the graph's.
 *
 * ## The feed, and its staleness bound
 *
 * Every writer bumps graph_state.version and, in the same transaction, `pg_notify('attest_graph_version', v)`
 * (lib/graph/version.ts): delivered on commit only, so a notification is never ahead of committed rows.
 *
 * PostgreSQL: one dedicated `pg.Client` per primary pool (not one of the pool's connections) LISTENs. It keeps
 * `known`, the highest version it has heard of or read, and `confirmedAt`, the start time of the newest read of
 * graph_state whose answer is folded into `known`. Invariant: `known` ≥ every version committed before
 * `confirmedAt` (the read started after those commits, so its snapshot has them).
 * - After (re)connecting it LISTENs first and then reads graph_state once, on the same connection: a version
 *   committed while it was away is caught by that read, one committed after the LISTEN by a notification.
 * - While connected, the same connection re-reads graph_state every POLL/2 ms (a heartbeat: one tiny query per
 *   instance, whatever the request rate); it proves the connection alive and moves `confirmedAt`.
 * - `knownGraphVersion` answers `known` from memory when `now − confirmedAt ≤ POLL`; otherwise (the listener is
 *   down, reconnecting with backoff, or its heartbeat is late) it reads graph_state through the pool — one read at
 *   a time per database, shared by concurrent callers, so at most about once per POLL ms.
 *
 * **Bound**: an answer includes every change committed at least ATTEST_VERSION_POLL_MS (default 250) before the
 * call, whether or not the LISTEN connection is healthy. With it healthy, changes typically arrive within a
 * millisecond or two (the notification); the bound is what the design guarantees, not what is typical.
 * A caller that must see a given version (a client's consistency token) passes `{ refresh: true }` or compares.
 *
 * PGlite: one process, one session, transactions one at a time. The feed LISTENs through PGlite's `listen` and
 * reads graph_state once after; from then on every commit's notification is delivered with the commit's own
 * response, before the writer's `await` returns, so `known` is exact and answered from memory with no bound.
 *
 * Handles are mapped to feeds by their client (the pg pool or the PGlite instance) in a WeakMap: tests open many
 * databases in one process, each with its own feed; a feed stops when its database is closed.
 */

/** The staleness bound in ms (ATTEST_VERSION_POLL_MS, default 250). Read per call, so tests may change it. */
export function versionPollMs(): number {
  const v = Number(process.env.ATTEST_VERSION_POLL_MS ?? 250);
  return Number.isFinite(v) && v >= 10 ? v : 250;
}

type PgPool = import("pg").Pool;
type PgClient = import("pg").Client;
interface PgliteLike {
  listen(channel: string, cb: (payload: string) => void): Promise<() => Promise<void>>;
  waitReady: Promise<void>;
}

interface Feed {
  kind: "postgres" | "pglite";
  /** Highest version heard of or read. */
  known: number;
  /** performance.now() at the start of the newest read folded into `known`; -Infinity before the first. */
  confirmedAt: number;
  /** PGlite with its listener in place: `known` is exact. */
  exact: boolean;
  /** The count of this process's own commits (localCommits) that a read started after; fewer = read again. */
  localSeen: number;
  /** The pool-side fallback read in flight, and when it started. */
  reading?: { started: number; p: Promise<number> };
  stopped: boolean;
  /** Counters, for tests and the bench. */
  stats: FeedStats;
  stop(): Promise<void>;
}

export interface FeedStats {
  /** Reads of graph_state through the pool (the fallback path). */
  fallbackReads: number;
  /** Heartbeat reads on the listening connection. */
  heartbeats: number;
  notifications: number;
  /** Successful LISTEN (re)connections. */
  connects: number;
  listening: boolean;
}

// On globalThis: Next may load this module more than once per process, and one pool needs one LISTEN connection.
const feeds: WeakMap<object, Feed> = ((globalThis as typeof globalThis & { __attestGraphFeeds?: WeakMap<object, Feed> }).__attestGraphFeeds ??= new WeakMap());

function clientOf(db: Db): object | undefined {
  const c = (db as unknown as { $client?: unknown }).$client;
  return c && typeof c === "object" ? c : undefined;
}

function isPool(c: object): c is PgPool {
  return typeof (c as PgPool).connect === "function" && "totalCount" in c && "options" in c;
}

function isPglite(c: object): c is PgliteLike & object {
  return typeof (c as PgliteLike).listen === "function" && "waitReady" in c;
}

function learn(feed: Feed, version: number, startedAt?: number): void {
  if (Number.isFinite(version) && version > feed.known) feed.known = version;
  if (startedAt !== undefined && startedAt > feed.confirmedAt) feed.confirmedAt = startedAt;
}

function newFeed(kind: Feed["kind"]): Feed {
  return {
    kind,
    known: 0,
    confirmedAt: -Infinity,
    exact: false,
    localSeen: 0,
    stopped: false,
    stats: { fallbackReads: 0, heartbeats: 0, notifications: 0, connects: 0, listening: false },
    stop: async () => {},
  };
}

function feedFor(db: Db): Feed | undefined {
  const client = clientOf(db);
  if (!client) return undefined; // a transaction handle, or something else: no feed, plain reads
  let feed = feeds.get(client);
  if (feed) return feed.stopped ? undefined : feed;
  if (isPool(client)) {
    if ((client as unknown as { ending?: boolean }).ending) return undefined;
    feed = startPgFeed(client);
  } else if (isPglite(client)) {
    feed = startPgliteFeed(client);
  } else return undefined;
  feeds.set(client, feed);
  const f = feed;
  onDatabaseClose(db, () => f.stop());
  return feed;
}

function startPgliteFeed(pg: PgliteLike): Feed {
  const feed = newFeed("pglite");
  let unlisten: (() => Promise<void>) | undefined;
  feed.stop = async () => {
    feed.stopped = true;
    feed.exact = false;
    feed.stats.listening = false;
    await unlisten?.().catch(() => {});
  };
  void (async () => {
    try {
      await pg.waitReady;
      const off = await pg.listen(GRAPH_VERSION_CHANNEL, (payload) => {
        feed.stats.notifications++;
        learn(feed, Number(payload));
      });
      if (feed.stopped) return void (await off().catch(() => {}));
      unlisten = off;
      // Caught up after LISTEN: anything committed before is in this read, anything after arrives as a notification.
      const rows = await (pg as unknown as { query(q: string): Promise<{ rows: { version: number | string }[] }> }).query(
        "select version from graph_state where id = 1",
      );
      learn(feed, Number(rows.rows[0]?.version ?? 0));
      feed.exact = !feed.stopped;
      feed.stats.listening = feed.exact;
    } catch (err) {
      // No listener: the feed stays on the bounded fallback reads.
      if (!feed.stopped) console.error("[graph-feed] PGlite listen failed, polling graph_state instead:", (err as Error).message);
    }
  })();
  return feed;
}

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 10_000;

function startPgFeed(pool: PgPool): Feed {
  const feed = newFeed("postgres");
  let client: PgClient | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let reconnect: NodeJS.Timeout | undefined;
  let failures = 0;
  let beating = false;
  let beatStarted = 0;

  const down = (why: string) => {
    feed.stats.listening = false;
    if (heartbeat) clearInterval(heartbeat);
    heartbeat = undefined;
    const c = client;
    client = undefined;
    c?.removeAllListeners("notification");
    c?.end().catch(() => {});
    if (feed.stopped || reconnect) return;
    if ((pool as unknown as { ending?: boolean }).ending) return void feed.stop();
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** failures++);
    if (failures === 1 || failures % 10 === 0) console.error(`[graph-feed] LISTEN connection lost (${why}); reconnecting in ${delay} ms`);
    reconnect = setTimeout(() => {
      reconnect = undefined;
      void connect();
    }, delay);
    reconnect.unref();
  };

  const beat = async (c: PgClient) => {
    if (beating) return;
    beating = true;
    const started = (beatStarted = performance.now());
    try {
      const r = await c.query<{ version: string }>("select version from graph_state where id = 1");
      feed.stats.heartbeats++;
      if (c === client) learn(feed, Number(r.rows[0]?.version ?? 0), started);
    } finally {
      beating = false;
    }
  };

  const connect = async () => {
    if (feed.stopped) return;
    const { Client } = await import("pg");
    const c = new Client({ ...(pool.options as object), application_name: "attest-feed", keepAlive: true });
    client = c;
    c.on("error", (err) => down(err.message));
    c.on("end", () => {
      if (client === c) down("connection ended");
    });
    c.on("notification", (msg) => {
      if (msg.channel !== GRAPH_VERSION_CHANNEL || c !== client) return;
      feed.stats.notifications++;
      learn(feed, Number(msg.payload));
    });
    try {
      await c.connect();
      // The listener must not keep a process alive that has nothing else to do (CLIs, test workers).
      (c as unknown as { connection?: { stream?: { unref?: () => void } } }).connection?.stream?.unref?.();
      await c.query(`listen ${GRAPH_VERSION_CHANNEL}`);
      await beat(c); // the catch-up read, after LISTEN
      if (feed.stopped || c !== client) return void c.end().catch(() => {});
      failures = 0;
      feed.stats.connects++;
      feed.stats.listening = true;
      const every = Math.max(5, Math.floor(versionPollMs() / 2));
      heartbeat = setInterval(() => {
        if ((pool as unknown as { ending?: boolean }).ending) return void feed.stop();
        // A heartbeat that does not answer for long means a dead connection TCP has not noticed yet. Not sooner: a
        // busy event loop (an index build) delays the answer without anything being wrong, and meanwhile the bound
        // holds anyway (calls read through the pool once `confirmedAt` is too old).
        if (beating && performance.now() - beatStarted > Math.max(10_000, 4 * versionPollMs())) return down("heartbeat timed out");
        beat(c).catch((err: Error) => {
          if (c === client) down(err.message);
        });
      }, every);
      heartbeat.unref();
    } catch (err) {
      if (c === client) down((err as Error).message);
    }
  };

  feed.stop = async () => {
    feed.stopped = true;
    feed.stats.listening = false;
    if (heartbeat) clearInterval(heartbeat);
    if (reconnect) clearTimeout(reconnect);
    heartbeat = reconnect = undefined;
    const c = client;
    client = undefined;
    await c?.end().catch(() => {});
  };

  void connect();
  return feed;
}

/** The pool-side read: one in flight per feed; a caller joins it only when it started within the bound. */
function fallbackRead(feed: Feed, db: Db, now: number): Promise<number> {
  const r = feed.reading;
  if (r && now - r.started <= versionPollMs()) return r.p;
  const started = performance.now();
  feed.stats.fallbackReads++;
  const p = readGraphVersion(db).then((v) => {
    learn(feed, v, started);
    return feed.known;
  });
  feed.reading = { started, p };
  const clear = () => {
    if (feed.reading?.p === p) feed.reading = undefined;
  };
  p.then(clear, clear);
  return p;
}

/**
 * The newest committed graph version this instance knows of: every change committed at least
 * ATTEST_VERSION_POLL_MS before the call is included (exact on PGlite once its listener is in place).
 * `{ refresh: true }` reads the primary now.
 */
export async function knownGraphVersion(db: Db, opts: { refresh?: boolean } = {}): Promise<number> {
  const feed = feedFor(db);
  if (!feed) return readGraphVersion(db);
  if (opts.refresh) {
    const started = performance.now();
    const v = await readGraphVersion(db);
    learn(feed, v, started);
    return Math.max(v, feed.known);
  }
  if (feed.exact) return feed.known;
  // Read-your-writes in this process: a writer here calls notifyGraphChanged() after its commit, before its caller
  // goes on; its notification may still be on the wire, so the first call after it reads graph_state once.
  const commits = localCommits();
  if (feed.localSeen < commits) {
    const started = performance.now();
    const v = await readGraphVersion(db);
    learn(feed, v, started);
    feed.localSeen = Math.max(feed.localSeen, commits);
    return feed.known;
  }
  const now = performance.now();
  if (now - feed.confirmedAt <= versionPollMs()) return feed.known;
  return fallbackRead(feed, db, now);
}

const gc = globalThis as typeof globalThis & { __attestLocalCommits?: { n: number } };
/** Counts this process's committed graph changes (the after-change signal), once per process however often loaded. */
function localCommits(): number {
  if (!gc.__attestLocalCommits) {
    const counter = { n: 0 };
    gc.__attestLocalCommits = counter;
    onGraphChanged(() => {
      counter.n++;
    });
  }
  return gc.__attestLocalCommits.n;
}

/** The feed's counters for `db` (tests, the bench); undefined when it has none. */
export function graphFeedStats(db: Db): (FeedStats & { known: number; kind: Feed["kind"] }) | undefined {
  const client = clientOf(db);
  const feed = client ? feeds.get(client) : undefined;
  return feed ? { ...feed.stats, known: feed.known, kind: feed.kind } : undefined;
}

// ---------------------------------------------------------------------------
// The read replica
// ---------------------------------------------------------------------------

interface ReplicaState {
  /** The highest graph version the replica was seen to have replayed (replay is monotonic). */
  version: number;
  checking?: Promise<number>;
  /** After an error, the primary is used until then (performance.now()). */
  downUntil: number;
  stats: { checks: number; used: number; declined: number; errors: number };
}

const replicas: WeakMap<object, ReplicaState> = ((globalThis as typeof globalThis & { __attestReplicas?: WeakMap<object, ReplicaState> }).__attestReplicas ??=
  new WeakMap());
const REPLICA_RETRY_MS = 5_000;

function replicaState(replica: Db): ReplicaState {
  let s = replicas.get(replica);
  if (!s) replicas.set(replica, (s = { version: 0, downUntil: -Infinity, stats: { checks: 0, used: 0, declined: 0, errors: 0 } }));
  return s;
}

function checkReplica(replica: Db, s: ReplicaState): Promise<number> {
  s.checking ??= readGraphVersion(replica)
    .then((v) => {
      s.stats.checks++;
      if (v > s.version) s.version = v;
      return s.version;
    })
    .catch((err: Error) => {
      s.stats.errors++;
      s.downUntil = performance.now() + REPLICA_RETRY_MS;
      console.error("[graph-feed] read replica unavailable, reading the primary:", err.message);
      return -1;
    })
    .finally(() => {
      s.checking = undefined;
    });
  return s.checking;
}

/**
 * A handle to read graph rows at a version ≥ `minVersion`: the read replica when DATABASE_READ_URL configured one
 * and it has replayed that version (known from an earlier check without a round trip, else one small query to the
 * replica), otherwise the primary. Correct under any lag: a replica behind `minVersion` is never answered, and
 * a replica's replay only moves forward, so what it was seen to have it still has.
 */
export async function pickReadDb(db: Db, minVersion: number): Promise<Db> {
  const replica = readReplicaOf(db);
  if (!replica) return db;
  const s = replicaState(replica);
  if (performance.now() < s.downUntil) return db;
  if (s.version < minVersion) await checkReplica(replica, s);
  if (s.version >= minVersion) {
    s.stats.used++;
    return replica;
  }
  s.stats.declined++;
  return db;
}

/** Errors that say the replica, not the question, failed: it is gone, restarting, or cancelled us to replay WAL. */
const REPLICA_FAILURE = new Set([
  "40001",
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
]);

function replicaFailed(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    (!!e?.code && REPLICA_FAILURE.has(e.code)) || /Connection terminated|connection timeout|Client has encountered a connection error/i.test(e?.message ?? "")
  );
}

/**
 * Runs a read-only `read` on pickReadDb(db, minVersion); when it ran on the replica and the replica failed under it
 * (unreachable, restarting, or a query cancelled by a recovery conflict), the replica is skipped for a while and
 * `read` runs again on the primary. `read` must be safe to run twice (it writes nothing, streams nothing out).
 */
export async function withReadDb<T>(db: Db, minVersion: number, read: (readDb: Db) => Promise<T>): Promise<T> {
  const readDb = await pickReadDb(db, minVersion);
  if (readDb === db) return read(db);
  try {
    return await read(readDb);
  } catch (err) {
    if (!replicaFailed(err)) throw err;
    const s = replicaState(readDb);
    s.stats.errors++;
    s.downUntil = performance.now() + REPLICA_RETRY_MS;
    console.error("[graph-feed] read replica failed during a read, reading the primary:", (err as Error).message);
    return read(db);
  }
}

/**
 * A handle that sees every row committed anywhere before this call — graph or not (campaigns, decisions, audit):
 * the replica when it has replayed the primary's WAL up to the primary's current position (two small queries),
 * else the primary. For reports and exports: whole-table, read-only work that would otherwise load the primary.
 */
export async function pickCaughtUpReadDb(db: Db): Promise<Db> {
  const replica = readReplicaOf(db);
  if (!replica) return db;
  const s = replicaState(replica);
  if (performance.now() < s.downUntil) return db;
  try {
    const lsn = rowsOf<{ lsn: string }>(await db.execute(sql`select pg_current_wal_lsn()::text as lsn`))[0]?.lsn;
    const ok = rowsOf<{ ok: boolean }>(await replica.execute(sql`select coalesce(pg_last_wal_replay_lsn() >= ${lsn}::pg_lsn, false) as ok`))[0]?.ok;
    if (ok) {
      s.stats.used++;
      return replica;
    }
    s.stats.declined++;
  } catch (err) {
    s.stats.errors++;
    s.downUntil = performance.now() + REPLICA_RETRY_MS;
    console.error("[graph-feed] read replica unavailable, reading the primary:", (err as Error).message);
  }
  return db;
}

/** Counters of the replica behind `db` (tests, the bench). */
export function replicaStats(db: Db): (ReplicaState["stats"] & { version: number }) | undefined {
  const replica = readReplicaOf(db);
  if (!replica) return undefined;
  const s = replicaState(replica);
  return { ...s.stats, version: s.version };
}

function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}
