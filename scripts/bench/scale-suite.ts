/**
 * The scale benchmark of issue #19 (`npm run bench -- --suite scale --size L`): the product end to end at one size,
 * each step timed with its peak memory. Steps, in order:
 *  1. generate: `npm run gen` in a child process (its maxRSS), writing the JSONL file (or --file to reuse one);
 *  2. the database: --reuse-db NAME (already loaded, e.g. attest_l), else a new one written with bulkLoad;
 *  3. the pipeline after the load, if the outbox holds it (a whole-scope change: the full findings evaluation);
 *  4. the access index built from the database (loadAccessIndex);
 *  5. queries: whoCanReach / reachableFrom on sampled nodes (index + BFS), p50 / p95 beside the in-memory floor
 *     (lib/bench/floor-bfs.ts, on the same rows);
 *  6. a small change (an incremental import of one person and one membership) and the after-change pipeline
 *     (lib/pipeline/process-changes.ts: incremental findings, coverage, the index);
 *  7. a campaign over a slice (memberships of the largest groups, about --campaign-items items), launched (launchNow);
 *  8. its evidence exported as a streamed zip to a file;
 *  9. last (it takes longest; --no-import skips it): `npm run import` of the generated file in a child process, into
 *     a fresh database.
 * In-process steps report the peak RSS sampled every 100 ms (and the process maxRSS when it rose during the step);
 * child steps their maxRSS (/usr/bin/time). The load average is recorded at each step (the machine is shared).
 *
 *   npm run bench -- --suite scale [--size S|M|L] [--url postgres://…] [--reuse-db NAME] [--file FILE.jsonl] [--no-import]
 *                    [--queries N] [--depth N] [--campaign-items N] [--keep-db] [--skip-waiting-changes] [--no-http-decode]
 *
 * Writes bench/results/scale-<size>-<timestamp>.json.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import { Readable } from "node:stream";
import path from "node:path";
import { sql } from "drizzle-orm";
import { openDatabase, type Database, type Db } from "@/db/client";
import { rows } from "@/db/rows";
import { createBenchDatabase, type BenchDatabase } from "@/lib/bench/bench-db";
import { readFlags, wholeNumber } from "@/lib/bench/cli";
import { BENCH_SIZES, DEFAULT_SEED, generateDataset, type BenchSize } from "@/lib/bench/dataset";
import { FloorGraph } from "@/lib/bench/floor-bfs";
import { analyzeGraph, bulkLoad } from "@/lib/bench/load";
import { Rng } from "@/lib/bench/random";
import { formatMs, percentile, table } from "@/lib/bench/stats";
import { systemActor } from "@/lib/authz/actor";
import { createCampaign, launchNow } from "@/lib/campaigns/launch-campaign";
import { writeCampaignEvidence } from "@/lib/evidence/campaign-evidence";
import type { ByteSink } from "@/lib/evidence/zip-stream";
import { clearAccessCache, getAccessIndex, loadAccessIndex } from "@/lib/graph/access-cache";
import { KIND_CODE } from "@/lib/graph/access-index";
import { PRINCIPAL_KINDS } from "@/lib/graph/model";
import { reachableFrom, whoCanReach } from "@/lib/graph/traverse";
import { limitedChunks, lines } from "@/lib/ingest/body-stream";
import { decodeGraphDocument, decodeJsonl } from "@/lib/ingest/import-items";
import { runImport } from "@/lib/ingest/run-import";
import { processGraphChanges } from "@/lib/pipeline/process-changes";
import { actorByEmail } from "@/lib/testing/app-context";

const USAGE =
  "usage: npm run bench -- --suite scale [--size S|M|L] [--url postgres://…] [--reuse-db NAME] [--file FILE.jsonl] [--no-import] [--queries N] [--depth N] [--campaign-items N] [--keep-db] [--skip-waiting-changes] [--no-http-decode]";

export interface ScaleOptions {
  size: BenchSize;
  url: string | undefined;
  reuseDb: string | undefined;
  file: string | undefined;
  import: boolean;
  queries: number;
  depth: number;
  campaignItems: number;
  keepDb: boolean;
  /** Mark what the load left in the after-change outbox processed instead of running it (the full evaluation). */
  skipWaiting: boolean;
  /** Decode the file through the HTTP route's body layer (a pass over the whole file). */
  httpDecode: boolean;
}

