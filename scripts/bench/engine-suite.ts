/**
 * The benchmark of issue #4: for each size and database, in one run,
 *  - import throughput of the generated JSONL file through the real import
 *    path (runImport), as a ratio to a raw COPY of the same rows into bare tables;
 *  - whoCanReach / reachableFrom latency p50 / p95 / p99 of the engine as the
 *    app calls it (the access API: version check, cached snapshot index, BFS,
 *    one page with paths and names), over a fixed sample of targets and
 *    principals, as ratios to (a) a naive recursive CTE over the same tables
 *    and (b) a plain in-memory BFS over the same edges in Node (the floor);
 *  - that the engine's answers equal the plain BFS's on the whole sample.
 * Writes bench/results/<date>.json. See docs/BENCHMARKS.md.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { createBenchDatabase } from "@/lib/bench/bench-db";
import { compareReached, type SetDifference } from "@/lib/bench/compare";
import { copyIntoMigratedTables, rawCopy, writeCopyFiles, type CopyResult } from "@/lib/bench/copy-baseline";
import { BENCH_SIZES, DEFAULT_SEED, datasetStats, generateDataset, type BenchDataset, type BenchSize, type DatasetStats } from "@/lib/bench/dataset";
import { FloorGraph } from "@/lib/bench/floor-bfs";
import { writeDatasetJsonl } from "@/lib/bench/jsonl";
import { Rng } from "@/lib/bench/random";
import { formatMs, percentile, table } from "@/lib/bench/stats";
import { systemActor } from "@/lib/authz/actor";
import { accessCacheStats, getAccessIndex, clearAccessCache, loadAccessIndex } from "@/lib/graph/access-cache";
import { recordGraphChange } from "@/lib/graph/after-change";
import { bumpGraphVersion } from "@/lib/graph/version";
import { newId } from "@/lib/ids";
import type { Db } from "@/db/client";
import { reachableFromFor, reachableFromQuerySchema, whoCanReachFor, whoCanReachQuerySchema } from "@/lib/graph/access-api";
import { EDGE_KINDS } from "@/lib/graph/model";
import { sqlReachableFrom, sqlWhoCanReach } from "@/lib/graph/sql-traverse";
import { reachableFrom, whoCanReach } from "@/lib/graph/traverse";
import { lines } from "@/lib/ingest/body-stream";
import { decodeJsonl } from "@/lib/ingest/import-items";
import { runImport } from "@/lib/ingest/run-import";
import { readFlags, wholeNumber } from "@/lib/bench/cli";

type DbKind = "pglite" | "postgres";
type Operation = "who_can_reach" | "reachable_from";

interface Options {
  sizes: BenchSize[];
  dbs: DbKind[];
  url?: string;
  seed: number;
  queries: number;
  depth: number;
  reps: number;
  naiveTimeoutMs: number;
  pathBudget: number;
  naive: boolean;
  importCheck: boolean;
  render: boolean;
  keepFiles: boolean;
}

export const ENGINE_USAGE = `usage: npm run bench -- [--size S,M] [--db pglite,postgres] [--url postgres://…] [--queries N] [--depth N] [--reps N]
       [--seed N] [--naive-timeout MS] [--path-budget N] [--no-naive] [--no-import] [--render] [--keep-files]
       npm run bench -- --suite techniques …   (the SQL-techniques comparison, see docs/BENCHMARKS.md)`;

function usage(message: string): never {
  console.error(`${message}\n${ENGINE_USAGE}`);
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  const envUrl = process.env.BENCH_DATABASE_URL?.trim() || process.env.TEST_DATABASE_URL?.trim() || undefined;
  const o: Options = {
    sizes: ["S", "M"],
    dbs: [envUrl ? "postgres" : "pglite"],
    url: envUrl,
    seed: DEFAULT_SEED,
    queries: 40,
    depth: 6,
    reps: 3,
    naiveTimeoutMs: 5_000,
    pathBudget: 2_000_000,
    naive: true,
    importCheck: true,
    render: false,
    keepFiles: false,
  };
  let dbGiven = false;
  const int = (flag: string, v: string | undefined, min = 1) => wholeNumber(flag, v, usage, min);
  readFlags(argv, (name, value, flag) => {
    switch (name) {
      case "--size": {
        const v = (value() ?? "")
          .toUpperCase()
          .split(",")
          .map((s) => s.trim());
        if (v.length === 0 || v.some((s) => !BENCH_SIZES.includes(s as BenchSize))) usage("--size must be S, M or L, or a list like S,M");
        o.sizes = [...new Set(v as BenchSize[])];
        break;
      }
      case "--db": {
        const v = (value() ?? "").split(",").map((s) => s.trim());
        if (v.length === 0 || v.some((s) => s !== "pglite" && s !== "postgres")) usage("--db must be pglite, postgres or pglite,postgres");
        o.dbs = [...new Set(v as DbKind[])];
        dbGiven = true;
        break;
      }
      case "--url":
        o.url = value();
        if (!dbGiven) o.dbs = ["postgres"];
        break;
      case "--seed":
        o.seed = int(name, value(), 0);
        break;
      case "--queries":
        o.queries = int(name, value(), 2);
        break;
      case "--depth":
        o.depth = int(name, value());
        if (o.depth > 12) usage("--depth must be at most 12");
        break;
      case "--reps":
        o.reps = int(name, value());
        break;
      case "--naive-timeout":
        o.naiveTimeoutMs = int(name, value());
        break;
      case "--path-budget":
        o.pathBudget = int(name, value());
        break;
      case "--no-naive":
        o.naive = false;
        break;
      case "--no-import":
        o.importCheck = false;
        break;
      case "--render":
        o.render = true;
        break;
      case "--keep-files":
        o.keepFiles = true;
        break;
      case "--help":
      case "-h":
        console.log(ENGINE_USAGE);
        process.exit(0);
        break;
      default:
        usage(`unknown option ${flag}`);
    }
  });
  if (o.dbs.includes("postgres") && !o.url) usage("--db postgres needs BENCH_DATABASE_URL, TEST_DATABASE_URL or --url");
  return o;
}

const log = (message: string) => process.stderr.write(`${message}\n`);
const now = () => performance.now();
const fmtInt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "—");
const ratio = (x: number) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)) : "—");

interface Percentiles {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}
const pct = (xs: number[]): Percentiles => ({
  n: xs.length,
  p50: percentile(xs, 50),
  p95: percentile(xs, 95),
  p99: percentile(xs, 99),
  max: xs.length ? Math.max(...xs) : Number.NaN,
});

interface Root {
  id: string;
  label: string;
}

/** The fixed sample: principals (humans, agents, service accounts) and targets (popular tools, other tools, hard-coded credentials, resources). */
function pickRoots(ds: BenchDataset, ids: string[], perDirection: number, seed: number): Record<Operation, Root[]> {
  const rng = new Rng(seed ^ 0x2c1b3c6d);
  const take = (pool: number[], n: number, label: string) => rng.distinct(Math.min(n, pool.length), () => rng.pick(pool)).map((i) => ({ id: ids[i]!, label }));
  const third = Math.ceil(perDirection / 3);
  const quarter = Math.ceil(perDirection / 4);
  const popular = new Set(ds.roles.popularTools);
  return {
    reachable_from: [
      ...take(ds.roles.humans, third, "human"),
      ...take(ds.roles.agents, third, "agent"),
      ...take(ds.roles.serviceAccounts, perDirection - 2 * third, "service account"),
    ],
    who_can_reach: [
      ...take(ds.roles.popularTools, quarter, "popular tool"),
      ...take(
        ds.roles.tools.filter((t) => !popular.has(t)),
        quarter,
        "tool",
      ),
      ...take(ds.roles.hardCodedCredentials, quarter, "hard-coded credential"),
      ...take(ds.roles.resources, perDirection - 3 * quarter, "resource"),
    ],
  };
}

