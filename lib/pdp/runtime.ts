import { onDatabaseClose, type Db } from "@/db/client";
import { PDP_STATE_CHANNEL, readPdpStateVersion } from "@/lib/db/pdp-state";
import type { AccessIndex } from "@/lib/graph/access-index";
import { getAccessIndex } from "@/lib/graph/access-cache";
import { loadDecisionFacts, loadDrift, loadGraphFacts, updateGraphFacts, type DecisionCursor } from "./load-state";
import type { DecisionFacts, GraphFacts, PdpState } from "./state";

/**
 * The decision state of this process, per database (issue #20). No database round trip on the hot path: a call reads
 * memory, and only waits when this instance has heard of a newer decision state (a campaign revoke, an approved
 * request, a policy edit) than it holds — then it waits for the small incremental reload, so a revoke answered
 * after it was heard of is enforced.
 *
 * How the state follows changes, and its bound:
 * - pdp_state version: LISTEN attest_pdp_state (a dedicated connection on PostgreSQL, PGlite's listen), plus a poll of
 *   pdp_state every ATTEST_PDP_POLL_MS (default 250) through the pool, so a lost notification or a dead listener delays
 *   a revoke by at most the poll interval (plus the reload). Delivered on commit only.
 * - graph version: the access index follows it (lib/graph/access-cache.ts); node-derived facts (inactive, tool
 *   annotations, servers, owners) follow off the request path when the index's version passes theirs — from the
 *   change records when they allow (only the listed nodes re-read), else a full reload — the previous facts
 *   answering meanwhile.
 * - drift (open tool_definition_changed findings, written by the findings engine after a graph change) is re-read
 *   every ATTEST_PDP_DRIFT_POLL_MS (default 5000).
 */
export function pdpPollMs(): number {
  const v = Number(process.env.ATTEST_PDP_POLL_MS ?? 250);
  return Number.isFinite(v) && v >= 10 ? v : 250;
}
function driftPollMs(): number {
  const v = Number(process.env.ATTEST_PDP_DRIFT_POLL_MS ?? 5000);
  return Number.isFinite(v) && v >= 100 ? v : 5000;
}

interface Runtime {
  known: number;
  facts?: GraphFacts;
  decisions?: DecisionFacts;
  cursor: DecisionCursor;
  loadingDecisions?: Promise<DecisionFacts>;
  loadingFacts?: Promise<GraphFacts>;
  stopped: boolean;
  stats: { decisionLoads: number; factLoads: number; factDeltas: number; notifications: number; polls: number };
  stop(): Promise<void>;
}

const runtimes: WeakMap<object, Runtime> = ((globalThis as typeof globalThis & { __attestPdpRuntimes?: WeakMap<object, Runtime> }).__attestPdpRuntimes ??=
  new WeakMap());

function clientOf(db: Db): object {
  const c = (db as unknown as { $client?: unknown }).$client;
  return c && typeof c === "object" ? c : (db as object);
}

function runtimeFor(db: Db): Runtime {
  const key = clientOf(db);
  let rt = runtimes.get(key);
  if (rt && !rt.stopped) return rt;
  rt = start(db, key);
  runtimes.set(key, rt);
  return rt;
}

