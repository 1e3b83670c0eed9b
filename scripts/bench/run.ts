/**
 * The benchmarks. By default the engine benchmark of issue #4
 * (scripts/bench/engine-suite.ts: import vs raw COPY, engine latency vs naive
 * CTE and a plain in-memory BFS). With `--suite techniques`, the traversal
 * techniques benchmark below: the in-memory access index against SQL
 * baselines, on a generated identity graph, with every answer checked.
 *
 *   npm run bench -- --suite techniques [--size S|M|L] [--db pglite|postgres] [--queries N] [--depths 4,6,8]
 *                    [--seed N] [--naive-timeout MS] [--naive-max-depth N] [--timeout MS] [--path-budget N]
 *                    [--no-import] [--keep-db] [--url postgres://…]
 *
 * PostgreSQL is used when BENCH_DATABASE_URL or TEST_DATABASE_URL (or --url)
 * is set: a new database attest_bench_<random> is created beside it and
 * dropped at the end. Otherwise in-memory PGlite. Prints a table and writes
 * bench/results/<timestamp>.json. Exits 1 when any technique answers
 * differently from the in-memory index, or the import engine check fails.
 * See docs/BENCHMARKS.md.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { createBenchDatabase, type BenchDatabase } from "@/lib/bench/bench-db";
import { compareReached, type SetDifference } from "@/lib/bench/compare";
import { BENCH_SIZES, DEFAULT_SEED, datasetStats, generateDataset, toGraphDocument, type BenchDataset, type BenchSize } from "@/lib/bench/dataset";
import { analyzeGraph, bulkLoad, type LoadResult } from "@/lib/bench/load";
import { Rng } from "@/lib/bench/random";
import { ALL_ROOTS, BASELINE, Cell, cellReports, headlines, traversalTable, type Operation, type Technique } from "@/lib/bench/report";
import { formatMs, summarize, table } from "@/lib/bench/stats";
import { systemActor } from "@/lib/authz/actor";
import { loadAccessIndex } from "@/lib/graph/access-cache";
import { buildAccessIndex, KIND_CODE, type AccessIndex } from "@/lib/graph/access-index";
import { ACCESS_EDGE_KINDS, EDGE_KINDS } from "@/lib/graph/model";
import { sqlReachableFrom, sqlShortestPaths, sqlWhoCanReach, type SqlTechnique } from "@/lib/graph/sql-traverse";
import { kShortestPaths, reachableFrom, whoCanReach } from "@/lib/graph/traverse";
import { decodeGraphDocument } from "@/lib/ingest/import-items";
import { runImport } from "@/lib/ingest/run-import";
import { evaluateFindings } from "@/lib/findings/evaluate";
import { runEngineSuite } from "./engine-suite";
import { runFindingsSuite } from "./findings-suite";
import { runPrioritySuite } from "./priority-suite";
import { runRequestsSuite } from "./requests-suite";
import { runConnectorsSuite } from "./connectors-suite";
import { runEvidenceSuite } from "./evidence-suite";
import { runCampaignsSuite } from "./campaigns-suite";
import { runInstancesSuite } from "./instances-suite";
import { runScaleSuite } from "./scale-suite";
import { runPdpSuite } from "./pdp-suite";
import { readFlags, wholeNumber } from "@/lib/bench/cli";

interface Options {
  size: BenchSize;
  db: "pglite" | "postgres";
  url?: string;
  queries: number;
  depths: number[];
  seed: number;
  naiveTimeoutMs: number;
  timeoutMs: number;
  pathBudget: number;
  /** The naive CTE runs at depths up to this (it enumerates every path). */
  naiveMaxDepth: number;
  /** After this many timeouts / budget hits in a cell, the naive CTE is skipped for the rest of that cell and deeper. */
  naiveGiveUpAfter: number;
  k: number;
  runImport: boolean;
  keepDb: boolean;
}

const USAGE = `usage: npm run bench -- --suite techniques [--size S|M|L] [--db pglite|postgres] [--queries N] [--depths 4,6,8] [--seed N]
       [--naive-timeout MS] [--naive-max-depth N] [--timeout MS] [--path-budget N] [--no-import] [--keep-db] [--url postgres://...]`;