interface LatencyResult {
  operation: Operation;
  roots: number;
  answer: Percentiles;
  /** The access API call as the app makes it (first page of 100 with paths and names). */
  api: Percentiles;
  /** getAccessIndex (version check, cached snapshot) + BFS, no paging. */
  core: Percentiles;
  floor: Percentiles;
  naive: Percentiles & { failed: number; reasons: string[] };
  mismatches: { root: string; technique: string; detail: SetDifference | string }[];
}

interface RunResult {
  size: BenchSize;
  db: DbKind;
  serverVersion: string;
  dataset: DatasetStats & { generateMs: number; jsonlBytes: number };
  import?: {
    records: number;
    toCommitMs: number;
    wholeCallMs: number;
    recordsPerSecond: number;
    status: string;
    counts: unknown;
    /** Process RSS before the import and the process's peak RSS after it (MB; the peak includes the generated dataset). */
    rssBeforeMb: number;
    maxRssAfterMb: number;
  };
  copy?: CopyResult;
  /** COPY into tables with the real indexes and checks: what index upkeep alone costs. */
  copyIndexed?: CopyResult;
  /** COPY into the real nodes/edges of a second, freshly migrated database (indexes, checks, foreign keys): issue #19's baseline. */
  copyTables?: CopyResult;
  importVsCopy?: number;
  importVsCopyTables?: number;
  analyzeMs: number;
  floorLoadMs: number;
  firstQueryMs: number;
  latency: LatencyResult[];
  indexFollowing?: IndexFollowing;
  loadAverage: { start: number[]; end: number[] };
  failures: string[];
}