function start(db: Db, client: object): Runtime {
  const rt: Runtime = {
    known: 0,
    cursor: { latest: new Map(), readAt: null },
    stopped: false,
    stats: { decisionLoads: 0, factLoads: 0, factDeltas: 0, notifications: 0, polls: 0 },
    stop: async () => {},
  };
  const learn = (v: number) => {
    if (Number.isFinite(v) && v > rt.known) rt.known = v;
  };
  const stops: (() => Promise<void> | void)[] = [];
  // The listener: PGlite's listen, or a dedicated pg client (never one of the pool's connections).
  const pglite = client as { listen?: (ch: string, cb: (p: string) => void) => Promise<() => Promise<void>> };
  const pool = client as { options?: object; connect?: unknown; ending?: boolean };
  if (typeof pglite.listen === "function") {
    void pglite
      .listen(PDP_STATE_CHANNEL, (p) => {
        rt.stats.notifications++;
        learn(Number(p));
      })
      .then(async (off) => {
        if (rt.stopped) await off();
        else stops.push(off);
      })
      .catch((err: Error) => console.error("[pdp] PGlite listen failed, polling pdp_state instead:", err.message));
  } else if (typeof pool.connect === "function" && pool.options) {
    let c: import("pg").Client | undefined;
    let failures = 0;
    let retry: NodeJS.Timeout | undefined;
    const connect = async () => {
      if (rt.stopped || pool.ending) return;
      const { Client } = await import("pg");
      const me = new Client({ ...pool.options, application_name: "attest-pdp", keepAlive: true });
      c = me;
      const down = () => {
        if (c !== me) return;
        c = undefined;
        me.end().catch(() => {});
        if (rt.stopped || retry) return;
        retry = setTimeout(
          () => {
            retry = undefined;
            void connect();
          },
          Math.min(10_000, 100 * 2 ** failures++),
        );
        retry.unref();
      };
      me.on("error", down);
      me.on("end", down);
      me.on("notification", (msg) => {
        if (msg.channel !== PDP_STATE_CHANNEL) return;
        rt.stats.notifications++;
        learn(Number(msg.payload));
      });
      try {
        await me.connect();
        (me as unknown as { connection?: { stream?: { unref?: () => void } } }).connection?.stream?.unref?.();
        await me.query(`listen ${PDP_STATE_CHANNEL}`);
        failures = 0;
      } catch {
        down();
      }
    };
    void connect();
    stops.push(async () => {
      if (retry) clearTimeout(retry);
      const x = c;
      c = undefined;
      await x?.end().catch(() => {});
    });
  }
  // The poll: the bound when notifications are lost; and the drift re-read.
  let polling = false;
  let pollFailing = false;
  let lastDrift = performance.now();
  const poll = setInterval(() => {
    if (polling || rt.stopped || pool.ending) return;
    polling = true;
    rt.stats.polls++;
    const work = async () => {
      learn(await readPdpStateVersion(db));
      if (rt.facts && performance.now() - lastDrift >= driftPollMs()) {
        lastDrift = performance.now();
        rt.facts = { ...rt.facts, drifted: await loadDrift(db) };
      }
    };
    // A failed poll is retried on the next tick; it is logged once per outage, not every 250 ms.
    work()
      .then(() => (pollFailing = false))
      .catch((err: Error) => {
        if (!pollFailing) console.error(`[pdp] decision-state poll failed (retrying every ${pdpPollMs()} ms): ${err.message}`);
        pollFailing = true;
      })
      .finally(() => (polling = false));
  }, pdpPollMs());
  poll.unref();
  rt.stop = async () => {
    rt.stopped = true;
    clearInterval(poll);
    for (const s of stops) await s();
  };
  onDatabaseClose(db, () => rt.stop());
  return rt;
}

function reloadDecisions(db: Db, rt: Runtime): Promise<DecisionFacts> {
  return (rt.loadingDecisions ??= loadDecisionFacts(db, rt.cursor)
    .then((d) => {
      rt.stats.decisionLoads++;
      if (!rt.decisions || d.version >= rt.decisions.version) rt.decisions = d;
      if (d.version > rt.known) rt.known = d.version;
      return rt.decisions;
    })
    .finally(() => (rt.loadingDecisions = undefined)));
}

/** Facts at the graph's version: incrementally from the change records when they allow, else a full load. */
async function nextFacts(db: Db, rt: Runtime): Promise<GraphFacts> {
  if (rt.facts) {
    const updated = await updateGraphFacts(db, rt.facts);
    if (updated) {
      rt.stats.factDeltas++;
      return updated;
    }
  }
  rt.stats.factLoads++;
  return loadGraphFacts(db);
}

function reloadFacts(db: Db, rt: Runtime): Promise<GraphFacts> {
  return (rt.loadingFacts ??= nextFacts(db, rt)
    .then((f) => {
      if (!rt.facts || f.graphVersion >= rt.facts.graphVersion) rt.facts = f;
      return rt.facts;
    })
    .finally(() => (rt.loadingFacts = undefined)));
}

/**
 * The state and access index a decision reads. Memory only, except: the first call (loads everything), a newer
 * decision state heard of (waits for the incremental reload), and `fresh` (waits for node facts at the index's
 * version: tests and the UI's "test a decision").
 */
export async function pdpSnapshot(db: Db, opts: { fresh?: boolean } = {}): Promise<{ state: PdpState; ix: AccessIndex }> {
  const rt = runtimeFor(db);
  const ix = await getAccessIndex(db);
  if (opts.fresh) learn(rt, await readPdpStateVersion(db));
  const decisions = !rt.decisions || rt.known > rt.decisions.version ? await reloadDecisions(db, rt) : rt.decisions;
  let facts = rt.facts;
  if (!facts || (opts.fresh && facts.graphVersion < ix.version)) facts = await reloadFacts(db, rt);
  else if (facts.graphVersion < ix.version) void reloadFacts(db, rt).catch((err: Error) => console.error("[pdp] facts reload failed:", err.message));
  if (opts.fresh) facts = rt.facts = { ...facts, drifted: await loadDrift(db) };
  return { state: { facts, decisions }, ix };
}

function learn(rt: Runtime, v: number): void {
  if (v > rt.known) rt.known = v;
}

/** Counters and versions (tests, the bench, docs). */
export function pdpRuntimeStats(db: Db) {
  const rt = runtimeFor(db);
  return { ...rt.stats, known: rt.known, decisionsVersion: rt.decisions?.version ?? null, factsGraphVersion: rt.facts?.graphVersion ?? null };
}
