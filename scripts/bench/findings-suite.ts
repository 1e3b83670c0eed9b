/**
 * The findings benchmark of issue 14 (`npm run bench -- --suite findings`): on
 * a generated organisation, a full findings evaluation against an incremental
 * evaluation of a one-node change (an owner added to one agent, written as the
 * ownership writer leaves it: one owns edge, the graph version bumped), with
 * the ratio (target: incremental ≤ 1/50 of full) and the load average at the
 * start and end of the run (2 cores shared: a ratio in one run is what compares).
 * Then checks that a full evaluation after the incremental ones changes no
 * finding (the incremental ones left the findings as a full one would).
 *
 *   npm run bench -- --suite findings [--size S|M|L] [--db pglite|postgres] [--url postgres://…] [--reps N] [--seed N]
 *
 * Writes bench/results/findings-<timestamp>.json. See docs/BENCHMARKS.md.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { edges, sources } from "@/db/schema";
import { systemActor } from "@/lib/authz/actor";
import { createBenchDatabase } from "@/lib/bench/bench-db";
import { datasetStats, generateDataset } from "@/lib/bench/dataset";
import { analyzeGraph, bulkLoad } from "@/lib/bench/load";
import { formatMs, percentile } from "@/lib/bench/stats";
import { runEvaluation } from "@/lib/findings/evaluate";
import { evaluateIncremental } from "@/lib/findings/evaluate-incremental";
import { newId } from "@/lib/ids";
import { suiteOptions } from "./suite-options";

const USAGE = "usage: npm run bench -- --suite findings [--size S|M|L] [--db pglite|postgres] [--url postgres://…] [--reps N] [--seed N]";
const log = (m: string) => console.log(m);
const load = () => os.loadavg().map((x) => Math.round(x * 100) / 100) as [number, number, number];

export async function runFindingsSuite(argv: string[]): Promise<number> {
  const o = suiteOptions(argv, USAGE, { reps: 5 });
  const loadAtStart = load();
  log(`findings benchmark: size ${o.size}, ${o.db}, ${o.reps} incremental runs; load average ${loadAtStart.join(" / ")} on ${os.cpus().length} cores`);
  const ds = generateDataset(o.size, o.seed);
  const stats = datasetStats(ds);
  log(`  ${stats.nodes.toLocaleString("en")} nodes, ${stats.edges.toLocaleString("en")} edges`);
  const bench = await createBenchDatabase(o.db, o.url);
  try {
    const db = bench.database.db;
    const t0 = performance.now();
    const loaded = await bulkLoad(db, ds);
    await analyzeGraph(db);
    log(`  loaded in ${formatMs(performance.now() - t0)} ms`);
    const actor = systemActor("bench");

    // The first full evaluation writes every finding; the second is the steady state an evaluation costs.
    const full: number[] = [];
    for (let i = 0; i < 2; i++) {
      const s = performance.now();
      const r = await runEvaluation(db, actor, { trigger: "bench" });
      full.push(performance.now() - s);
      log(`  full evaluation ${i + 1}: ${formatMs(full[i]!)} ms, ${r.counts.found.toLocaleString("en")} found`);
    }

    const ownSource = newId("src");
    await db.insert(sources).values({ id: ownSource, name: "bench-ownership", type: "manual" });
    // Two shapes of the same one-owner change: as an edge (what changed: one owns edge), and as the ownership writer
    // records it today (the owner's and the agent's node ids, so anything about either may have changed).
    const incremental: { shape: string; ms: number; subjects: number; nodesRead: number; phases: Record<string, number> }[] = [];
    for (const shape of ["edge", "nodes"] as const) {
      for (let i = 0; i < o.reps; i++) {
        const agent = loaded.ids[ds.roles.agents[(i * 7919 + (shape === "nodes" ? 13 : 0)) % ds.roles.agents.length]!]!;
        const human = loaded.ids[ds.roles.humans[(i * 104_729) % ds.roles.humans.length]!]!;
        const edgeId = newId("edg");
        await db.transaction(async (tx) => {
          await tx
            .insert(edges)
            .values({ id: edgeId, kind: "owns", sourceId: ownSource, externalId: edgeId, fromId: human, toId: agent, attributes: { role: "business" } });
          await tx.execute(sql`update graph_state set version = version + 1, updated_at = now() where id = 1`);
        });
        const change = shape === "edge" ? { nodeIds: [], edgeIds: [edgeId] } : { nodeIds: [human, agent], edgeIds: [] };
        const s = performance.now();
        const phases: Record<string, number> = {};
        const r = await evaluateIncremental(
          db,
          { ...change, sourceIds: [ownSource], full: false },
          { actor, trigger: "bench", onPhase: (n, ms) => (phases[n] = Math.round(ms)) },
        );
        const ms = performance.now() - s;
        const subjects =
          ((await db.execute(sql`select (counts->>'subjects')::int as n from finding_evaluations where id = ${r.id}`)) as unknown as { rows: { n: number }[] })
            .rows[0]?.n ?? 0;
        const nodesRead = r.snapshotNodes ?? 0;
        incremental.push({ shape, ms, subjects, nodesRead, phases });
        log(
          `  incremental (${shape}) ${i + 1}: ${formatMs(ms)} ms, ${subjects} subjects re-checked over ${nodesRead} nodes read, ${r.counts.resolved} resolved, ${r.counts.new} new; ${JSON.stringify(phases)}`,
        );
      }
    }

    const check = await runEvaluation(db, actor, { trigger: "bench" });
    const drift = check.counts.new + check.counts.resolved + check.counts.updated + check.counts.reopened;
    const fullMs = full[1]!;
    const median = (shape: string) =>
      percentile(
        incremental
          .filter((x) => x.shape === shape)
          .map((x) => x.ms)
          .sort((a, b) => a - b),
        50,
      );
    const incMs = median("edge");
    const nodesMs = median("nodes");
    const ratio = incMs / fullMs;
    const loadAtEnd = load();
    log(
      `full ${formatMs(fullMs)} ms, incremental median ${formatMs(incMs)} ms (owns edge): ratio 1/${Math.round(1 / ratio)} (target ≤ 1/50) — ${ratio <= 1 / 50 ? "met" : "NOT met"}`,
    );
    log(`  as node ids (owner + agent): median ${formatMs(nodesMs)} ms, ratio 1/${Math.round(fullMs / nodesMs)}`);
    log(`a full evaluation after the incremental ones changed ${drift} findings (${JSON.stringify(check.counts)}); load average ${loadAtEnd.join(" / ")}`);
    const out = {
      suite: "findings",
      at: new Date().toISOString(),
      size: o.size,
      db: o.db,
      dataset: stats,
      cores: os.cpus().length,
      loadAtStart,
      loadAtEnd,
      fullMs: full,
      incremental,
      incrementalMedianMs: incMs,
      ratio,
      nodeIdsMedianMs: nodesMs,
      nodeIdsRatio: nodesMs / fullMs,
      targetMet: ratio <= 1 / 50,
      driftAfter: check.counts,
    };
    const dir = path.join(process.cwd(), "bench", "results");
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `findings-${out.at.replace(/[:.]/g, "-")}.json`);
    writeFileSync(file, JSON.stringify(out, null, 2));
    log(`wrote ${path.relative(process.cwd(), file)}`);
    return drift === 0 ? 0 : 1;
  } finally {
    await bench.drop();
  }
}