async function runOne(o: Options, size: BenchSize, dbKind: DbKind, dir: string): Promise<RunResult> {
  const loadStart = os.loadavg();
  const failures: string[] = [];
  log(`\n=== ${size} on ${dbKind} ===`);
  let t = now();
  const ds = generateDataset(size, o.seed, "synthetic-org");
  const stats = datasetStats(ds);
  const generateMs = now() - t;
  const jsonl = path.join(dir, `${size}.jsonl`);
  const written = await writeDatasetJsonl(ds, jsonl);
  log(
    `generated ${fmtInt(stats.nodes)} nodes, ${fmtInt(stats.edges)} edges in ${formatMs(generateMs)} ms; ${jsonl} ${(written.bytes / 2 ** 20).toFixed(0)} MB`,
  );

  const bench = await createBenchDatabase(dbKind, o.url);
  clearAccessCache();
  try {
    const db = bench.database.db;
    const serverVersion = ((await db.execute(sql`select version() as v`)) as unknown as { rows: { v: string }[] }).rows[0]?.v.split(" on ")[0] ?? "?";
    const result: RunResult = {
      size,
      db: dbKind,
      serverVersion,
      dataset: { ...stats, generateMs, jsonlBytes: written.bytes },
      analyzeMs: 0,
      floorLoadMs: 0,
      firstQueryMs: 0,
      latency: [],
      loadAverage: { start: loadStart, end: [] },
      failures,
    };

    // --- Import through the real path: the JSONL file streamed line by line into runImport.
    log(`importing ${fmtInt(stats.nodes + stats.edges)} records through runImport…`);
    const decoded = await decodeJsonl(lines(createReadStream(jsonl)));
    if ("errors" in decoded) throw new Error(`the generated file does not decode: ${JSON.stringify(decoded.errors.slice(0, 3))}`);
    const rssBeforeMb = Math.round(process.memoryUsage().rss / 2 ** 20);
    t = now();
    const rec = await runImport(db, systemActor("bench"), decoded, { format: "jsonl", fileName: path.basename(jsonl), bytes: written.bytes });
    const wholeCallMs = now() - t;
    const records = stats.nodes + stats.edges;
    const toCommitMs = rec.durationMs ?? wholeCallMs;
    result.import = {
      records,
      toCommitMs,
      wholeCallMs,
      recordsPerSecond: Math.round(records / (toCommitMs / 1000)),
      status: rec.status,
      counts: rec.counts,
      rssBeforeMb,
      maxRssAfterMb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    log(
      `  ${rec.status}: ${fmtInt(result.import.recordsPerSecond)} records/s to commit (${formatMs(toCommitMs)} ms; whole call ${formatMs(wholeCallMs)} ms); RSS ${rssBeforeMb} MB before, peak ${result.import.maxRssAfterMb} MB`,
    );
    const c = rec.counts as { nodesCreated: number; edgesCreated: number } | null;
    if (rec.status !== "succeeded" || c?.nodesCreated !== stats.nodes || c?.edgesCreated !== stats.edges) {
      failures.push(`import ${rec.status}: counts ${JSON.stringify(rec.counts)}, errors ${JSON.stringify(rec.errors).slice(0, 300)}`);
      return result;
    }
    // Statistics for the planner (PGlite has no autovacuum), so the SQL baseline is not judged on a cold planner.
    t = now();
    await db.execute(sql`analyze nodes, edges`);
    result.analyzeMs = now() - t;

    if (o.importCheck) {
      log("raw COPY of the same rows into bare tables…");
      const files = await writeCopyFiles(ds, dir);
      result.copy = await rawCopy(bench.database, files);
      result.importVsCopy = result.import.recordsPerSecond / result.copy.rowsPerSecond;
      log(`  ${fmtInt(result.copy.rowsPerSecond)} rows/s (${result.copy.method}); import = ${ratio(result.importVsCopy)} × COPY`);
      result.copyIndexed = await rawCopy(bench.database, files, "indexed");
      log(`  ${fmtInt(result.copyIndexed.rowsPerSecond)} rows/s (${result.copyIndexed.method})`);
      // Issue #19's baseline: the real tables, in a second database migrated like the first (empty, as the import found them).
      const second = await createBenchDatabase(dbKind, o.url);
      try {
        result.copyTables = await copyIntoMigratedTables(second.database, files);
      } finally {
        await second.drop();
      }
      result.importVsCopyTables = result.import.recordsPerSecond / result.copyTables.rowsPerSecond;
      log(`  ${fmtInt(result.copyTables.rowsPerSecond)} rows/s (${result.copyTables.method}); import = ${ratio(result.importVsCopyTables)} × that COPY`);
      rmSync(files.nodes, { force: true });
      rmSync(files.edges, { force: true });
    }

    // --- The floor and the engine's first query (which builds the index after the import bumped the version).
    t = now();
    const floor = await FloorGraph.load(db);
    result.floorLoadMs = now() - t;
    const ids = ds.externalIds.map(() => "");
    const idRows = (
      (await db.execute(sql`select n.id, n.kind, n.external_id from nodes n where n.valid_to is null`)) as unknown as {
        rows: { id: string; kind: string; external_id: string }[];
      }
    ).rows;
    const byKey = new Map(idRows.map((r) => [`${r.kind}\u0000${r.external_id}`, r.id]));
    ds.externalIds.forEach((x, i) => (ids[i] = byKey.get(`${ds.nodeKinds[i]}\u0000${x}`) ?? ""));
    const roots = pickRoots(ds, ids, o.queries, o.seed);
    let calls = 0;
    const actor = () => systemActor(`bench-${calls++}`); // one rate-limit bucket per call: the limiter is not what is measured
    t = now();
    await whoCanReachFor(db, actor(), whoCanReachQuerySchema.parse({ target: roots.who_can_reach[0]!.id, maxDepth: String(o.depth) }));
    result.firstQueryMs = now() - t;
    log(`  floor graph loaded in ${formatMs(result.floorLoadMs)} ms; engine's first query (index build) ${formatMs(result.firstQueryMs)} ms`);

    for (const op of ["who_can_reach", "reachable_from"] as const) {
      const api: number[] = [];
      const core: number[] = [];
      const floorMs: number[] = [];
      const naive: number[] = [];
      const answers: number[] = [];
      const reasons: string[] = [];
      let naiveFailed = 0;
      const mismatches: LatencyResult["mismatches"] = [];
      const direction = op === "who_can_reach" ? "in" : "out";
      log(`${op}: ${roots[op].length} roots at depth ${o.depth}…`);
      for (const root of roots[op]) {
        const median = async (f: () => Promise<unknown> | unknown) => {
          const xs: number[] = [];
          for (let r = 0; r < o.reps; r++) {
            const s = now();
            await f();
            xs.push(now() - s);
          }
          return percentile(xs, 50);
        };
        let total = -1;
        api.push(
          await median(async () => {
            const page =
              op === "who_can_reach"
                ? await whoCanReachFor(db, actor(), whoCanReachQuerySchema.parse({ target: root.id, maxDepth: String(o.depth) }))
                : await reachableFromFor(db, actor(), reachableFromQuerySchema.parse({ principal: root.id, maxDepth: String(o.depth) }));
            total = page.total;
          }),
        );
        let engineAnswer: { id: string; depth: number }[] = [];
        core.push(
          await median(async () => {
            const ix = await getAccessIndex(db);
            const start = ix.indexOf.get(root.id)!;
            const r = op === "who_can_reach" ? whoCanReach(ix, start, o.depth) : reachableFrom(ix, start, o.depth);
            engineAnswer = r.reached.map((x) => ({ id: ix.ids[x.node]!, depth: x.depth }));
          }),
        );
        let reference: { id: string; depth: number }[] = [];
        floorMs.push(
          await median(() => {
            reference = floor.bfs(root.id, direction, o.depth, op === "who_can_reach");
          }),
        );
        answers.push(reference.length);
        const diff = compareReached(reference, engineAnswer);
        if (diff) mismatches.push({ root: root.id, technique: "engine", detail: diff });
        if (total !== reference.length)
          mismatches.push({ root: root.id, technique: "access API total", detail: `total ${total}, expected ${reference.length}` });
        if (o.naive) {
          const s = now();
          const r = await (op === "who_can_reach" ? sqlWhoCanReach : sqlReachableFrom)(db, "naive_cte", root.id, o.depth, {
            timeoutMs: o.naiveTimeoutMs,
            pathBudget: o.pathBudget,
          });
          const ms = now() - s;
          // A timed-out or over-budget query counts with the time it had taken: a lower bound, flagged.
          naive.push(ms);
          if (!r.ok) {
            naiveFailed++;
            reasons.push(`${root.label} ${root.id}: ${r.reason} after ${formatMs(ms)} ms`);
          } else {
            const d = compareReached(reference, r.reached);
            if (d) mismatches.push({ root: root.id, technique: "naive CTE", detail: d });
          }
        }
      }
      for (const m of mismatches)
        log(
          `\n!!!!!!!! MISMATCH ${size}/${dbKind} ${op} ${m.technique} from ${m.root}: ${typeof m.detail === "string" ? m.detail : JSON.stringify(m.detail)}\n`,
        );
      result.latency.push({
        operation: op,
        roots: roots[op].length,
        answer: pct(answers),
        api: pct(api),
        core: pct(core),
        floor: pct(floorMs),
        naive: { ...pct(naive), failed: naiveFailed, reasons },
        mismatches,
      });
      if (mismatches.length) failures.push(`${mismatches.length} wrong answer(s) in ${op}`);
    }
    result.indexFollowing = await measureIndexFollowing(db, roots.who_can_reach[0]!.id, o, actor);
    result.loadAverage.end = os.loadavg();
    return result;
  } finally {
    await bench.drop();
    clearAccessCache();
    if (!o.keepFiles) rmSync(jsonl, { force: true });
  }
}

// --- The access index following changes (issue #19): full build, and the first query after a one-node change.

interface IndexFollowing {
  /** loadAccessIndex alone (full build: cursor batches into typed arrays), median of 3. */
  fullBuildMs: number;
  /** RSS after the build minus before (MB) and the process's peak RSS so far (MB). */
  buildRssDeltaMb: number;
  peakRssMb: number;
  /** The first whoCanReach API call after one SCIM-like change (a person and a membership), delta applied; each of 5. */
  afterChangeMs: number[];
  /** The same, the old way: the index dropped and rebuilt whole (what every change cost before), each of 3. */
  afterChangeRebuildMs: number[];
  deltas: number;
  fullBuilds: number;
}

async function measureIndexFollowing(db: Db, target: string, o: Options, actor: () => ReturnType<typeof systemActor>): Promise<IndexFollowing> {
  log("index following changes: full build, then the first query after a one-node change…");
  const builds: number[] = [];
  let rssDelta = 0;
  for (let r = 0; r < 3; r++) {
    const before = process.memoryUsage().rss;
    const t = now();
    await loadAccessIndex(db);
    builds.push(now() - t);
    rssDelta = Math.max(rssDelta, process.memoryUsage().rss - before);
  }
  // A person joins: one node and one membership edge to a node the target's answer has, written as a writer does.
  const [src] = ((await db.execute(sql`select id from sources order by id limit 1`)) as unknown as { rows: { id: string }[] }).rows;
  const [group] = (
    (await db.execute(sql`select id from nodes where kind = 'group' and valid_to is null order by id limit 1`)) as unknown as { rows: { id: string }[] }
  ).rows;
  const change = async () => {
    const nodeId = newId("hum");
    const edgeId = newId("edg");
    await db.transaction(async (tx) => {
      await tx.execute(sql`insert into nodes (id, kind, source_id, external_id, name) values (${nodeId}, 'human', ${src!.id}, ${nodeId}, ${"Bench person"})`);
      await tx.execute(
        sql`insert into edges (id, kind, source_id, external_id, from_id, to_id) values (${edgeId}, 'member_of', ${src!.id}, ${edgeId}, ${nodeId}, ${group!.id})`,
      );
      await bumpGraphVersion(tx);
      await recordGraphChange(tx, { origin: "scim", nodeIds: [nodeId], edgeIds: [edgeId] });
    });
  };
  const ask = () => whoCanReachFor(db, actor(), whoCanReachQuerySchema.parse({ target, maxDepth: String(o.depth) }));
  await ask();
  const deltasBefore = accessCacheStats();
  const afterChangeMs: number[] = [];
  for (let r = 0; r < 5; r++) {
    await change();
    const t = now();
    await ask();
    afterChangeMs.push(now() - t);
  }
  const stats = accessCacheStats();
  const afterChangeRebuildMs: number[] = [];
  for (let r = 0; r < 3; r++) {
    await change();
    clearAccessCache();
    const t = now();
    await ask();
    afterChangeRebuildMs.push(now() - t);
  }
  const res: IndexFollowing = {
    fullBuildMs: percentile(builds, 50),
    buildRssDeltaMb: rssDelta / 2 ** 20,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    afterChangeMs,
    afterChangeRebuildMs,
    deltas: stats.deltas - deltasBefore.deltas,
    fullBuilds: stats.fullBuilds - deltasBefore.fullBuilds,
  };
  log(
    `  full build ${formatMs(res.fullBuildMs)} ms (RSS +${res.buildRssDeltaMb.toFixed(0)} MB, peak ${res.peakRssMb.toFixed(0)} MB); first query after a one-node change ${afterChangeMs.map(formatMs).join(", ")} ms (${res.deltas} deltas, ${res.fullBuilds} full builds) vs rebuilt whole ${afterChangeRebuildMs.map(formatMs).join(", ")} ms`,
  );
  return res;
}

function indexFollowingReport(runs: RunResult[]): string[] {
  const rows = runs.flatMap((r) => {
    const f = r.indexFollowing;
    if (!f) return [];
    const max = (xs: number[]) => Math.max(...xs);
    return [
      [
        r.size,
        r.db,
        formatMs(f.fullBuildMs),
        `${f.buildRssDeltaMb.toFixed(0)} / ${f.peakRssMb.toFixed(0)}`,
        `${formatMs(percentile(f.afterChangeMs, 50))} / ${formatMs(max(f.afterChangeMs))}`,
        `${formatMs(percentile(f.afterChangeRebuildMs, 50))} / ${formatMs(max(f.afterChangeRebuildMs))}`,
        ratio(percentile(f.afterChangeRebuildMs, 50) / percentile(f.afterChangeMs, 50)),
        `${f.deltas} / ${f.fullBuilds}`,
      ],
    ];
  });
  if (!rows.length) return [];
  return [
    "",
    "The access index following changes (#19): full build = loadAccessIndex (median of 3); after a change = the first who-can-reach API call after one person and one membership are written and recorded (median / max of 5), against the same with the index rebuilt whole, as every change cost before (median / max of 3).",
    table(
      [
        "size",
        "db",
        "full build ms",
        "build RSS +MB / peak MB",
        "after change ms (delta)",
        "after change ms (rebuilt)",
        "rebuilt ÷ delta",
        "deltas / full builds",
      ],
      rows,
    ),
  ];
}

function report(runs: RunResult[], o: Options): string {
  const out: string[] = [];
  const la = (l: number[]) => l.map((x) => x.toFixed(1)).join(" ");
  out.push("");
  out.push(
    `Attest engine benchmark (issue #4) — depth ${o.depth}, ${o.queries} roots per direction, median of ${o.reps} calls per root (naive CTE: 1), seed ${o.seed}`,
  );
  out.push(`${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "?"}), Node ${process.version}`);
  out.push("");
  out.push(
    table(
      [
        "size",
        "db",
        "nodes",
        "edges",
        "import rec/s",
        "raw COPY rows/s",
        "import ÷ COPY",
        "COPY, indexed tables rows/s",
        "COPY, real tables rows/s",
        "import ÷ COPY real tables",
        "import peak RSS MB",
        "index build (1st query) ms",
        "load avg start → end",
      ],
      runs.map((r) => [
        r.size,
        r.db,
        fmtInt(r.dataset.nodes),
        fmtInt(r.dataset.edges),
        fmtInt(r.import?.recordsPerSecond ?? Number.NaN),
        fmtInt(r.copy?.rowsPerSecond ?? Number.NaN),
        r.importVsCopy === undefined ? "—" : ratio(r.importVsCopy),
        fmtInt(r.copyIndexed?.rowsPerSecond ?? Number.NaN),
        fmtInt(r.copyTables?.rowsPerSecond ?? Number.NaN),
        r.importVsCopyTables === undefined ? "—" : ratio(r.importVsCopyTables),
        fmtInt(r.import?.maxRssAfterMb ?? Number.NaN),
        formatMs(r.firstQueryMs),
        `${la(r.loadAverage.start)} → ${la(r.loadAverage.end)}`,
      ]),
    ),
  );
  out.push("");
  const rows: string[][] = [];
  for (const r of runs)
    for (const l of r.latency) {
      const f = (p: Percentiles) => `${formatMs(p.p50)} / ${formatMs(p.p95)} / ${formatMs(p.p99)}`;
      rows.push([
        r.size,
        r.db,
        l.operation === "who_can_reach" ? "whoCanReach" : "reachableFrom",
        `${fmtInt(l.answer.p50)} / ${fmtInt(l.answer.max)}`,
        f(l.api),
        f(l.core),
        f(l.floor),
        l.naive.n ? `${f(l.naive)}${l.naive.failed ? ` (${l.naive.failed} cut off: ≥)` : ""}` : "not run",
        ratio(l.naive.p95 / l.api.p95),
        ratio(l.api.p95 / l.floor.p95),
        ratio(l.core.p95 / l.floor.p95),
        l.mismatches.length ? `${l.mismatches.length} WRONG` : "equal ✓",
      ]);
    }
  out.push("Latency in ms, p50 / p95 / p99 over the roots. engine = the access API call; core = cached index + BFS; floor = plain BFS over adjacency lists.");
  out.push(
    table(
      [
        "size",
        "db",
        "operation",
        "answer p50 / max",
        "engine (API) ms",
        "core ms",
        "floor BFS ms",
        "naive CTE ms",
        "CTE ÷ engine p95",
        "engine ÷ floor p95",
        "core ÷ floor p95",
        "answers",
      ],
      rows,
    ),
  );
  out.push(...indexFollowingReport(runs));
  for (const r of runs) for (const f of r.failures) out.push(`!!!!!!!! FAILURE ${r.size}/${r.db}: ${f}`);
  return out.join("\n");
}

export async function runEngineSuite(argv: string[]): Promise<number> {
  const o = parseArgs(argv);
  const started = new Date();
  const dir = mkdtempSync(path.join(os.tmpdir(), "attest-bench-"));
  // The PostgreSQL server reads the COPY files as its own OS user.
  chmodSync(dir, 0o755);
  const runs: RunResult[] = [];
  const failures: string[] = [];
  try {
    for (const db of o.dbs)
      for (const size of o.sizes) {
        try {
          runs.push(await runOne(o, size, db, dir));
        } catch (e) {
          failures.push(`${size}/${db}: ${(e as Error).stack ?? (e as Error).message}`);
          log(`!!!!!!!! ${size}/${db} failed: ${(e as Error).message}`);
        }
      }
  } finally {
    if (!o.keepFiles) rmSync(dir, { recursive: true, force: true });
  }
  let render: { ran: boolean; status: number | null; note: string } = { ran: false, status: null, note: "not asked (--render)" };
  if (o.render) {
    const script = path.join(process.cwd(), "scripts/bench/render.ts");
    if (!existsSync(script)) {
      render = { ran: false, status: null, note: "scripts/bench/render.ts is not there: explorer render benchmark skipped" };
      log(render.note);
    } else {
      log("explorer render benchmark: scripts/bench/render.ts…");
      const r = spawnSync(process.execPath, [path.join(process.cwd(), "node_modules/tsx/dist/cli.mjs"), script], { stdio: "inherit" });
      render = { ran: true, status: r.status, note: r.status === 0 ? "ok" : `exited ${r.status}` };
      if (r.status !== 0) failures.push(`render benchmark ${render.note}`);
    }
  }
  const text = report(runs, o);
  const file = path.join(process.cwd(), "bench", "results", `${started.toISOString().replace(/[:.]/g, "-")}.json`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        suite: "engine",
        startedAt: started.toISOString(),
        finishedAt: new Date().toISOString(),
        options: { ...o, url: o.url ? o.url.replace(/\/\/[^@/]*@/, "//***@") : undefined },
        environment: {
          node: process.version,
          cpus: os.cpus().length,
          cpuModel: os.cpus()[0]?.model,
          totalMemoryGb: +(os.totalmem() / 2 ** 30).toFixed(1),
          note: "the machine is shared: see each run's load average",
        },
        edgeKinds: EDGE_KINDS,
        runs,
        render,
        failures,
      },
      (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v),
      2,
    )}\n`,
  );
  console.log(text);
  for (const f of failures) console.log(`!!!!!!!! FAILURE: ${f}`);
  console.log(`Results written to ${path.relative(process.cwd(), file)}`);
  return failures.length || runs.some((r) => r.failures.length) ? 1 : 0;
}
