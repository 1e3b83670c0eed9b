/**
 * The findings-priority benchmark of issue 16 (`npm run bench -- --suite findings-priority`): on a generated
 * organisation, loaded and evaluated (every open finding gets a cause and a score, finding_groups one row per cause),
 *  1. speed — the work queue (GET /api/v1/findings/groups?limit=50) and the default findings list (listFindings,
 *     status open, the API's default order), called through their lib functions, each beside baselines on the same
 *     database in the same run (the bare page query; the order or the aggregation it replaces), as ratios and ms;
 *  2. quality — open groups ÷ open findings (≤ 2%), the top 20 groups' share of the total priority (≥ 50%), and for
 *     each top-20 group, the members resolved when its action is applied (the cause ended — node and edges gone —
 *     or, for an owner's action, its ownership handed to an active person), re-evaluated in memory
 *     over the findings snapshot (≥ 90%; lib/bench/priority.db.test.ts shows this agrees with a real import);
 *  3. rug pull — a certified agent's MCP tool whose definition then changes (a delta import), and the rank of its
 *     group in the work queue after the pipeline's incremental evaluation and after a full one (target: top 10).
 *
 *   npm run bench -- --suite findings-priority [--size S,M] [--db pglite|postgres] [--url postgres://…] [--reps N]
 *                    [--top N] [--seed N] [--no-simulate] [--keep-db]
 *
 * Writes bench/results/findings-priority-<timestamp>.json. See docs/BENCHMARKS.md.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rows } from "@/db/rows";
import { appUsers } from "@/db/schema";
import { systemActor } from "@/lib/authz/actor";
import { createBenchDatabase } from "@/lib/bench/bench-db";
import { readFlags, wholeNumber } from "@/lib/bench/cli";
import { BENCH_SIZES, DEFAULT_SEED, datasetStats, generateDataset, type BenchSize } from "@/lib/bench/dataset";
import { analyzeGraph, bulkLoad } from "@/lib/bench/load";
import {
  findingKey,
  groupMembers,
  groupRank,
  pickRugPull,
  qualityFigures,
  rugPullDocument,
  simulateAction,
  simulatedAction,
  type CauseSimulation,
  type QualityFigures,
} from "@/lib/bench/priority";
import { formatMs, percentile, table } from "@/lib/bench/stats";
import { runEvaluation, runRules } from "@/lib/findings/evaluate";
import { listFindings, listFindingsQuerySchema, findingsSummary } from "@/lib/findings/queries";
import { listFindingGroups, listGroupsQuerySchema } from "@/lib/findings/group-queries";
import { loadSettings } from "@/lib/findings/settings";
import { loadSnapshot } from "@/lib/findings/snapshot";
import { certify } from "@/lib/findings/test-graphs";
import { pendingChanges } from "@/lib/graph/after-change";
import { newId } from "@/lib/ids";
import { decodeConverted } from "@/lib/ingest/import-items";
import { runImport } from "@/lib/ingest/run-import";
import { processGraphChanges } from "@/lib/pipeline/process-changes";

const USAGE = `usage: npm run bench -- --suite findings-priority [--size S,M] [--db pglite|postgres] [--url postgres://…] [--reps N] [--top N] [--seed N]
       [--no-simulate] [--keep-db]`;

interface Options {
  sizes: BenchSize[];
  db: "pglite" | "postgres";
  url: string | undefined;
  reps: number;
  top: number;
  seed: number;
  simulate: boolean;
  keepDb: boolean;
}

/** The targets. */
export const TARGETS = { latencyMs: 500, groupsPerFinding: 0.02, topShare: 0.5, resolvedFraction: 0.9, rugPullRank: 10 } as const;

