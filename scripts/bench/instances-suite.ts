/**
 * Several app instances and a read replica (issue #19): `npm run bench -- --suite instances`.
 *
 * Starts its own PostgreSQL primary and hot standby (lib/testing/pg-cluster.ts: initdb + pg_basebackup -R on spare
 * ports 5441–5449, never the shared cluster), loads a generated graph (--size, default S) into the primary, and runs
 * two app instances (lib/testing/app-instance.ts: each its own process, pools, graph feed and access index) with
 * DATABASE_READ_URL on the standby. Then, for --minutes (default 10):
 *  - one writer, through the two instances in turn, one small import at a time (--write-every ms, default 1000):
 *    two in three add a person who joins an existing group (incremental), one in three re-sends the writer's own
 *    source in full without one of its people (who is end-dated, with the membership);
 *  - --readers (default 4) loops asking who can reach a random resource, tool or entitlement, of either instance;
 *  - every answer is checked: a plain BFS (against the access edges, at most 6 deep, principals only) over the
 *    primary's rows at the version the answer reports. The rows at every version are known without reading them
 *    again: the loaded graph read once, plus each write's known change and the version it committed as (writes
 *    are one at a time, and nothing else writes);
 *  - once a second: the replica's lag (graph versions behind; bytes and time from pg_stat_replication); every
 *    ten seconds an index build through pickReadDb on an instance, counted on the replica or not.
 * Reports answers checked, mismatches (must be 0: exit 1 otherwise), read latency p50/p95/p99, writes, replica lag,
 * each instance's RSS. Writes bench/results/instances-<timestamp>.json.
 *
 *   npm run bench -- --suite instances [--minutes N] [--size S|M|L] [--readers N] [--write-every MS] [--seed N]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import { openDatabase } from "@/db/client";
import { migrate } from "@/db/migrate";
import { readFlags, wholeNumber } from "@/lib/bench/cli";
import { BENCH_SIZES, DEFAULT_SEED, generateDataset, type BenchSize } from "@/lib/bench/dataset";
import { analyzeGraph, bulkLoad } from "@/lib/bench/load";
import { Rng } from "@/lib/bench/random";
import { formatMs, percentile, table } from "@/lib/bench/stats";
import { ACCESS_EDGE_KINDS, PRINCIPAL_KINDS } from "@/lib/graph/model";
import { pgBinariesAvailable, startAppInstance, startClusterPair, type AppInstance } from "@/lib/testing/pg-cluster";

const USAGE = "usage: npm run bench -- --suite instances [--minutes N] [--size S|M|L] [--readers N] [--write-every MS] [--seed N]";
const MAX_DEPTH = 6; // the API's default maxDepth, which the readers use
const WRITER_SOURCE = "bench-writes";

interface Options {
  minutes: number;
  size: BenchSize;
  readers: number;
  writeEveryMs: number;
  seed: number;
}

function parseArgs(argv: string[]): Options {
  const usage = (message: string): never => {
    console.error(`${message}\n${USAGE}`);
    process.exit(2);
  };
  const o: Options = { minutes: 10, size: "S", readers: 4, writeEveryMs: 1000, seed: DEFAULT_SEED };
  readFlags(argv, (name, value, flag) => {
    if (name === "--minutes") {
      const v = Number(value());
      if (!(v > 0)) usage("--minutes must be a positive number");
      o.minutes = v;
    } else if (name === "--size") {
      const v = value()?.toUpperCase();
      if (!BENCH_SIZES.includes(v as BenchSize)) usage("--size must be S, M or L");
      o.size = v as BenchSize;
    } else if (name === "--readers") o.readers = wholeNumber(flag, value(), usage);
    else if (name === "--write-every") o.writeEveryMs = wholeNumber(flag, value(), usage);
    else if (name === "--seed") o.seed = wholeNumber(flag, value(), usage, 0);
    else usage(`unknown flag ${name}`);
  });
  return o;
}

/** A person the writer added: the membership exists from version `from` until (not including) version `to`. */
interface Written {
  externalId: string;
  id: string;
  group: string;
  groupExternalId: string;
  from: number;
  to: number;
}

interface Answer {
  instance: number;
  target: string;
  graphVersion: number;
  ids: string[];
}