function usage(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  const envUrl = process.env.BENCH_DATABASE_URL?.trim() || process.env.TEST_DATABASE_URL?.trim() || undefined;
  const o: Options = {
    size: "M",
    db: envUrl ? "postgres" : "pglite",
    url: envUrl,
    queries: 40,
    depths: [4, 6, 8],
    seed: DEFAULT_SEED,
    naiveTimeoutMs: 5_000,
    timeoutMs: 30_000,
    pathBudget: 2_000_000,
    naiveMaxDepth: 6,
    naiveGiveUpAfter: 2,
    k: 5,
    runImport: true,
    keepDb: false,
  };
  let dbGiven = false;
  const int = (flag: string, v: string | undefined, min = 1) => wholeNumber(flag, v, usage, min);
  readFlags(argv, (name, value, flag) => {
    switch (name) {
      case "--size": {
        const v = value()?.toUpperCase();
        if (!BENCH_SIZES.includes(v as BenchSize)) usage("--size must be S, M or L");
        o.size = v as BenchSize;
        break;
      }
      case "--db": {
        const v = value();
        if (v !== "pglite" && v !== "postgres") usage("--db must be pglite or postgres");
        o.db = v;
        dbGiven = true;
        break;
      }
      case "--url":
        o.url = value();
        if (!dbGiven) o.db = "postgres";
        break;
      case "--queries":
        o.queries = int(name, value(), 2);
        break;
      case "--depths": {
        const v = value() ?? "";
        const depths = v.split(",").map((d) => Number(d.trim()));
        if (depths.length === 0 || depths.some((d) => !Number.isInteger(d) || d < 1 || d > 12))
          usage("--depths must be a comma-separated list of depths from 1 to 12");
        o.depths = [...new Set(depths)].sort((a, b) => a - b);
        break;
      }
      case "--seed":
        o.seed = int(name, value(), 0);
        break;
      case "--naive-timeout":
        o.naiveTimeoutMs = int(name, value());
        break;
      case "--timeout":
        o.timeoutMs = int(name, value());
        break;
      case "--path-budget":
        o.pathBudget = int(name, value());
        break;
      case "--naive-max-depth":
        o.naiveMaxDepth = int(name, value());
        break;
      case "--no-import":
        o.runImport = false;
        break;
      case "--keep-db":
        o.keepDb = true;
        break;
      case "--help":
      case "-h":
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        usage(`unknown option ${flag}`);
    }
  });
  if (o.db === "postgres" && !o.url) usage("--db postgres needs BENCH_DATABASE_URL, TEST_DATABASE_URL or --url");
  return o;
}

const log = (message: string) => process.stderr.write(`${message}\n`);
const now = () => performance.now();
const rate = (rows: number, ms: number) => Math.round(rows / (ms / 1000));
const fmtInt = (n: number) => Math.round(n).toLocaleString("en-US");

/** A technique that answered differently from the in-memory index: printed at once, loudly, and the run exits 1. */
interface Mismatch {
  operation: Operation;
  technique: Technique;
  depth: number;
  root: string;
  rootKind: string;
  detail: SetDifference | string;
}

interface Roots {
  out: { id: string; label: string }[];
  in: { id: string; label: string }[];
}

/**
 * Benchmark roots, fixed by the seed: for reachable-from half humans and half
 * agents; for who-can-reach half popular tools (large answers) and half
 * shared credentials (used directly by two identities or more: the
 * blast-radius question).
 */
function pickRoots(ds: BenchDataset, ids: string[], perDirection: number, seed: number): Roots {
  const rng = new Rng(seed ^ 0x5bd1e995);
  const take = (pool: number[], n: number, label: string) => rng.distinct(Math.min(n, pool.length), () => rng.pick(pool)).map((i) => ({ id: ids[i]!, label }));
  const users = new Map<number, number>();
  const usesCredential = EDGE_KINDS.indexOf("uses_credential");
  for (let e = 0; e < ds.edgeKinds.length; e++) if (ds.edgeKinds[e] === usesCredential) users.set(ds.edgeTo[e]!, (users.get(ds.edgeTo[e]!) ?? 0) + 1);
  const shared = ds.roles.credentials.filter((c) => (users.get(c) ?? 0) >= 2);
  const half = Math.ceil(perDirection / 2);
  const rest = perDirection - half;
  return {
    out: [...take(ds.roles.humans, half, "human"), ...take(ds.roles.agents, rest, "agent")],
    in: [...take(ds.roles.popularTools, half, "popular tool"), ...take(shared.length ? shared : ds.roles.credentials, rest, "shared credential")],
  };
}