export function parseScaleArgs(argv: readonly string[], usage: (m: string) => never): ScaleOptions {
  const envUrl = process.env.BENCH_DATABASE_URL?.trim() || process.env.TEST_DATABASE_URL?.trim() || undefined;
  const o: ScaleOptions = {
    size: "S",
    url: envUrl,
    reuseDb: undefined,
    file: undefined,
    import: true,
    queries: 200,
    depth: 6,
    campaignItems: 50_000,
    keepDb: false,
    skipWaiting: false,
    httpDecode: true,
  };
  readFlags(argv, (name, value, flag) => {
    if (name === "--size") {
      const v = (value() ?? "").toUpperCase();
      if (!BENCH_SIZES.includes(v as BenchSize)) usage("--size must be S, M or L");
      o.size = v as BenchSize;
    } else if (name === "--url") o.url = value() ?? usage("--url needs a value");
    else if (name === "--reuse-db") {
      const v = value() ?? "";
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(v)) usage("--reuse-db must name a database (lower-case letters, digits, _)");
      o.reuseDb = v;
    } else if (name === "--file") o.file = value() ?? usage("--file needs a value");
    else if (name === "--no-import") o.import = false;
    else if (name === "--queries") o.queries = wholeNumber(flag, value(), usage);
    else if (name === "--depth") o.depth = wholeNumber(flag, value(), usage);
    else if (name === "--campaign-items") o.campaignItems = wholeNumber(flag, value(), usage);
    else if (name === "--keep-db") o.keepDb = true;
    else if (name === "--skip-waiting-changes") o.skipWaiting = true;
    else if (name === "--no-http-decode") o.httpDecode = false;
    else usage(`unknown flag ${flag}`);
  });
  if (!o.url) usage("the scale benchmark runs on PostgreSQL: set BENCH_DATABASE_URL or TEST_DATABASE_URL, or pass --url");
  if (o.depth > 12) usage("--depth must be at most 12");
  return o;
}

export interface StepResult {
  step: string;
  ms: number;
  /** Peak resident memory of the process doing the step (this one, or the child's maxRSS). */
  peakRssBytes: number;
  where: "in-process" | "child";
  /** 1-minute load average at the start and end of the step. */
  load: [number, number];
  detail?: Record<string, unknown>;
  error?: string;
}