export async function runInstancesSuite(argv: string[]): Promise<number> {
  const o = parseArgs(argv);
  if (!pgBinariesAvailable()) {
    console.error("the instances suite needs the PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup): set ATTEST_PG_BIN");
    return 2;
  }
  const t0 = Date.now();
  console.log(`instances: starting a primary and a hot standby, loading size ${o.size} …`);
  const pair = await startClusterPair({ database: "attest_bench" });
  const instances: AppInstance[] = [];
  const clients: Client[] = [];
  try {
    const admin = await openDatabase({ url: pair.primaryUrl });
    await migrate(admin);
    const ds = generateDataset(o.size, o.seed);
    const load = await bulkLoad(admin.db, ds);
    await analyzeGraph(admin.db);
    await admin.close();
    await pair.waitCaughtUp(600_000);
    console.log(`instances: loaded ${ds.nodeKinds.length} nodes, ${ds.edgeKinds.length} edges (${load.totalMs} ms); starting two app instances …`);

    const primary = new Client({ connectionString: pair.primaryUrl });
    const standby = new Client({ connectionString: pair.standbyUrl });
    clients.push(primary, standby);
    await Promise.all([primary.connect(), standby.connect()]);

    // The primary's rows at the start, read once (plain SQL, not the app's loader): valid nodes and access edges.
    await primary.query("begin isolation level repeatable read read only");
    const v0 = Number((await primary.query("select version from graph_state where id = 1")).rows[0].version);
    const nodeRows = (await primary.query<{ id: string; kind: string; external_id: string }>("select id, kind, external_id from nodes where valid_to is null"))
      .rows;
    const edgeRows = (
      await primary.query<{ from_id: string; to_id: string }>("select from_id, to_id from edges where valid_to is null and kind = any($1::text[])", [
        [...ACCESS_EDGE_KINDS],
      ])
    ).rows;
    await primary.query("commit");
    const kindOf = new Map(nodeRows.map((n) => [n.id, n.kind]));
    const reverse = new Map<string, string[]>();
    for (const e of edgeRows) {
      if (!kindOf.has(e.from_id) || !kindOf.has(e.to_id)) continue;
      let list = reverse.get(e.to_id);
      if (!list) reverse.set(e.to_id, (list = []));
      list.push(e.from_id);
    }
    const groups = nodeRows.filter((n) => n.kind === "group");
    const targets = nodeRows.filter((n) => n.kind === "resource" || n.kind === "tool" || n.kind === "entitlement").map((n) => n.id);
    const principal = new Set<string>(PRINCIPAL_KINDS);

    const env = { DATABASE_URL: pair.primaryUrl, DATABASE_READ_URL: pair.standbyUrl };
    instances.push(...(await Promise.all([startAppInstance(env), startAppInstance(env)])));
    // Warm both: the first index build of each.
    await Promise.all(instances.map((i) => i.get(`/who-can-reach-ids?target=${targets[0]}`)));

    // ---- the checker ----
    const written: Written[] = [];
    const joined = new Map<string, Written[]>(); // group id → people the writer put in it
    let recordedVersion = v0; // every version ≤ this has its rows known
    const pending: Answer[] = [];
    let checked = 0;
    let mismatches = 0;
    const mismatchSamples: unknown[] = [];
    const versionsSeen = new Set<number>();

    const expected = (target: string, version: number): Set<string> => {
      const out = new Set<string>();
      const seen = new Set([target]);
      let frontier = [target];
      for (let depth = 1; depth <= MAX_DEPTH && frontier.length; depth++) {
        const next: string[] = [];
        for (const u of frontier) {
          const from = reverse.get(u) ?? [];
          const extra = (joined.get(u) ?? []).filter((w) => w.from <= version && version < w.to).map((w) => w.id);
          for (const v of from.length && extra.length ? [...from, ...extra] : extra.length ? extra : from) {
            if (seen.has(v)) continue;
            seen.add(v);
            next.push(v);
            const k = kindOf.get(v) ?? (written.some((w) => w.id === v) ? "human" : undefined);
            if (k && principal.has(k)) out.add(v);
          }
        }
        frontier = next;
      }
      return out;
    };
    let sensitive = 0; // answers whose right answer differs from the loaded graph's: the writes were visible to the check
    const check = (a: Answer) => {
      const want = expected(a.target, a.graphVersion);
      const got = new Set(a.ids);
      checked++;
      const base = expected(a.target, v0);
      if (base.size !== want.size || [...want].some((id) => !base.has(id))) sensitive++;
      versionsSeen.add(a.graphVersion);
      if (got.size !== want.size || a.ids.some((id) => !want.has(id))) {
        mismatches++;
        if (mismatchSamples.length < 5)
          mismatchSamples.push({
            instance: a.instance,
            target: a.target,
            graphVersion: a.graphVersion,
            extra: a.ids.filter((id) => !want.has(id)).slice(0, 5),
            missing: [...want].filter((id) => !got.has(id)).slice(0, 5),
          });
      }
    };
    const drain = () => {
      for (let i = pending.length - 1; i >= 0; i--)
        if (pending[i]!.graphVersion <= recordedVersion) {
          check(pending[i]!);
          pending.splice(i, 1);
        }
    };

    const rng = new Rng(o.seed);
    const deadline = Date.now() + o.minutes * 60_000;
    let stopping = false;

    // ---- the writer ----
    let writes = 0;
    let writeFailures = 0;
    const writeMs: number[] = [];
    const writer = (async () => {
      let n = 0;
      while (!stopping && Date.now() < deadline) {
        const through = instances[n % 2]!;
        const live = written.filter((w) => w.to === Infinity);
        const started = performance.now();
        let doc: unknown;
        let ended: Written | undefined;
        let added: Omit<Written, "id" | "from" | "to"> | undefined;
        if (n % 3 === 2 && live.length > 0) {
          ended = live[rng.int(0, live.length - 1)]!;
          const keep = live.filter((w) => w !== ended);
          doc = {
            source: WRITER_SOURCE,
            mode: "full",
            // Only the writer's own source's nodes: the groups are the loaded graph's, referenced by the edges.
            nodes: keep.map((w) => ({ kind: "human", externalId: w.externalId, name: w.externalId })),
            edges: keep.map((w) => membership(w.externalId, w.groupExternalId, ds.source)),
          };
        } else {
          const g = groups[rng.int(0, groups.length - 1)]!;
          added = { externalId: `w${n}`, group: g.id, groupExternalId: g.external_id };
          doc = {
            source: WRITER_SOURCE,
            mode: "incremental",
            nodes: [{ kind: "human", externalId: added.externalId, name: `Writer person ${n}` }],
            edges: [membership(added.externalId, g.external_id, ds.source)],
          };
        }
        try {
          const r = await through.post<{ status: string; graphVersion: number }>("/import", doc);
          if (r.status !== "succeeded") throw new Error(`import ${r.status}`);
          // Writes are one at a time and nothing else writes: the version read right after is this write's.
          const version = Number((await primary.query("select version from graph_state where id = 1")).rows[0].version);
          if (version !== recordedVersion + 1) throw new Error(`expected version ${recordedVersion + 1} after one write, found ${version}`);
          if (added) {
            const id = (
              await primary.query<{ id: string }>("select n.id from nodes n join sources s on s.id = n.source_id where s.name = $1 and n.external_id = $2", [
                WRITER_SOURCE,
                added.externalId,
              ])
            ).rows[0]!.id;
            const w: Written = { ...added, id, from: version, to: Infinity };
            written.push(w);
            kindOf.set(id, "human");
            let list = joined.get(w.group);
            if (!list) joined.set(w.group, (list = []));
            list.push(w);
          }
          if (ended) ended.to = version;
          recordedVersion = version;
          writes++;
          writeMs.push(performance.now() - started);
          drain();
        } catch (err) {
          writeFailures++;
          console.error(`write failed: ${(err as Error).message}`);
          // The checker can no longer tell the rows at the following versions: stop writing, still check what is known.
          break;
        }
        n++;
        await sleep(Math.max(0, o.writeEveryMs - (performance.now() - started)));
      }
    })();

    // ---- the readers ----
    const readMs: number[] = [];
    let readErrors = 0;
    const readers = Array.from({ length: o.readers }, async () => {
      while (!stopping && Date.now() < deadline) {
        const i = rng.int(0, 1);
        const target = targets[rng.int(0, targets.length - 1)]!;
        const started = performance.now();
        try {
          const r = await instances[i]!.get<{ graphVersion: number; ids: string[] }>(`/who-can-reach-ids?target=${target}`);
          readMs.push(performance.now() - started);
          const a: Answer = { instance: i, target, graphVersion: r.graphVersion, ids: r.ids };
          if (a.graphVersion <= recordedVersion) check(a);
          else pending.push(a);
        } catch (err) {
          readErrors++;
          if (readErrors <= 5) console.error(`read failed: ${(err as Error).message}`);
        }
      }
    });

    // ---- replica lag and index builds through pickReadDb ----
    const lagVersions: number[] = [];
    const lagBytes: number[] = [];
    const lagMs: number[] = [];
    let builds = 0;
    let buildsOnReplica = 0;
    const rss: number[][] = [[], []];
    const sampler = (async () => {
      let tick = 0;
      while (!stopping && Date.now() < deadline) {
        await sleep(1000);
        tick++;
        try {
          const p = Number((await primary.query("select version from graph_state where id = 1")).rows[0].version);
          const s = Number((await standby.query("select version from graph_state where id = 1")).rows[0].version);
          lagVersions.push(Math.max(0, p - s));
          const rep = (
            await primary.query<{ bytes: string | null; ms: number | null }>(
              "select pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::text as bytes, extract(epoch from replay_lag) * 1000 as ms from pg_stat_replication limit 1",
            )
          ).rows[0];
          if (rep?.bytes != null) lagBytes.push(Number(rep.bytes));
          if (rep?.ms != null) lagMs.push(Number(rep.ms));
          if (tick % 10 === 0) {
            const inst = instances[(tick / 10) % 2]!;
            const known = (await inst.get<{ known: number }>("/known")).known;
            const ix = await inst.get<{ onReplica: boolean; version: number }>(`/index?min=${known}`);
            builds++;
            if (ix.onReplica) buildsOnReplica++;
            if (ix.version < known) throw new Error(`an index build demanded version ${known} and reported ${ix.version}`);
          }
          if (tick % 5 === 0) for (const [k, inst] of instances.entries()) rss[k]!.push((await inst.get<{ rss: number }>("/rss")).rss);
        } catch (err) {
          console.error(`sample failed: ${(err as Error).message}`);
        }
      }
    })();

    const progress = setInterval(() => {
      console.log(
        `  … ${Math.round((Date.now() - t0) / 1000)} s: ${checked} answers checked, ${mismatches} mismatches, ${writes} writes, lag ${lagVersions.at(-1) ?? 0} versions`,
      );
    }, 30_000);
    await writer;
    await Promise.all(readers);
    stopping = true;
    await sampler;
    clearInterval(progress);
    drain();
    const unchecked = pending.length;

    const stats = await Promise.all(instances.map((i) => i.get<{ feed: unknown; replica: unknown }>("/known")));
    const rssNow = await Promise.all(instances.map((i) => i.get<{ rss: number }>("/rss")));
    const loadAverage = os.loadavg().map((x) => x.toFixed(2));
    const result = {
      suite: "instances",
      at: new Date().toISOString(),
      options: o,
      graph: { nodes: ds.nodeKinds.length, edges: ds.edgeKinds.length },
      loadAverage,
      answersChecked: checked,
      answersUnchecked: unchecked,
      answersChangedByWrites: sensitive,
      mismatches,
      mismatchSamples,
      distinctVersionsAnswered: versionsSeen.size,
      readErrors,
      readLatencyMs: { p50: percentile(readMs, 50), p95: percentile(readMs, 95), p99: percentile(readMs, 99), n: readMs.length },
      writes,
      writeFailures,
      writeLatencyMs: { p50: percentile(writeMs, 50), p95: percentile(writeMs, 95) },
      replicaLag: {
        versionsMax: Math.max(0, ...lagVersions),
        versionsP95: percentile(lagVersions, 95),
        bytesMax: Math.max(0, ...lagBytes),
        replayLagMsMax: Math.max(0, ...lagMs),
        replayLagMsP95: percentile(lagMs, 95),
      },
      indexBuildsThroughPickReadDb: { builds, onReplica: buildsOnReplica },
      instanceRssBytes: rssNow.map((r, i) => ({ now: r.rss, max: Math.max(r.rss, ...rss[i]!) })),
      instanceStats: stats,
    };
    console.log(
      table(
        ["measure", "value"],
        [
          ["graph", `${result.graph.nodes} nodes, ${result.graph.edges} edges (size ${o.size})`],
          ["run", `${o.minutes} min, ${o.readers} readers, a write every ${o.writeEveryMs} ms`],
          ["answers checked", String(checked)],
          ["mismatches", String(mismatches)],
          ["answers changed by the writes", String(sensitive)],
          ["answers left unchecked", String(unchecked)],
          ["versions answered", String(versionsSeen.size)],
          ["read p50 / p95 / p99", `${formatMs(result.readLatencyMs.p50)} / ${formatMs(result.readLatencyMs.p95)} / ${formatMs(result.readLatencyMs.p99)}`],
          ["writes (failed)", `${writes} (${writeFailures}), p50 ${formatMs(result.writeLatencyMs.p50)}`],
          ["replica lag, versions max / p95", `${result.replicaLag.versionsMax} / ${result.replicaLag.versionsP95}`],
          ["replica replay lag max / p95", `${formatMs(result.replicaLag.replayLagMsMax)} / ${formatMs(result.replicaLag.replayLagMsP95)}`],
          ["index builds via pickReadDb (on replica)", `${builds} (${buildsOnReplica})`],
          ["instance RSS max", result.instanceRssBytes.map((r) => `${Math.round(r.max / 1024 ** 2)} MB`).join(", ")],
          ["load average", loadAverage.join(" ")],
        ],
      ),
    );
    const dir = path.resolve("bench/results");
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `instances-${result.at.replace(/[:.]/g, "-")}.json`);
    writeFileSync(file, JSON.stringify(result, null, 2));
    console.log(`wrote ${file}`);
    return mismatches === 0 && writeFailures === 0 && checked > 0 ? 0 : 1;
  } finally {
    await Promise.all(instances.map((i) => i.stop()));
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    await pair.stop();
  }
}

function membership(person: string, groupExternalId: string, groupSource: string) {
  return { kind: "member_of", from: { kind: "human", externalId: person }, to: { kind: "group", externalId: groupExternalId, source: groupSource } };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