function median3(f: () => void): number {
  const t: number[] = [];
  for (let i = 0; i < 3; i++) {
    const s = now();
    f();
    t.push(now() - s);
  }
  return t.sort((a, b) => a - b)[1]!;
}

async function measureLoad(bench: BenchDatabase, ds: BenchDataset): Promise<{ load: LoadResult; analyzeMs: number }> {
  let lastReport = 0;
  const load = await bulkLoad(bench.database.db, ds, {
    onProgress: (done, total) => {
      if (now() - lastReport > 2000) {
        lastReport = now();
        log(`  … ${fmtInt(done)} / ${fmtInt(total)} rows`);
      }
    },
  });
  const t = now();
  await analyzeGraph(bench.database.db);
  return { load, analyzeMs: now() - t };
}

interface IndexTiming {
  buildsMs: number[];
  readMs: number;
  csrMs: number;
  nodes: number;
  accessEdges: number;
  typedArrayBytes: number;
}

/** The in-memory index, built from the database (as the app does) three times; and the CSR build alone. */
async function measureIndex(db: Db): Promise<{ ix: AccessIndex; timing: IndexTiming }> {
  const buildsMs: number[] = [];
  let ix: AccessIndex | undefined;
  for (let i = 0; i < 3; i++) {
    const t = now();
    ix = await loadAccessIndex(db);
    buildsMs.push(now() - t);
  }
  // The same read without building, to split the cost into database read and CSR build.
  const t0 = now();
  const nodeRows = (await db.execute(sql`select id, kind from nodes where valid_to is null`)) as unknown as { rows: { id: string; kind: never }[] };
  const edgeRows = (await db.execute(
    sql`select from_id as "fromId", to_id as "toId", kind from edges where valid_to is null and kind = any(${sql.param([...ACCESS_EDGE_KINDS])}::text[])`,
  )) as unknown as { rows: { fromId: string; toId: string; kind: never }[] };
  const readMs = now() - t0;
  const t1 = now();
  buildAccessIndex(nodeRows.rows, edgeRows.rows);
  const csrMs = now() - t1;
  const x = ix!;
  const typedArrayBytes = [x.kinds, x.fwdStart, x.fwdTo, x.fwdKind, x.revStart, x.revFrom, x.revKind].reduce((a, arr) => a + arr.byteLength, 0);
  return { ix: x, timing: { buildsMs, readMs, csrMs, nodes: x.ids.length, accessEdges: x.edgeCount, typedArrayBytes } };
}

/** Records into a subject's cell and the all-roots cell at once. */
class Cells {
  readonly map = new Map<string, Cell>();

  get(operation: Operation, subject: string, depth: number, technique: Technique): Cell {
    const key = `${operation}|${subject}|${depth}|${technique}`;
    let c = this.map.get(key);
    if (!c) this.map.set(key, (c = new Cell(operation, subject, depth, technique)));
    return c;
  }

  both(operation: Operation, subject: string, depth: number, technique: Technique): Cell[] {
    return [this.get(operation, subject, depth, technique), this.get(operation, ALL_ROOTS, depth, technique)];
  }
}

const SQL_ORDER = ["frontier_cte", "iterative_bfs", "naive_cte"] as const satisfies readonly SqlTechnique[];

