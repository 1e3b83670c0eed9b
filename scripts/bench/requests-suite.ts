/**
 * The request benchmark of issue 14 (`npm run bench -- --suite requests`): on a
 * generated organisation, what the people who use Attest wait for now that
 * follow-up work runs in the pipeline: an owner assignment, a 3,000-record
 * import, SCIM writes (through the real /scim/v2 route handlers), and then how
 * long the pipeline takes to reflect each of them in findings (the job engine
 * picks the change up on its signal; add its poll interval, 2 s, for the wait a
 * user sees). Every figure is also given as a ratio to the same run's floor: a
 * one-statement write transaction on the same database.
 *
 *   npm run bench -- --suite requests [--size S|M|L] [--db pglite|postgres] [--url postgres://…] [--reps N] [--seed N]
 *
 * Writes bench/results/requests-<timestamp>.json. See docs/BENCHMARKS.md.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { rows } from "@/db/rows";
import { createSource } from "@/lib/admin/sources";
import { systemActor } from "@/lib/authz/actor";
import { createBenchDatabase } from "@/lib/bench/bench-db";
import { datasetStats, generateDataset } from "@/lib/bench/dataset";
import { analyzeGraph, bulkLoad } from "@/lib/bench/load";
import { formatMs, percentile } from "@/lib/bench/stats";
import { runEvaluation } from "@/lib/findings/evaluate";
import { decodeConverted } from "@/lib/ingest/import-items";
import { runImport } from "@/lib/ingest/run-import";
import { setOwnersFor } from "@/lib/ownership/owners";
import { processGraphChanges } from "@/lib/pipeline/process-changes";
import { useAsAppDatabase as serveFrom } from "@/lib/testing/app-context";
import * as usersRoute from "@/app/scim/v2/Users/route";
import * as userRoute from "@/app/scim/v2/Users/[id]/route";
import { suiteOptions } from "./suite-options";

const USAGE = "usage: npm run bench -- --suite requests [--size S|M|L] [--db pglite|postgres] [--url postgres://…] [--reps N] [--seed N]";
const log = (m: string) => console.log(m);
const load = () => os.loadavg().map((x) => Math.round(x * 100) / 100) as [number, number, number];

async function timed<T>(f: () => Promise<T>): Promise<[number, T]> {
  const s = performance.now();
  const r = await f();
  return [performance.now() - s, r];
}

function summary(ms: number[]) {
  const sorted = [...ms].sort((a, b) => a - b);
  return { n: ms.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1) ?? 0 };
}

export async function runRequestsSuite(argv: string[]): Promise<number> {
  const o = suiteOptions(argv, USAGE, { reps: 20 });
  const loadAtStart = load();
  log(`request benchmark: size ${o.size}, ${o.db}, ${o.reps} repetitions; load average ${loadAtStart.join(" / ")} on ${os.cpus().length} cores`);
  const ds = generateDataset(o.size, o.seed);
  const stats = datasetStats(ds);
  log(`  ${stats.nodes.toLocaleString("en")} nodes, ${stats.edges.toLocaleString("en")} edges`);
  const bench = await createBenchDatabase(o.db, o.url);
  try {
    const db = bench.database.db;
    serveFrom(bench.database); // the SCIM route handlers read the app database
    const loaded = await bulkLoad(db, ds);
    await analyzeGraph(db);
    const actor = systemActor("bench");
    // The load is one whole-scope change: its pipeline run is the full evaluation a big import is followed by.
    const [fullMs, first] = await timed(() => processGraphChanges(db));
    if (first.changes === 0) await runEvaluation(db, actor, { trigger: "bench" });
    log(`  loaded; its pipeline run (whole scope: a full evaluation) ${formatMs(fullMs)} ms — the background work no request waits for`);

    const floor: number[] = [];
    for (let i = 0; i < o.reps; i++)
      floor.push((await timed(() => db.transaction(async (tx) => void (await tx.execute(sql`update graph_state set updated_at = now() where id = 1`)))))[0]);

    // Owner assignment (PUT owners): the request, then the pipeline run that reflects it in findings.
    const owner: number[] = [];
    const ownerPipeline: number[] = [];
    for (let i = 0; i < o.reps; i++) {
      const agent = loaded.ids[ds.roles.agents[(i * 7919) % ds.roles.agents.length]!]!;
      const human = loaded.ids[ds.roles.humans[(i * 104_729) % ds.roles.humans.length]!]!;
      owner.push((await timed(() => setOwnersFor(db, actor, agent, { owners: [{ owner: human, role: "business" }], reason: "bench" })))[0]);
      const steps: Record<string, number> = {};
      const [ms] = await timed(() => processGraphChanges(db, { onStep: (n, t) => (steps[n] = Math.round(t)) }));
      ownerPipeline.push(ms);
      log(`  owner assignment ${i + 1}: ${formatMs(owner.at(-1)!)} ms; pipeline ${formatMs(ms)} ms ${JSON.stringify(steps)}`);
    }

    // A 3,000-record import (1,000 service accounts, 2,000 memberships in existing groups).
    const groups = await rows<{ source: string; external_id: string }>(
      db,
      sql`select s.name as source, n.external_id from nodes n join sources s on s.id = n.source_id where n.kind = 'group' and n.valid_to is null order by n.id limit 200`,
    );
    const doc = {
      source: "bench-3k",
      mode: "incremental" as const,
      nodes: Array.from({ length: 1000 }, (_, i) => ({
        kind: "service_account" as const,
        externalId: `sa-${i}`,
        name: `bench account ${i}`,
        attributes: { team: `team-${i % 17}` },
      })),
      edges: Array.from({ length: 2000 }, (_, i) => {
        const g = groups[(i + Math.floor(i / 1000)) % groups.length]!;
        return {
          kind: "member_of" as const,
          from: { kind: "service_account" as const, externalId: `sa-${i % 1000}` },
          to: { kind: "group" as const, externalId: g.external_id, source: g.source },
        };
      }),
    };
    const [importMs, record] = await timed(() => runImport(db, actor, decodeConverted(doc), { format: "graph" }));
    if (record.status !== "succeeded") throw new Error(`the 3,000-record import was ${record.status}: ${JSON.stringify(record.errors.slice(0, 3))}`);
    const importSteps: Record<string, number> = {};
    const [importPipelineMs] = await timed(() => processGraphChanges(db, { onStep: (n, t) => (importSteps[n] = Math.round(t)) }));
    log(`  3,000-record import: ${formatMs(importMs)} ms; pipeline ${formatMs(importPipelineMs)} ms ${JSON.stringify(importSteps)}`);

    // SCIM: create users, then deactivate them (each deactivation queues offboarding and re-checks findings).
    const scim = await createSource(db, actor, { name: "bench-scim", type: "scim" });
    const call = async (mod: { POST?: unknown; PATCH?: unknown }, method: "POST" | "PATCH", url: string, body: unknown, params: Record<string, string>) => {
      const handler = (mod as Record<string, (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>>)[method]!;
      const res = await handler(
        new Request(`http://localhost${url}`, {
          method,
          headers: { authorization: `Bearer ${scim.scimToken}`, "content-type": "application/scim+json" },
          body: JSON.stringify(body),
        }),
        { params: Promise.resolve(params) },
      );
      if (res.status >= 300) throw new Error(`SCIM ${method} ${url} answered ${res.status}`);
      return (await res.json()) as { id: string };
    };
    const scimCreate: number[] = [];
    const scimDeactivate: number[] = [];
    const scimPipeline: number[] = [];
    for (let i = 0; i < o.reps; i++) {
      const [c, user] = await timed(() =>
        call(
          usersRoute,
          "POST",
          "/scim/v2/Users",
          {
            schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
            userName: `bench${i}@example.com`,
            active: true,
            name: { givenName: "Bench", familyName: `User ${i}` },
          },
          {},
        ),
      );
      scimCreate.push(c);
      await processGraphChanges(db);
      scimDeactivate.push(
        (
          await timed(() =>
            call(
              userRoute,
              "PATCH",
              `/scim/v2/Users/${user.id}`,
              { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", value: { active: false } }] },
              { id: user.id },
            ),
          )
        )[0],
      );
      const steps: Record<string, number> = {};
      const [ms] = await timed(() => processGraphChanges(db, { onStep: (n, t) => (steps[n] = Math.round(t)) }));
      scimPipeline.push(ms);
      log(`  SCIM deactivate ${i + 1}: ${formatMs(scimDeactivate.at(-1)!)} ms; pipeline ${formatMs(ms)} ms ${JSON.stringify(steps)}`);
    }

    const f = summary(floor);
    const out = {
      suite: "requests",
      at: new Date().toISOString(),
      size: o.size,
      db: o.db,
      dataset: stats,
      cores: os.cpus().length,
      loadAtStart,
      loadAtEnd: load(),
      floorMs: f,
      ownerAssignmentMs: summary(owner),
      ownerPipelineMs: summary(ownerPipeline),
      import3kMs: importMs,
      import3kPipelineMs: importPipelineMs,
      scimCreateMs: summary(scimCreate),
      scimDeactivateMs: summary(scimDeactivate),
      scimPipelineMs: summary(scimPipeline),
      loadPipelineMs: fullMs,
    };
    const line = (name: string, s: { p50: number; p95: number }, target?: string) =>
      log(
        `  ${name.padEnd(34)} p50 ${formatMs(s.p50).padStart(8)} ms  p95 ${formatMs(s.p95).padStart(8)} ms  (p95 = ${Math.round(s.p95 / f.p50)}× floor)${target ? `  target ${target}` : ""}`,
      );
    log(`floor (one-statement write transaction): p50 ${formatMs(f.p50)} ms`);
    line("owner assignment (PUT owners)", out.ownerAssignmentMs, "p95 < 300 ms");
    line("  pipeline after it (findings)", out.ownerPipelineMs, "< 10 s incl. pickup");
    log(
      `  ${"3,000-record import".padEnd(34)} ${formatMs(importMs)} ms (${Math.round(importMs / f.p50)}× floor)  target < 2 s; pipeline after it ${formatMs(importPipelineMs)} ms`,
    );
    line("SCIM create user (POST)", out.scimCreateMs, "< 100 ms");
    line("SCIM deactivate (PATCH active)", out.scimDeactivateMs, "< 100 ms");
    line("  pipeline after it (offboarding, findings)", out.scimPipelineMs, "< 10 s incl. pickup");
    log(`  full evaluation after the load (background only): ${formatMs(fullMs)} ms; target < 60 s`);
    log(`load average at the end ${out.loadAtEnd.join(" / ")}`);
    const dir = path.join(process.cwd(), "bench", "results");
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `requests-${out.at.replace(/[:.]/g, "-")}.json`);
    writeFileSync(file, JSON.stringify(out, null, 2));
    log(`wrote ${path.relative(process.cwd(), file)}`);
    return 0;
  } finally {
    await bench.drop();
  }
}