function parseArgs(argv: string[]): Options {
  const usage = (message: string): never => {
    console.error(`${message}\n${USAGE}`);
    process.exit(2);
  };
  const envUrl = process.env.BENCH_DATABASE_URL?.trim() || process.env.TEST_DATABASE_URL?.trim() || undefined;
  const o: Options = { sizes: ["S"], db: envUrl ? "postgres" : "pglite", url: envUrl, reps: 20, top: 20, seed: DEFAULT_SEED, simulate: true, keepDb: false };
  readFlags(argv, (name, value, flag) => {
    if (name === "--size") {
      const v = (value() ?? "")
        .toUpperCase()
        .split(",")
        .map((s) => s.trim());
      if (!v.length || v.some((s) => !BENCH_SIZES.includes(s as BenchSize))) usage("--size must be S, M or L, or a list like S,M");
      o.sizes = [...new Set(v as BenchSize[])];
    } else if (name === "--db") {
      const v = value();
      if (v !== "pglite" && v !== "postgres") usage("--db must be pglite or postgres");
      o.db = v as "pglite" | "postgres";
    } else if (name === "--url") {
      o.url = value();
    } else if (name === "--reps") o.reps = wholeNumber(name, value(), usage, 3);
    else if (name === "--top") o.top = wholeNumber(name, value(), usage);
    else if (name === "--seed") o.seed = wholeNumber(name, value(), usage, 0);
    else if (name === "--no-simulate") o.simulate = false;
    else if (name === "--keep-db") o.keepDb = true;
    else if (name === "--help" || name === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else usage(`unknown option ${flag}`);
  });
  if (o.db === "postgres" && !o.url) usage("--db postgres needs BENCH_DATABASE_URL, TEST_DATABASE_URL or --url");
  return o;
}

const log = (m: string) => console.log(m);
const loadAvg = () => os.loadavg().map((x) => Math.round(x * 100) / 100) as [number, number, number];
const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)}%`;
const fmtInt = (n: number) => Math.round(n).toLocaleString("en-US");
const mark = (ok: boolean) => (ok ? "met ✓" : "NOT met ✗");
const GROUPS_API = "GET /api/v1/findings/groups?limit=50 (lib function)";

async function timed<T>(f: () => Promise<T>): Promise<[number, T]> {
  const s = performance.now();
  const r = await f();
  return [performance.now() - s, r];
}

interface Latency {
  n: number;
  p50: number;
  p95: number;
  max: number;
}
const summary = (ms: number[]): Latency => {
  const s = [...ms].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), max: s.at(-1) ?? 0 };
};

/** One measured call and the baselines it is compared with, run in turns so they share the machine's load. */
interface Measure {
  name: string;
  run: () => Promise<unknown>;
}

async function sideBySide(calls: Measure[], reps: number): Promise<Record<string, Latency>> {
  for (const c of calls) for (let i = 0; i < 2; i++) await c.run(); // warm-up: plans, caches, the JIT
  const ms = new Map<string, number[]>(calls.map((c) => [c.name, []]));
  for (let r = 0; r < reps; r++) for (const c of calls) ms.get(c.name)!.push((await timed(c.run))[0]);
  return Object.fromEntries([...ms].map(([k, v]) => [k, summary(v)]));
}

interface SpeedResult {
  list: Record<string, Latency>;
  groups: Record<string, Latency>;
}

async function measureSpeed(db: Db, reps: number): Promise<SpeedResult> {
  const actor = systemActor("bench");
  // The findings page's default: open findings, first page of 50, in the API's default order (priority).
  const listQuery = listFindingsQuerySchema.parse({ status: "open", limit: "50" });
  const secondPage = (await listFindings(db, actor, listQuery)).nextCursor ?? undefined;
  const list = await sideBySide(
    [
      { name: "listFindings (default query)", run: () => listFindings(db, actor, listQuery) },
      { name: "listFindings, second page (cursor)", run: () => listFindings(db, actor, { ...listQuery, cursor: secondPage }) },
      {
        name: "findings page data (list + summary + pending, in parallel)",
        run: () => Promise.all([findingsSummary(db, actor, { status: "open" }), listFindings(db, actor, listQuery), pendingChanges(db)]),
      },
      {
        // The floor: the order findings_open_score_idx keeps (drizzle declares `score desc` indexes NULLS LAST).
        name: "baseline: bare page query, by score (the index's order)",
        run: () => rows(db, sql`select * from findings where status = 'open' order by score desc nulls last, id limit 51`),
      },
      {
        name: "baseline: bare page query, by score desc (nulls first)",
        run: () => rows(db, sql`select * from findings where status = 'open' order by score desc, id limit 51`),
      },
      {
        name: "baseline: bare page query, by severity then name (before #16)",
        run: () =>
          rows(
            db,
            sql`select * from findings where status = 'open'
                order by (case severity when 'critical' then 3 when 'high' then 2 when 'medium' then 1 else 0 end) desc, subject_name, id limit 51`,
          ),
      },
      { name: "baseline: count of open findings", run: () => rows(db, sql`select count(*) from findings where status = 'open'`) },
    ],
    reps,
  );
  const groupsQuery = listGroupsQuerySchema.parse({ limit: "50" });
  const groups = await sideBySide(
    [
      { name: GROUPS_API, run: () => listFindingGroups(db, actor, groupsQuery) },
      {
        name: "baseline: bare page query on finding_groups",
        run: () => rows(db, sql`select * from finding_groups order by score desc nulls last, cause_id limit 51`),
      },
      {
        name: "baseline: groups aggregated from findings at read time",
        run: () =>
          rows(
            db,
            sql`select cause_id, count(*) as n, sum(score) as impact, max(score) as top from findings
                where status = 'open' and cause_id is not null group by cause_id order by impact desc, cause_id limit 51`,
          ),
      },
    ],
    reps,
  );
  return { list, groups };
}

interface RugPull {
  tool: { id: string; name: string; server: string; risk: unknown };
  agent: { id: string; name: string };
  importMs: number;
  pipelineMs: number;
  pipelineSteps: Record<string, number>;
  afterPipeline: { rank: number; of: number; score: number } | null;
  afterFull: { rank: number; of: number; score: number } | null;
  findingRank: number | null;
  highs: number;
}

async function injectRugPull(db: Db, ds: ReturnType<typeof generateDataset>, ids: string[]): Promise<RugPull> {
  const actor = systemActor("bench");
  const target = pickRugPull(ds);
  const [agentId, serverId, toolId] = [ids[target.agent]!, ids[target.server]!, ids[target.tool]!];
  // The campaign that certified the agent's access to the server: closed now, after the evaluation that recorded the
  // tools' definitions, approved by a reviewer (an app user of its own).
  await db.insert(appUsers).values({ id: newId("usr"), email: "bench-reviewer@example.com", name: "Bench Reviewer" });
  await certify(db, { subjectId: agentId, targetId: serverId, edgeKind: "connects_to", closedAt: new Date(), ownerEmail: "bench-reviewer@example.com" });
  const [importMs, rec] = await timed(() => runImport(db, actor, decodeConverted(rugPullDocument(ds, target.tool)), { format: "graph" }));
  if (rec.status !== "succeeded") throw new Error(`the rug-pull import was ${rec.status}: ${JSON.stringify(rec.errors.slice(0, 3))}`);
  const pipelineSteps: Record<string, number> = {};
  const [pipelineMs] = await timed(() => processGraphChanges(db, { onStep: (n, ms) => (pipelineSteps[n] = Math.round(ms)) }));
  const afterPipeline = await groupRank(db, toolId);
  await runEvaluation(db, actor, { trigger: "bench" });
  const afterFull = await groupRank(db, toolId);
  const [f] = await rows<{ rank: unknown; highs: unknown }>(
    db,
    sql`select (select count(*) from findings o where o.status = 'open' and (o.score > f.score or (o.score = f.score and o.id < f.id))) + 1 as rank,
          (select count(*) from findings h where h.status = 'open' and h.severity = f.severity) as highs
        from findings f where f.rule = 'tool_definition_changed' and f.key = ${toolId} and f.status = 'open'`,
  );
  return {
    tool: { id: toolId, name: ds.names[target.tool]!, server: ds.names[target.server]!, risk: ds.attributes[target.tool]?.risk },
    agent: { id: agentId, name: ds.names[target.agent]! },
    importMs,
    pipelineMs,
    pipelineSteps,
    afterPipeline,
    afterFull,
    findingRank: f ? Number(f.rank) : null,
    highs: f ? Number(f.highs) : 0,
  };
}

interface Simulation {
  /** Open findings the in-memory rules re-find on the unchanged snapshot (should be all). */
  baseline: { open: number; refound: number; ms: number };
  groups: (CauseSimulation & { rank: number; fraction: number })[];
}

async function simulate(db: Db, q: QualityFigures): Promise<Simulation> {
  const now = new Date();
  const [snapMs, snap] = await timed(() => loadSnapshot(db));
  const { settings } = await loadSettings(db);
  const t = performance.now();
  const found = new Set(runRules({ snap, settings, now }).map(findingKey));
  const open = await rows<{ rule: string; key: string }>(db, sql`select rule, key from findings where status = 'open'`);
  const baseline = { open: open.length, refound: open.filter((f) => found.has(findingKey(f))).length, ms: performance.now() - t + snapMs };
  log(
    `  in-memory rules on the unchanged snapshot re-find ${fmtInt(baseline.refound)} of ${fmtInt(baseline.open)} open findings (${formatMs(baseline.ms)} ms)`,
  );
  const groups: Simulation["groups"] = [];
  for (const g of q.top) {
    const members = await groupMembers(db, g.causeId);
    const s = simulateAction(snap, settings, now, g.causeId, simulatedAction(g), members);
    const fraction = s.members ? s.resolved / s.members : 0;
    groups.push({ ...s, rank: g.rank, fraction });
    log(`  #${g.rank} ${g.causeKind} ${g.causeName} (${s.action}): ${s.resolved} of ${s.members} resolved (${pct(fraction)}) in ${formatMs(s.ms)} ms`);
  }
  return { baseline, groups };
}