async function traversals(db: Db, ix: AccessIndex, roots: Roots, popularTools: string[], o: Options, mismatches: Mismatch[]): Promise<Cells> {
  const cells = new Cells();
  const popular = new Set(popularTools.map((id) => ix.indexOf.get(id)!));
  // (operation, subject) → the depth at which the naive CTE gave up.
  const naiveGaveUp = new Map<string, number>();
  const TOOL = KIND_CODE.get("tool")!;
  const RESOURCE = KIND_CODE.get("resource")!;

  const mismatch = (m: Mismatch) => {
    mismatches.push(m);
    const detail =
      typeof m.detail === "string"
        ? m.detail
        : `expected ${m.detail.expected}, got ${m.detail.actual}: ${m.detail.missing} missing, ${m.detail.extra} extra, ${m.detail.wrongDepth} at a wrong depth; ${m.detail.examples.join("; ")}`;
    log(`\n!!!!!!!! MISMATCH: ${m.technique} ${m.operation} depth ${m.depth} from ${m.rootKind} ${m.root}: ${detail}\n`);
  };
  /** Whether the naive CTE runs for this cell; if not, counts the skip and says why. */
  const naiveRuns = (operation: Operation, subject: string, depth: number) => {
    const gaveUp = naiveGaveUp.get(`${operation}|${subject}`);
    const reason =
      depth > o.naiveMaxDepth
        ? `not run above depth ${o.naiveMaxDepth}`
        : gaveUp !== undefined && depth >= gaveUp
          ? `gave up at depth ${gaveUp}: ${o.naiveGiveUpAfter} roots over ${fmtInt(o.naiveTimeoutMs)} ms or ${fmtInt(o.pathBudget)} paths`
          : null;
    if (reason === null) return true;
    for (const c of cells.both(operation, subject, depth, "naive_cte")) {
      c.skipped++;
      c.skipReason = reason;
    }
    return false;
  };
  const failed = (operation: Operation, subject: string, depth: number, technique: Technique, reason: "timeout" | "budget") => {
    const [c] = cells.both(operation, subject, depth, technique).map((x) => {
      if (reason === "timeout") x.timeouts++;
      else x.budgetHits++;
      return x;
    });
    if (technique === "naive_cte" && c!.failures >= o.naiveGiveUpAfter) naiveGaveUp.set(`${operation}|${subject}`, depth);
  };
  const sample = (operation: Operation, subject: string, depth: number, technique: Technique, ms: number, size: number) => {
    for (const c of cells.both(operation, subject, depth, technique)) {
      c.samples.push(ms);
      c.sizes.push(size);
    }
  };

  // Warm-up (not timed): the JIT on every in-memory root and depth, then each SQL technique once per direction.
  log("warming up…");
  for (const direction of ["out", "in"] as const) {
    for (const r of roots[direction]) {
      const i = ix.indexOf.get(r.id)!;
      for (const depth of o.depths) (direction === "out" ? reachableFrom : whoCanReach)(ix, i, depth);
    }
    const r = roots[direction][0];
    if (!r) continue;
    for (const technique of SQL_ORDER) {
      await (direction === "out" ? sqlReachableFrom : sqlWhoCanReach)(db, technique, r.id, Math.min(4, o.depths[0]!), {
        timeoutMs: o.naiveTimeoutMs,
        pathBudget: o.pathBudget,
      });
    }
  }

  for (const depth of o.depths) {
    for (const direction of ["out", "in"] as const) {
      const operation: Operation = direction === "out" ? "reachable_from" : "who_can_reach";
      log(`${operation} depth ${depth}: ${roots[direction].length} roots`);
      for (const root of roots[direction]) {
        const subject = root.label;
        const start = ix.indexOf.get(root.id)!;
        // In memory: median of three calls per root (sub-millisecond timings are noisy).
        const traverse = () => (direction === "out" ? reachableFrom(ix, start, depth) : whoCanReach(ix, start, depth));
        const memMs = median3(traverse);
        const expected = traverse().reached.map((x) => ({ id: ix.ids[x.node]!, depth: x.depth }));
        sample(operation, subject, depth, "in_memory", memMs, expected.length);

        for (const technique of SQL_ORDER) {
          if (technique === "naive_cte" && !naiveRuns(operation, subject, depth)) continue;
          const opts = { timeoutMs: technique === "naive_cte" ? o.naiveTimeoutMs : o.timeoutMs, pathBudget: o.pathBudget };
          const t = now();
          const r = await (direction === "out" ? sqlReachableFrom : sqlWhoCanReach)(db, technique, root.id, depth, opts);
          const ms = now() - t;
          if (!r.ok) {
            failed(operation, subject, depth, technique, r.reason);
            log(`  ${technique} ${r.reason} from ${subject} ${root.id} at depth ${depth} (${formatMs(ms)} ms): ${r.message}`);
            continue;
          }
          sample(operation, subject, depth, technique, ms, r.reached.length);
          const diff = compareReached(expected, r.reached);
          if (diff) {
            for (const c of cells.both(operation, subject, depth, technique)) c.mismatches++;
            mismatch({ operation, technique, depth, root: root.id, rootKind: subject, detail: diff });
          }
        }

        // k shortest paths from the principal to the nearest popular tool it reaches (many paths through
        // group diamonds), else to a tool or resource two steps short of the depth limit, else the farthest.
        if (direction === "out") {
          const targets = reachableFrom(ix, start, depth).reached.filter((x) => ix.kinds[x.node] === TOOL || ix.kinds[x.node] === RESOURCE);
          const target = targets.find((x) => popular.has(x.node)) ?? targets.filter((x) => x.depth <= depth - 2).at(-1) ?? targets.at(-1);
          if (!target) continue;
          let found = kShortestPaths(ix, start, target.node, o.k, depth);
          const kMs = median3(() => {
            found = kShortestPaths(ix, start, target.node, o.k, depth);
          });
          sample("k_paths", subject, depth, "in_memory", kMs, found.paths.length);
          if (!naiveRuns("k_paths", subject, depth)) continue;
          const t = now();
          const r = await sqlShortestPaths(db, root.id, ix.ids[target.node]!, o.k, depth, { timeoutMs: o.naiveTimeoutMs, pathBudget: o.pathBudget });
          const ms = now() - t;
          if (!r.ok) {
            failed("k_paths", subject, depth, "naive_cte", r.reason);
            log(`  k paths (naive CTE) ${r.reason} from ${subject} ${root.id} at depth ${depth} (${formatMs(ms)} ms)`);
            continue;
          }
          sample("k_paths", subject, depth, "naive_cte", ms, r.paths.length);
          const want = found.paths.map((p) => p.edges.length).join(",");
          const got = r.paths.map((p) => p.length - 1).join(",");
          if (!found.truncated && want !== got) {
            for (const c of cells.both("k_paths", subject, depth, "naive_cte")) c.mismatches++;
            mismatch({
              operation: "k_paths",
              technique: "naive_cte",
              depth,
              root: root.id,
              rootKind: subject,
              detail: `path lengths [${got}], expected [${want}] (to ${ix.ids[target.node]})`,
            });
          }
        }
      }
    }
  }
  return cells;
}