const load1 = () => Math.round(os.loadavg()[0]! * 100) / 100;
const secs = (ms: number) => (ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(1)} s`);
const mb = (b: number) => `${Math.round(b / 2 ** 20).toLocaleString("en")} MB`;

/** Runs fn in this process, sampling RSS every 100 ms; the process maxRSS counts when it rose during the step. */
export async function measureInProcess<T>(step: string, fn: () => Promise<T>): Promise<{ result: StepResult; value?: T }> {
  const l0 = load1();
  const maxBefore = process.resourceUsage().maxRSS * 1024;
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const t0 = performance.now();
  let value: T | undefined;
  let error: string | undefined;
  try {
    value = await fn();
  } catch (e) {
    error = e instanceof Error ? e.message.slice(0, 500) : String(e);
  } finally {
    clearInterval(timer);
  }
  const ms = performance.now() - t0;
  peak = Math.max(peak, process.memoryUsage().rss);
  const maxAfter = process.resourceUsage().maxRSS * 1024;
  if (maxAfter > maxBefore) peak = Math.max(peak, maxAfter);
  return { result: { step, ms, peakRssBytes: peak, where: "in-process", load: [l0, load1()], ...(error ? { error } : {}) }, value };
}

/** Runs a command in a child process under /usr/bin/time, for its maxRSS; its output goes to `log`. */
export async function measureChild(step: string, cmd: string[], env: NodeJS.ProcessEnv, log: string): Promise<StepResult> {
  const l0 = load1();
  const timeFile = `${log}.time`;
  const t0 = performance.now();
  const out = createWriteStream(log);
  const child = spawn("nice", ["/usr/bin/time", "-f", "%M", "-o", timeFile, ...cmd], { env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.pipe(out, { end: false });
  child.stderr.pipe(out, { end: false });
  const [code] = (await once(child, "close")) as [number | null];
  out.end();
  const ms = performance.now() - t0;
  const kb = existsSync(timeFile) ? Number(readFileSync(timeFile, "utf8").trim().split("\n").pop()) : NaN;
  return {
    step,
    ms,
    peakRssBytes: Number.isFinite(kb) ? kb * 1024 : 0,
    where: "child",
    load: [l0, load1()],
    ...(code === 0 ? {} : { error: `exit code ${code}; see ${log}` }),
  };
}

function fileSink(file: string): { sink: ByteSink; close: () => Promise<void> } {
  const ws = createWriteStream(file);
  return {
    sink: { write: (b) => (ws.write(b) ? undefined : once(ws, "drain").then(() => undefined)) },
    close: () => new Promise<void>((r) => ws.end(r)),
  };
}

async function createNamedUrl(adminUrl: string, name: string): Promise<string> {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

const count = async (db: Db, q: ReturnType<typeof sql>) => Number((await rows<{ n: number }>(db, q))[0]?.n ?? 0);

export async function runScaleSuite(argv: string[]): Promise<number> {
  const o = parseScaleArgs(argv, (m) => {
    console.error(`${m}\n${USAGE}`);
    process.exit(2);
  });
  const steps: StepResult[] = [];
  const log = (s: string) => console.log(s);
  const done = (r: StepResult) => {
    steps.push(r);
    log(`  ${r.step}: ${secs(r.ms)}, peak RSS ${mb(r.peakRssBytes)} (${r.where}), load ${r.load.join(" → ")}${r.error ? `  FAILED: ${r.error}` : ""}`);
    if (r.detail) log(`    ${JSON.stringify(r.detail, (_k, v: unknown) => (typeof v === "number" ? Math.round(v * 100) / 100 : v)).slice(0, 600)}`);
  };
  const dir = mkdtempSync(path.join(os.tmpdir(), "attest-bench-scale-"));
  const root = process.cwd();
  log(
    `scale suite, size ${o.size}, on PostgreSQL; ${os.cpus().length} cores, ${mb(os.totalmem())}, load ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(" / ")}`,
  );

  // 1. generate
  let file = o.file;
  if (!file) {
    file = path.join(dir, `${o.size}.jsonl`);
    done(
      await measureChild(
        "generate (npm run gen)",
        ["npx", "tsx", "scripts/gen.ts", "--size", o.size, "--out", file],
        { ...process.env, NODE_OPTIONS: "--max-old-space-size=6144" },
        path.join(dir, "gen.log"),
      ),
    );
  }
  const fileBytes = existsSync(file) ? statSync(file).size : 0;

  // 2. the database
  let bench: BenchDatabase | undefined;
  let database: Database;
  if (o.reuseDb) {
    database = await openDatabase({ url: await createNamedUrl(o.url!, o.reuseDb) });
    // The app migrates a database it opens; so does the suite, or a database loaded by older code fails the steps below.
    const { migrate } = await import("@/db/migrate");
    await migrate(database);
    log(`  reusing database ${o.reuseDb} (migrated)`);
  } else {
    bench = await createBenchDatabase("postgres", o.url);
    database = bench.database;
    log(`  database ${bench.name}`);
    const r = await measureInProcess("load (bulkLoad, not the import engine)", async () => {
      const ds = generateDataset(o.size, DEFAULT_SEED, "bench");
      const l = await bulkLoad(database.db, ds);
      await analyzeGraph(database.db);
      return { nodes: l.nodes, edges: l.edges };
    });
    r.result.detail = r.value;
    done(r.result);
  }
  const db = database.db;
  const graph = {
    nodes: await count(db, sql`select count(*)::int as n from nodes where valid_to is null`),
    edges: await count(db, sql`select count(*)::int as n from edges where valid_to is null`),
  };
  log(`  graph: ${graph.nodes.toLocaleString("en")} nodes, ${graph.edges.toLocaleString("en")} edges`);
  const summary: Record<string, unknown> = {};
  try {
    clearAccessCache();
    // 3. what the load left in the after-change outbox (a whole-scope change runs the full evaluation)
    const waiting = await count(db, sql`select count(*)::int as n from graph_changes where processed_at is null`);
    if (waiting > 0 && o.skipWaiting) {
      await db.execute(sql`update graph_changes set processed_at = now(), claimed_until = null where processed_at is null`);
      log(`  marked ${waiting} waiting change(s) processed without running them (--skip-waiting-changes): no full evaluation`);
      summary.skippedWaitingChanges = waiting;
    } else if (waiting > 0) {
      const stepsMs: Record<string, number> = {};
      const r = await measureInProcess("pipeline after the load (full findings evaluation)", async () => {
        let n = 0;
        for (;;) {
          const run = await processGraphChanges(db, { onStep: (s, ms) => (stepsMs[s] = (stepsMs[s] ?? 0) + ms) });
          if (run.changes === 0) return n;
          n += run.changes;
        }
      });
      r.result.detail = { changes: r.value, stepsMs };
      done(r.result);
    }

    // 4. the index
    clearAccessCache();
    const built = await measureInProcess("build the access index (loadAccessIndex)", () => loadAccessIndex(db));
    built.result.detail = built.value ? { nodes: built.value.ids.length, edges: built.value.edgeCount } : undefined;
    done(built.result);
    const ix = built.value;
    if (!ix) throw new Error("no access index: the later steps need one");

    // 5. queries beside the floor
    const rng = new Rng(DEFAULT_SEED ^ 0x5ca1e);
    const principalCodes = new Set(PRINCIPAL_KINDS.map((k) => KIND_CODE.get(k)!));
    const principals: number[] = [];
    const targets: number[] = [];
    for (let i = 0; i < ix.ids.length; i++) (principalCodes.has(ix.kinds[i]!) ? principals : targets).push(i);
    const pick = (xs: number[]) => Array.from({ length: o.queries }, () => xs[rng.int(0, xs.length - 1)]!);
    const whoRoots = pick(targets);
    const fromRoots = pick(principals);
    const q = await measureInProcess("answer queries (index + BFS, and the floor)", async () => {
      const floorLoad = performance.now();
      const floor = await FloorGraph.load(db);
      const floorLoadMs = performance.now() - floorLoad;
      const lat = (f: (n: number) => unknown, roots: number[]) => {
        const xs: number[] = [];
        for (const r of roots) {
          const t0 = performance.now();
          f(r);
          xs.push(performance.now() - t0);
        }
        return { p50: percentile(xs, 50), p95: percentile(xs, 95), max: Math.max(...xs) };
      };
      const res = {
        floorLoadMs,
        whoCanReach: lat((n) => whoCanReach(ix, n, o.depth), whoRoots),
        whoCanReachWithVersionCheck: { p50: 0, p95: 0, max: 0 },
        whoCanReachFloor: lat((n) => floor.bfs(ix.ids[n]!, "in", o.depth, true), whoRoots),
        reachableFrom: lat((n) => reachableFrom(ix, n, o.depth), fromRoots),
        reachableFromFloor: lat((n) => floor.bfs(ix.ids[n]!, "out", o.depth, false), fromRoots),
      };
      // As a request pays it: the version check (one round trip) and the cached index, then the BFS.
      const xs: number[] = [];
      for (const r of whoRoots.slice(0, Math.min(50, whoRoots.length))) {
        const t0 = performance.now();
        whoCanReach(await getAccessIndex(db), r, o.depth);
        xs.push(performance.now() - t0);
      }
      res.whoCanReachWithVersionCheck = { p50: percentile(xs, 50), p95: percentile(xs, 95), max: Math.max(...xs) };
      return res;
    });
    q.result.detail = q.value;
    done(q.result);
    if (q.value) {
      log(
        table(
          ["query", "p50", "p95", "floor p50", "floor p95", "p95 / floor"],
          [
            ["whoCanReach", q.value.whoCanReach, q.value.whoCanReachFloor],
            ["reachableFrom", q.value.reachableFrom, q.value.reachableFromFloor],
          ].map(([n, a, f]) => {
            const x = a as { p50: number; p95: number };
            const y = f as { p50: number; p95: number };
            return [n as string, formatMs(x.p50), formatMs(x.p95), formatMs(y.p50), formatMs(y.p95), `${(x.p95 / Math.max(y.p95, 1e-3)).toFixed(2)}×`];
          }),
        ),
      );
    }

    // 6. a small change and the after-change pipeline
    const [anchor] = await rows<{ external_id: string; source: string }>(
      db,
      sql`select n.external_id, s.name as source from nodes n join sources s on s.id = n.source_id where n.kind = 'group' and n.valid_to is null order by n.id limit 1`,
    );
    const tag = Date.now().toString(36);
    const doc = decodeGraphDocument({
      source: "scale-delta",
      mode: "incremental",
      nodes: [{ kind: "human", externalId: `scale-${tag}`, name: `Scale Probe ${tag}`, attributes: { email: `scale-${tag}@bench.example` } }],
      edges: anchor
        ? [
            {
              kind: "member_of",
              from: { kind: "human", externalId: `scale-${tag}` },
              to: { kind: "group", externalId: anchor.external_id, source: anchor.source },
            },
          ]
        : [],
    });
    if ("errors" in doc) throw new Error(`the probe change is invalid: ${JSON.stringify(doc.errors)}`);
    const changeSteps: Record<string, number> = {};
    const ch = await measureInProcess("small change: import 1 node + 1 edge, then the after-change pipeline", async () => {
      const t0 = performance.now();
      const rec = await runImport(db, systemActor("bench"), doc, { format: "graph" });
      if (rec.status !== "succeeded") throw new Error(`the probe import was ${rec.status}: ${JSON.stringify(rec.errors)}`);
      const importMs = performance.now() - t0;
      const run = await processGraphChanges(db, { onStep: (s, ms) => (changeSteps[s] = (changeSteps[s] ?? 0) + ms) });
      const t1 = performance.now();
      whoCanReach(await getAccessIndex(db), whoRoots[0]!, o.depth);
      return { importMs, changes: run.changes, full: run.change?.full ?? null, stepsMs: changeSteps, firstQueryAfterMs: performance.now() - t1 };
    });
    ch.result.detail = ch.value;
    done(ch.result);

    // 7. a campaign over a slice: the memberships of the largest groups
    await db.execute(
      sql`insert into app_users (id, email, name) values ('usr_scale_owner', 'scale-owner@bench.example', 'Scale Owner') on conflict (id) do nothing`,
    );
    await db.execute(sql`insert into app_user_roles (user_id, role) values ('usr_scale_owner', 'admin') on conflict do nothing`);
    const owner = await actorByEmail(database, "scale-owner@bench.example");
    const groups = await rows<{ id: string; n: number }>(
      db,
      sql`select e.to_id as id, count(*)::int as n from edges e join nodes g on g.id = e.to_id and g.kind = 'group'
          where e.kind = 'member_of' and e.valid_to is null group by e.to_id order by n asc, e.to_id`,
    );
    // Groups from the smallest up to reach about the slice's size with at most 50 targets: the largest alone may pass it.
    const slice: string[] = [];
    let sliceEdges = 0;
    const sorted = groups.filter((g) => g.n <= o.campaignItems).sort((a, b) => b.n - a.n);
    for (const g of sorted) {
      if (slice.length >= 50 || sliceEdges >= o.campaignItems) break;
      if (sliceEdges + g.n > o.campaignItems * 1.1) continue;
      slice.push(g.id);
      sliceEdges += g.n;
    }
    let campaignId: string | undefined;
    const camp = await measureInProcess("launch a campaign over a slice (launchNow)", async () => {
      const c = await createCampaign(db, owner, {
        name: `Scale slice ${tag}`,
        scope: { edgeKinds: ["member_of"], targets: slice },
        reviewerStrategy: { reviewer: "scale-owner@bench.example" },
        dueAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      });
      const v = await launchNow(db, owner, c.id);
      campaignId = v.id;
      return {
        id: v.id,
        targets: slice.length,
        expectedItems: sliceEdges,
        items: await count(db, sql`select count(*)::int as n from review_items where campaign_id = ${v.id}`),
      };
    });
    camp.result.detail = camp.value;
    done(camp.result);

    // 8. its evidence, streamed to a file
    if (campaignId) {
      const zip = path.join(dir, "evidence.zip");
      const ev = await measureInProcess("export the campaign's evidence (streamed zip)", async () => {
        const f = fileSink(zip);
        try {
          await writeCampaignEvidence(db, owner, campaignId!, "zip", f.sink);
        } finally {
          await f.close();
        }
        return { bytes: statSync(zip).size };
      });
      ev.result.detail = ev.value;
      done(ev.result);
    }
    summary.campaignId = campaignId;
  } catch (e) {
    summary.aborted = e instanceof Error ? e.message.slice(0, 500) : String(e);
    log(`  aborted: ${String(summary.aborted)}`);
  } finally {
    clearAccessCache();
    if (bench) await bench.drop({ keep: o.keepDb });
    else await database.close();
    if (bench && o.keepDb) log(`  kept database ${bench.name}`);
  }

  // The HTTP route's body layer at this size: the file sent as a request body, decoded as POST /api/v1/imports decodes
  // JSONL (limitedChunks → lines → decodeJsonl) with the limit raised to the file's size; no database. Bounded memory
  // here means the route streams; what the import engine holds per record is the import step's.
  if (fileBytes > 0 && o.httpDecode) {
    const d = await measureInProcess("HTTP body layer: the file as a streamed request body, decoded (no database)", async () => {
      const body = Readable.toWeb(createReadStream(file!)) as ReadableStream<Uint8Array>;
      const req = new Request("http://attest.local/api/v1/imports", {
        method: "POST",
        body,
        duplex: "half",
        headers: { "content-type": "application/x-ndjson" },
      } as RequestInit);
      const decoded = await decodeJsonl(lines(limitedChunks(req, fileBytes + 1)));
      if ("errors" in decoded) throw new Error(`the file does not decode: ${decoded.errors.length} problems`);
      let records = 0;
      let problems = 0;
      for await (const item of decoded.items) {
        if (item.type === "error") problems++;
        else records++;
      }
      return { records, problems, mbPerS: fileBytes / 2 ** 20 };
    });
    if (d.value) d.value.mbPerS = d.value.mbPerS / (d.result.ms / 1000);
    d.result.detail = d.value;
    done(d.result);
  }

  // 9. the import through the CLI, on a fresh database, last
  if (o.import) {
    const target = await createBenchDatabase("postgres", o.url);
    const url = await createNamedUrl(o.url!, target.name);
    log(`  importing into ${target.name}`);
    const r = await measureChild(
      "import through the CLI (npm run import, streaming from disk, fresh database)",
      ["npx", "tsx", path.join(root, "scripts/import.ts"), file],
      { ...process.env, DATABASE_URL: url },
      path.join(dir, "import.log"),
    );
    r.detail = { fileBytes, log: readFileSync(path.join(dir, "import.log"), "utf8").split("\n").slice(-6).join("\n") };
    done(r);
    const imported = await openDatabase({ url });
    try {
      r.detail.nodes = await count(imported.db, sql`select count(*)::int as n from nodes`);
      r.detail.edges = await count(imported.db, sql`select count(*)::int as n from edges`);
    } finally {
      await imported.close();
    }
    await target.drop({ keep: o.keepDb });
    if (o.keepDb) log(`  kept imported database ${target.name}`);
  }

  const outDir = path.join(root, "bench", "results");
  mkdirSync(outDir, { recursive: true });
  const outFile = path.join(outDir, `scale-${o.size}-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(
    outFile,
    JSON.stringify(
      {
        suite: "scale",
        size: o.size,
        at: new Date().toISOString(),
        machine: { cores: os.cpus().length, memBytes: os.totalmem(), node: process.version },
        options: { ...o, url: undefined },
        graph,
        fileBytes,
        steps,
        ...summary,
      },
      null,
      2,
    ),
  );
  log(`wrote ${path.relative(root, outFile)}`);
  if (!o.file) rmSync(dir, { recursive: true, force: true });
  return steps.some((s) => s.error) || summary.aborted ? 1 : 0;
}