interface SizeRun {
  size: BenchSize;
  db: string;
  dataset: ReturnType<typeof datasetStats>;
  loadAtStart: number[];
  loadAtEnd: number[];
  loadMs: number;
  firstEvaluationMs: number;
  rugPull: RugPull;
  quality: QualityFigures;
  simulation: Simulation | null;
  speed: SpeedResult;
  correctness: Record<string, boolean>;
  targets: Record<string, boolean>;
}

async function runSize(o: Options, size: BenchSize): Promise<SizeRun> {
  const loadAtStart = loadAvg();
  log(`\n=== findings priority: size ${size}, ${o.db}; load average ${loadAtStart.join(" / ")} on ${os.cpus().length} cores`);
  const ds = generateDataset(size, o.seed);
  const stats = datasetStats(ds);
  log(`  ${fmtInt(stats.nodes)} nodes, ${fmtInt(stats.edges)} edges`);
  const bench = await createBenchDatabase(o.db, o.url);
  try {
    const db = bench.database.db;
    const [loadMs, loaded] = await timed(async () => {
      const l = await bulkLoad(db, ds);
      await analyzeGraph(db);
      return l;
    });
    log(`  loaded in ${formatMs(loadMs)} ms`);
    // The load is one whole-scope change: its pipeline run is the full evaluation that fills causes, scores and groups.
    const [firstEvaluationMs, first] = await timed(() => processGraphChanges(db));
    if (first.changes === 0) throw new Error("the load recorded no graph change for the pipeline");
    await db.execute(sql`analyze findings`);
    await db.execute(sql`analyze finding_groups`);
    log(`  pipeline run after the load (full evaluation) ${formatMs(firstEvaluationMs)} ms`);

    log("  rug pull: certifying an agent's access to an MCP server, then changing one of its tools…");
    const rugPull = await injectRugPull(db, ds, loaded.ids);
    log(
      `  ${rugPull.tool.name} (${rugPull.tool.server}): group rank ${rugPull.afterPipeline?.rank ?? "none"} after the pipeline, ${rugPull.afterFull?.rank ?? "none"} after a full evaluation, of ${rugPull.afterFull?.of ?? "?"}`,
    );

    const quality = await qualityFigures(db, o.top);
    log(
      `  ${fmtInt(quality.openFindings)} open findings in ${fmtInt(quality.groups)} groups (${pct(quality.groupsPerFinding, 2)}); top ${o.top} hold ${pct(quality.topShare)} of the priority`,
    );
    log(`  speed: ${o.reps} calls of each, in turns…`);
    const speed = await measureSpeed(db, o.reps);
    // Last: at M each group's re-run of the rules takes a minute or more.
    const simulation = o.simulate ? await simulate(db, quality) : null;
    const listP95 = speed.list["listFindings (default query)"]!.p95;
    // What must hold whatever the weights (a failure is a bug: exit 1), and the targets (figures to report).
    const correctness: Record<string, boolean> = {
      "every open finding has a cause": quality.openWithoutCause === 0,
      "group counts add up to the open findings": quality.groupMembers === quality.openFindings - quality.openWithoutCause,
      "same rug-pull rank after the pipeline and a full evaluation": rugPull.afterPipeline?.rank === rugPull.afterFull?.rank,
    };
    const targets: Record<string, boolean> = {
      [`default findings list p95 < ${TARGETS.latencyMs} ms`]: listP95 < TARGETS.latencyMs,
      [`open groups ≤ ${pct(TARGETS.groupsPerFinding, 0)} of open findings`]: quality.groupsPerFinding <= TARGETS.groupsPerFinding,
      [`top ${o.top} groups hold ≥ ${pct(TARGETS.topShare, 0)} of the priority`]: quality.topShare >= TARGETS.topShare,
      [`rug-pulled tool's group in the top ${TARGETS.rugPullRank}`]: !!rugPull.afterFull && rugPull.afterFull.rank <= TARGETS.rugPullRank,
    };
    targets[`work queue (groups API) p95 < ${TARGETS.latencyMs} ms`] = speed.groups[GROUPS_API]!.p95 < TARGETS.latencyMs;
    if (simulation) {
      correctness["in-memory rules re-find every open finding"] = simulation.baseline.refound === simulation.baseline.open;
      targets[`each top-${o.top} group's action, applied, resolves ≥ ${pct(TARGETS.resolvedFraction, 0)} of its members`] =
        simulation.groups.length > 0 && simulation.groups.every((g) => g.fraction >= TARGETS.resolvedFraction);
    }
    return {
      size,
      db: o.db,
      dataset: stats,
      loadAtStart,
      loadAtEnd: loadAvg(),
      loadMs,
      firstEvaluationMs,
      rugPull,
      quality,
      simulation,
      speed,
      correctness,
      targets,
    };
  } finally {
    await bench.drop({ keep: o.keepDb });
    if (o.keepDb) log(`  kept database ${bench.name}`);
  }
}