interface ImportRun {
  /** The import itself: from its start to its commit (the import record's durationMs). */
  ms: number;
  recordsPerSecond: number;
  /** runImport's whole call, including the work it does after the commit (findings evaluation). */
  totalMs: number;
  status: string;
  counts: unknown;
}

interface ImportCheck {
  nodes: number;
  edges: number;
  first: ImportRun;
  second: ImportRun & { allZero: boolean };
}

/** The import engine on the S dataset, in its own fresh database: a full import, then the same again (must change nothing). */
async function measureImport(o: Options): Promise<ImportCheck> {
  const bench = await createBenchDatabase(o.db, o.url);
  try {
    const ds = generateDataset("S", o.seed);
    const doc = toGraphDocument(ds, "bench-import", "full");
    const records = doc.nodes.length + doc.edges.length;
    const actor = systemActor("bench");
    const once = async () => {
      // Decoding is part of what an import costs: decode a fresh copy each time.
      const decoded = decodeGraphDocument(structuredClone(doc));
      if ("errors" in decoded) throw new Error(`the generated document does not decode: ${JSON.stringify(decoded.errors.slice(0, 3))}`);
      const t = now();
      const rec = await runImport(bench.database.db, actor, decoded, { format: "graph" });
      const totalMs = now() - t;
      const ms = rec.durationMs ?? totalMs;
      return { ms, recordsPerSecond: rate(records, ms), totalMs, status: rec.status, counts: rec.counts, errors: rec.errors };
    };
    log(`import engine: S dataset (${fmtInt(records)} records), first import…`);
    const first = await once();
    if (first.status !== "succeeded") throw new Error(`the first import ${first.status}: ${JSON.stringify(first.errors).slice(0, 500)}`);
    log(`import engine: second identical import…`);
    const second = await once();
    const allZero =
      second.status === "succeeded" && second.counts !== null && Object.values(second.counts as unknown as Record<string, number>).every((n) => n === 0);
    const strip = ({ errors: _errors, ...run }: typeof first) => run;
    return { nodes: doc.nodes.length, edges: doc.edges.length, first: strip(first), second: { ...strip(second), allZero } };
  } finally {
    await bench.drop({ keep: o.keepDb });
  }
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const started = new Date();
  const loadAtStart = os.loadavg();
  const mismatches: Mismatch[] = [];
  const failures: string[] = [];

  log(`generating the ${o.size} dataset (seed ${o.seed})…`);
  const t = now();
  const ds = generateDataset(o.size, o.seed);
  const generateMs = now() - t;
  const stats = datasetStats(ds);
  log(`  ${fmtInt(stats.nodes)} nodes, ${fmtInt(stats.edges)} edges (${fmtInt(stats.accessEdges)} access edges) in ${formatMs(generateMs)} ms`);

  log(`creating a ${o.db} database…`);
  const bench = await createBenchDatabase(o.db, o.url);
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log("interrupted: dropping the benchmark database…");
    bench.drop({ keep: o.keepDb }).finally(() => process.exit(130));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  let exitCode = 0;
  try {
    const db = bench.database.db;
    const serverVersion = ((await db.execute(sql`select version() as v`)) as unknown as { rows: { v: string }[] }).rows[0]?.v ?? "?";
    log(`  ${bench.name} — ${serverVersion}`);

    log(`loading ${fmtInt(stats.nodes + stats.edges)} rows…`);
    const { load, analyzeMs } = await measureLoad(bench, ds);
    log(`  nodes ${fmtInt(rate(load.nodes, load.nodeMs))} rows/s, edges ${fmtInt(rate(load.edges, load.edgeMs))} rows/s; analyze ${formatMs(analyzeMs)} ms`);

    log("building the in-memory index from the database (3×)…");
    const { ix, timing } = await measureIndex(db);
    log(`  ${timing.buildsMs.map(formatMs).join(" / ")} ms`);

    const roots = pickRoots(ds, load.ids, Math.ceil(o.queries), o.seed);
    const cells = await traversals(
      db,
      ix,
      roots,
      ds.roles.popularTools.map((i) => load.ids[i]!),
      o,
      mismatches,
    );

    // Findings over the whole dataset: the first evaluation writes every finding, the second only checks.
    log("evaluating findings (2×)…");
    const findingsRuns: { ms: number; found: number; new: number; unchanged: number }[] = [];
    for (let i = 0; i < 2; i++) {
      const t0 = now();
      const r = await evaluateFindings(db, systemActor("bench"), { trigger: "bench" });
      findingsRuns.push({ ms: now() - t0, found: r.counts.found, new: r.counts.new, unchanged: r.counts.unchanged });
      log(`  ${formatMs(now() - t0)} ms: ${fmtInt(r.counts.found)} found, ${fmtInt(r.counts.new)} new`);
    }
    if (findingsRuns[1]!.new !== 0) failures.push(`a second findings evaluation of an unchanged graph created ${findingsRuns[1]!.new} findings`);

    let importCheck: ImportCheck | null = null;
    if (o.runImport) {
      try {
        importCheck = await measureImport(o);
        if (!importCheck.second.allZero) failures.push(`the second identical import changed something: ${JSON.stringify(importCheck.second.counts)}`);
      } catch (e) {
        failures.push(`import engine: ${(e as Error).message}`);
      }
    }

    // ---- Report.
    const reports = cellReports(cells.map.values());
    const baseline6 = (op: Operation) =>
      reports.find((r) => r.operation === op && r.subject === ALL_ROOTS && r.technique === BASELINE && r.depth === (o.depths.includes(6) ? 6 : o.depths[0]));
    const indexMs = summarize(timing.buildsMs).p50;
    const out: string[] = [];
    out.push("");
    out.push(`Attest traversal benchmark — size ${o.size}, ${o.db} (${serverVersion.split(" on ")[0]}), seed ${o.seed}, ${started.toISOString()}`);
    const loadAtEnd = os.loadavg();
    const la = (l: number[]) => l.map((x) => x.toFixed(1)).join(" ");
    out.push(
      `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "?"}), Node ${process.version}; load average ${la(loadAtStart)} at start, ${la(loadAtEnd)} at end${loadAtStart[0]! > os.cpus().length || loadAtEnd[0]! > os.cpus().length ? " — the machine was busy with other work: timings are noisier and slower than on an idle machine" : ""}`,
    );
    out.push("");
    out.push(
      table(
        ["dataset", "value"],
        [
          ["nodes", fmtInt(stats.nodes)],
          ["edges (all kinds)", fmtInt(stats.edges)],
          ["access edges", fmtInt(stats.accessEdges)],
          ...Object.entries(stats.byNodeKind).map(([k, n]) => [`  ${k}`, fmtInt(n ?? 0)]),
        ],
      ),
    );
    out.push("");
    out.push(
      table(
        ["load / build", "ms", "rate / note"],
        [
          ["bulk load nodes (INSERT … unnest, 10k/statement)", formatMs(load.nodeMs), `${fmtInt(rate(load.nodes, load.nodeMs))} rows/s`],
          ["bulk load edges (INSERT … unnest, 10k/statement)", formatMs(load.edgeMs), `${fmtInt(rate(load.edges, load.edgeMs))} rows/s`],
          ["bulk load total", formatMs(load.totalMs), `${fmtInt(rate(load.nodes + load.edges, load.totalMs))} rows/s`],
          ["vacuum analyze nodes, edges", formatMs(analyzeMs), ""],
          [
            "in-memory index: loadAccessIndex (p50 of 3)",
            formatMs(indexMs),
            `${timing.buildsMs.map(formatMs).join(" / ")} ms; ${(timing.typedArrayBytes / 1048576).toFixed(1)} MB typed arrays + ${fmtInt(timing.nodes)} id strings`,
          ],
          ["  of which: read rows", formatMs(timing.readMs), `${fmtInt(timing.nodes)} nodes, ${fmtInt(timing.accessEdges)} access edges`],
          ["  of which: build CSR", formatMs(timing.csrMs), ""],
          ...(["who_can_reach", "reachable_from"] as const).map((op) => {
            const b = baseline6(op);
            return [
              `  index build ÷ frontier CTE ${op === "who_can_reach" ? "who-can-reach" : "reachable-from"} p50 (depth ${b?.depth ?? "?"})`,
              "",
              b ? `${(indexMs / b.ms.p50).toFixed(1)} queries' worth` : "—",
            ];
          }),
          ...(importCheck
            ? [
                [
                  `import engine, S document (${fmtInt(importCheck.nodes + importCheck.edges)} records), first`,
                  formatMs(importCheck.first.ms),
                  `${fmtInt(importCheck.first.recordsPerSecond)} records/s to commit (the bulk loader is ${(rate(load.nodes + load.edges, load.totalMs) / importCheck.first.recordsPerSecond).toFixed(1)}× faster per row); ${JSON.stringify(importCheck.first.counts)}`,
                ],
                [
                  "  runImport call, incl. post-commit work (findings)",
                  formatMs(importCheck.first.totalMs),
                  `${formatMs(importCheck.first.totalMs - importCheck.first.ms)} ms after the commit`,
                ],
                [
                  "import engine, second identical import",
                  formatMs(importCheck.second.ms),
                  `${fmtInt(importCheck.second.recordsPerSecond)} records/s; counts ${JSON.stringify(importCheck.second.counts)} — ${importCheck.second.allZero ? "all zero ✓" : "NOT ALL ZERO ✗"}`,
                ],
                [
                  "  runImport call, incl. post-commit work (findings)",
                  formatMs(importCheck.second.totalMs),
                  `${formatMs(importCheck.second.totalMs - importCheck.second.ms)} ms after the commit`,
                ],
              ]
            : []),
        ],
      ),
    );
    out.push("");
    out.push(
      `Roots: reachable-from ${roots.out.length} (${countLabels(roots.out)}); who-can-reach ${roots.in.length} (${countLabels(roots.in)}). Times in ms; ratios = frontier CTE time ÷ technique time.`,
    );
    out.push(
      `Limits: naive CTE up to depth ${o.naiveMaxDepth}, ${o.naiveTimeoutMs} ms statement timeout${o.db === "pglite" ? " (ignored by PGlite)" : ""}, ${fmtInt(o.pathBudget)}-path budget, given up for a cell and deeper after ${o.naiveGiveUpAfter} failures; others ${o.timeoutMs} ms.`,
    );
    out.push("");
    out.push(traversalTable(reports.filter((r) => r.subject !== ALL_ROOTS)));
    out.push("");
    for (const h of headlines(reports)) out.push(h);
    out.push("");
    if (mismatches.length) out.push(`!!!!!!!! ${mismatches.length} MISMATCH(ES) between SQL and the in-memory index — see above and the JSON file.`);
    else out.push("Correctness: every SQL answer equals the in-memory answer, for every root and depth that ran.");
    out.push(
      `Findings evaluation over the dataset: first ${formatMs(findingsRuns[0]!.ms)} ms (${fmtInt(findingsRuns[0]!.found)} findings written), second ${formatMs(findingsRuns[1]!.ms)} ms (unchanged graph, nothing written).`,
    );
    for (const f of failures) out.push(`!!!!!!!! FAILURE: ${f}`);

    const file = path.join(process.cwd(), "bench", "results", `${started.toISOString().replace(/[:.]/g, "-")}.json`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(
      file,
      `${JSON.stringify(
        {
          startedAt: started.toISOString(),
          finishedAt: new Date().toISOString(),
          options: { ...o, url: o.url ? redact(o.url) : undefined },
          environment: {
            node: process.version,
            cpus: os.cpus().length,
            cpuModel: os.cpus()[0]?.model,
            totalMemoryGb: +(os.totalmem() / 2 ** 30).toFixed(1),
            loadAverageAtStart: loadAtStart,
            loadAverageAtEnd: loadAtEnd,
            database: o.db,
            serverVersion,
            databaseName: bench.name,
          },
          dataset: { size: o.size, seed: o.seed, generateMs, ...stats },
          load: {
            nodes: load.nodes,
            edges: load.edges,
            nodeMs: load.nodeMs,
            edgeMs: load.edgeMs,
            totalMs: load.totalMs,
            nodesPerSecond: rate(load.nodes, load.nodeMs),
            edgesPerSecond: rate(load.edges, load.edgeMs),
            rowsPerSecond: rate(load.nodes + load.edges, load.totalMs),
            analyzeMs,
          },
          index: {
            ...timing,
            p50Ms: indexMs,
            perBaselineQuery: Object.fromEntries(
              (["who_can_reach", "reachable_from"] as const).map((op) => [op, baseline6(op) ? indexMs / baseline6(op)!.ms.p50 : null]),
            ),
          },
          import: importCheck,
          findings: findingsRuns,
          baseline: BASELINE,
          roots,
          traversals: reports,
          mismatches,
          failures,
        },
        (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v),
        2,
      )}\n`,
    );
    out.push(`Results written to ${path.relative(process.cwd(), file)}`);
    console.log(out.join("\n"));
    if (mismatches.length || failures.length) exitCode = 1;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    if (!interrupted) await bench.drop({ keep: o.keepDb });
    if (o.keepDb) log(`kept database ${bench.name}`);
  }
  process.exit(exitCode);
}

function countLabels(list: { label: string }[]): string {
  const m = new Map<string, number>();
  for (const r of list) m.set(r.label, (m.get(r.label) ?? 0) + 1);
  return [...m].map(([l, n]) => `${n} ${l}${n > 1 ? "s" : ""}`).join(", ");
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable)";
  }
}