function report(r: SizeRun, o: Options): string {
  const out: string[] = [];
  const q = r.quality;
  out.push("");
  out.push(
    `Findings priority (issue 16) — size ${r.size}, ${r.db}: ${fmtInt(r.dataset.nodes)} nodes, ${fmtInt(r.dataset.edges)} edges; load average ${r.loadAtStart.join(" / ")} → ${r.loadAtEnd.join(" / ")} on ${os.cpus().length} cores`,
  );
  out.push("");
  const base = (m: Record<string, Latency>, name: string) => m[name]!;
  const latencyRows = (m: Record<string, Latency>, ref: string) =>
    Object.entries(m).map(([name, l]) => [
      name,
      formatMs(l.p50),
      formatMs(l.p95),
      formatMs(l.max),
      name === ref ? "1" : (l.p50 / base(m, ref).p50).toFixed(1),
      name === ref ? "1" : (l.p95 / base(m, ref).p95).toFixed(1),
    ]);
  out.push(`Speed: ${o.reps} calls each, in turns, after 2 warm-up calls; ratios to the bare page query (same run).`);
  out.push(
    table(
      ["findings list", "p50 ms", "p95 ms", "max ms", "÷ bare p50", "÷ bare p95"],
      latencyRows(r.speed.list, "baseline: bare page query, by score (the index's order)"),
    ),
  );
  out.push(
    table(
      ["work queue (finding groups)", "p50 ms", "p95 ms", "max ms", "÷ bare p50", "÷ bare p95"],
      latencyRows(r.speed.groups, "baseline: bare page query on finding_groups"),
    ),
  );
  out.push("");
  out.push(
    table(
      ["quality", "value", "target", ""],
      [
        ["open findings", fmtInt(q.openFindings), "", ""],
        ["  without a cause", fmtInt(q.openWithoutCause), "0", mark(q.openWithoutCause === 0)],
        ["open groups", fmtInt(q.groups), "", ""],
        [
          "open groups ÷ open findings",
          pct(q.groupsPerFinding, 2),
          `≤ ${pct(TARGETS.groupsPerFinding, 0)}`,
          mark(q.groupsPerFinding <= TARGETS.groupsPerFinding),
        ],
        ["total priority (Σ open findings' score)", q.totalScore.toFixed(0), "", ""],
        [`share held by the top ${o.top} groups' members`, pct(q.topShare), `≥ ${pct(TARGETS.topShare, 0)}`, mark(q.topShare >= TARGETS.topShare)],
        [
          "rug-pulled tool's group rank (full evaluation)",
          r.rugPull.afterFull ? `${r.rugPull.afterFull.rank} of ${fmtInt(r.rugPull.afterFull.of)}` : "no group",
          `≤ ${TARGETS.rugPullRank}`,
          mark(!!r.rugPull.afterFull && r.rugPull.afterFull.rank <= TARGETS.rugPullRank),
        ],
        [
          "  after the pipeline's incremental evaluation",
          r.rugPull.afterPipeline ? `${r.rugPull.afterPipeline.rank} of ${fmtInt(r.rugPull.afterPipeline.of)}` : "no group",
          "",
          "",
        ],
        [
          "  its finding's rank in the default list",
          r.rugPull.findingRank ? `${fmtInt(r.rugPull.findingRank)} (of ${fmtInt(q.openFindings)})` : "not found",
          "",
          "",
        ],
      ],
    ),
  );
  out.push(
    `Rug pull: ${r.rugPull.tool.name} on ${r.rugPull.tool.server} (risk ${String(r.rugPull.tool.risk)}), certified for agent ${r.rugPull.agent.name}; delta import ${formatMs(r.rugPull.importMs)} ms, pipeline ${formatMs(r.rugPull.pipelineMs)} ms ${JSON.stringify(r.rugPull.pipelineSteps)}.`,
  );
  out.push("");
  const sims = new Map((r.simulation?.groups ?? []).map((s) => [s.causeId, s]));
  out.push(
    table(
      ["#", "cause", "rule", "members", "resolves (engine)", "score", "share", "action applied", "resolved", ""],
      q.top.map((g) => {
        const s = sims.get(g.causeId);
        return [
          String(g.rank),
          `${g.causeKind} ${g.causeName}`,
          g.rule,
          fmtInt(g.count),
          fmtInt(g.resolves),
          g.score.toFixed(1),
          pct(q.totalScore ? g.impact / q.totalScore : 0),
          s?.action ?? "",
          s ? (s.causeInGraph ? `${fmtInt(s.resolved)} (${pct(s.fraction)})` : "cause not in the graph") : "not simulated",
          s ? mark(s.fraction >= TARGETS.resolvedFraction) : "",
        ];
      }),
    ),
  );
  if (r.simulation)
    out.push(
      `In-memory rules on the unchanged snapshot re-found ${fmtInt(r.simulation.baseline.refound)} of ${fmtInt(r.simulation.baseline.open)} open findings.`,
    );
  out.push("");
  for (const [k, v] of Object.entries(r.targets)) out.push(`target ${v ? "met ✓" : "NOT met ✗"}: ${k}`);
  for (const [k, v] of Object.entries(r.correctness)) out.push(`${v ? "✓" : "!!!!!!!! FAILED:"} ${k}`);
  return out.join("\n");
}

export async function runPrioritySuite(argv: string[]): Promise<number> {
  const o = parseArgs(argv);
  const started = new Date();
  const runs: SizeRun[] = [];
  const failures: string[] = [];
  for (const size of o.sizes) {
    try {
      runs.push(await runSize(o, size));
    } catch (e) {
      failures.push(`${size}/${o.db}: ${(e as Error).stack ?? (e as Error).message}`);
      log(`!!!!!!!! ${size}/${o.db} failed: ${(e as Error).message}`);
    }
  }
  for (const r of runs) log(report(r, o));
  for (const f of failures) log(`!!!!!!!! FAILURE: ${f}`);
  const file = path.join(process.cwd(), "bench", "results", `findings-priority-${started.toISOString().replace(/[:.]/g, "-")}.json`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify({ suite: "findings-priority", startedAt: started.toISOString(), finishedAt: new Date().toISOString(), options: { ...o, url: o.url ? "(set)" : undefined }, targets: TARGETS, cores: os.cpus().length, runs, failures }, null, 2)}\n`,
  );
  log(`wrote ${path.relative(process.cwd(), file)}`);
  // Exit 1 when a run failed or a correctness check did not hold; a target not met is a figure to report.
  return failures.length || runs.some((r) => Object.values(r.correctness).includes(false)) ? 1 : 0;
}