// `npm run bench` runs the engine benchmark of issue #4 (scripts/bench/engine-suite.ts);
// `--suite techniques` the comparison of SQL traversal techniques below.
const argv = process.argv.slice(2);
const suiteAt = argv.findIndex((a) => a === "--suite" || a.startsWith("--suite="));
const suite = suiteAt < 0 ? "engine" : argv[suiteAt]!.includes("=") ? argv[suiteAt]!.split("=")[1] : argv[suiteAt + 1];
if (suiteAt >= 0) process.argv.splice(2 + suiteAt, argv[suiteAt]!.includes("=") ? 1 : 2);
if (
  suite !== "engine" &&
  suite !== "techniques" &&
  suite !== "findings" &&
  suite !== "findings-priority" &&
  suite !== "requests" &&
  suite !== "connectors" &&
  suite !== "evidence" &&
  suite !== "campaigns" &&
  suite !== "instances" &&
  suite !== "scale" &&
  suite !== "pdp"
)
  usage("--suite must be engine, techniques, findings, findings-priority, requests, connectors, evidence, campaigns, instances, scale or pdp");
(suite === "engine"
  ? runEngineSuite(process.argv.slice(2)).then((code) => process.exit(code))
  : suite === "findings"
    ? runFindingsSuite(process.argv.slice(2)).then((code) => process.exit(code))
    : suite === "findings-priority"
      ? runPrioritySuite(process.argv.slice(2)).then((code) => process.exit(code))
      : suite === "requests"
        ? runRequestsSuite(process.argv.slice(2)).then((code) => process.exit(code))
        : suite === "connectors"
          ? runConnectorsSuite(process.argv.slice(2)).then((code) => process.exit(code))
          : suite === "evidence"
            ? runEvidenceSuite(process.argv.slice(2)).then((code) => process.exit(code))
            : suite === "campaigns"
              ? runCampaignsSuite(process.argv.slice(2)).then((code) => process.exit(code))
              : suite === "instances"
                ? runInstancesSuite(process.argv.slice(2)).then((code) => process.exit(code))
                : suite === "scale"
                  ? runScaleSuite(process.argv.slice(2)).then((code) => process.exit(code))
                  : suite === "pdp"
                    ? runPdpSuite(process.argv.slice(2)).then((code) => process.exit(code))
                    : main()
).catch((e: Error) => {
  console.error(`benchmark failed: ${e.stack ?? e.message}`);
  process.exit(1);
});
