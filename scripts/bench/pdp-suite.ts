/**
 * The runtime decision point (issue #20): `npm run bench -- --suite pdp [--size S|M|L] [--db pglite|postgres] [--reps N] [--seed N]`.
 *
 * Loads a generated graph, makes a gateway's service user and `pdp` token, samples (agent, tool) pairs from the
 * access index (half reachable, half not), then measures:
 *  - single evaluation in process (accessEvaluation: parse, memory state, decision, decision log hand-off): p50/p99;
 *  - the same over HTTP on loopback (a node:http server in front of the real route handler, the gateway's bearer
 *    token, one keep-alive connection): p50/p99;
 *  - the same through the decision port (ATTEST_PDP_PORT, lib/pdp/listener.ts: node:http straight to the domain);
 *  - throughput with 50 keep-alive connections for a few seconds, against the route handler, the decision port and
 *    a bare node:http server answering a fixed decision, in the same run on the same machine: requests/s, errors,
 *    ratios to the bare server;
 *  - the decision alone (evaluate) with nothing remembered: each pair's first call after an index change or revoke;
 *  - a batch of 100 evaluations in process: p50/p99;
 *  - PostgreSQL only: revoke → deny on a second instance (lib/testing/app-instance.ts, its own process, pools and
 *    decision state): a campaign revoke decided here (launch + decideItem, the real writers), the second instance
 *    asked every 2 ms until it denies; the time from the revoke's commit to the first deny.
 * Writes bench/results/pdp-<timestamp>.json. Targets (M, PostgreSQL): p99 < 2 ms in process, < 10 ms over HTTP,
 * throughput ≥ 0.5× the bare server with 0 errors, batch of 100 < 20 ms, revoke enforced < 1 s on every instance.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { appUserRoles, appUsers } from "@/db/schema";
import { POST as evaluationRoute } from "@/app/access/v1/evaluation/route";
import { createApiToken } from "@/lib/admin/api-tokens";
import { systemActor, type Actor } from "@/lib/authz/actor";
import { actorForToken } from "@/lib/authz/load-user";
import { createBenchDatabase } from "@/lib/bench/bench-db";
import { generateDataset } from "@/lib/bench/dataset";
import { analyzeGraph, bulkLoad } from "@/lib/bench/load";
import { Rng } from "@/lib/bench/random";
import { formatMs, percentile, table } from "@/lib/bench/stats";
import { decideItem } from "@/lib/campaigns/decide-item";
import { createCampaign, launchNow } from "@/lib/campaigns/launch-campaign";
import { listMyItems } from "@/lib/campaigns/queries";
import { KIND_CODE } from "@/lib/graph/access-index";
import { bfs, MAX_DEPTH, pathTo } from "@/lib/graph/traverse";
import { accessEvaluation, accessEvaluations } from "@/lib/pdp/authzen";
import { searchResources, searchSubjects } from "@/lib/pdp/search";
import { createPdpListener } from "@/lib/pdp/listener";
import { evaluate } from "@/lib/pdp/evaluate";
import { pdpSnapshot } from "@/lib/pdp/runtime";
import { accessKey } from "@/lib/pdp/state";
import { useAsAppDatabase as serveFrom } from "@/lib/testing/app-context";
import { startAppInstance } from "@/lib/testing/pg-cluster";
import { takeDecisions } from "@/lib/usage/decision-log";
import { suiteOptions } from "./suite-options";

const USAGE = "usage: npm run bench -- --suite pdp [--size S|M|L] [--db pglite|postgres] [--url URL] [--reps N] [--seed N]";
const CONNECTIONS = 50;
const THROUGHPUT_MS = 6000;
const ROUNDS = 3;

type Body = { subject: { type: string; id: string }; action: { name: string }; resource: { type: string; id: string } };
const body = (subject: string, tool: string): Body => ({
  subject: { type: "agent", id: subject },
  action: { name: "tools/call" },
  resource: { type: "tool", id: tool },
});

function stats(samples: number[]) {
  return { n: samples.length, p50: percentile(samples, 50), p99: percentile(samples, 99), max: Math.max(...samples) };
}

/** Sends `total` requests over `conns` keep-alive connections, `conns` at a time; counts answers and errors. */
async function load(port: number, payload: string, token: string, durationMs: number): Promise<{ rps: number; ok: number; errors: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  let ok = 0;
  let errors = 0;
  const end = performance.now() + durationMs;
  const one = () =>
    new Promise<void>((resolve) => {
      const req = http.request(
        {
          host: "127.0.0.1",
          port,
          path: "/access/v1/evaluation",
          method: "POST",
          agent,
          headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "content-length": Buffer.byteLength(payload) },
        },
        (res) => {
          res.resume();
          res.on("end", () => {
            if (res.statusCode === 200) ok++;
            else errors++;
            resolve();
          });
        },
      );
      req.on("error", () => {
        errors++;
        resolve();
      });
      req.end(payload);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < end) await one();
    }),
  );
  agent.destroy();
  return { rps: (ok + errors) / ((performance.now() - started) / 1000), ok, errors };
}

/** A node:http server in front of a fetch-style handler (the route handler), as Next serves it. */
function serveRoute(handler: typeof evaluationRoute): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
        const r = await handler(new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers, body: Buffer.concat(chunks) }), {
          params: Promise.resolve({}),
        });
        const text = await r.text();
        res.writeHead(r.status, { "content-type": "application/json", "x-request-id": r.headers.get("x-request-id") ?? "" });
        res.end(text);
      })();
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

function serveFixed(): Promise<http.Server> {
  const answer = JSON.stringify({ decision: true });
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(answer);
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function timedHttp(port: number, payload: string, token: string, reps: number): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const req = http.request(
        {
          host: "127.0.0.1",
          port,
          path: "/access/v1/evaluation",
          method: "POST",
          agent,
          headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "content-length": Buffer.byteLength(payload) },
        },
        (res) => {
          res.resume();
          res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
    out.push(performance.now() - t0);
  }
  agent.destroy();
  return out;
}

export async function runPdpSuite(argv: string[]): Promise<number> {
  const o = suiteOptions(argv, USAGE, { reps: 2000 });
  // The bench is one client asking as fast as it can: lift the per-client bucket (its own cost is still measured).
  process.env.ATTEST_PDP_RATE_PER_SECOND = "1000000000";
  const bench = await createBenchDatabase(o.db, o.url);
  const { db } = bench.database;
  serveFrom(bench.database);
  const result: Record<string, unknown> = { suite: "pdp", size: o.size, db: o.db, reps: o.reps, host: os.hostname(), cpus: os.cpus().length };
  try {
    console.log(`loading ${o.size} on ${o.db}…`);
    // Not kept: a server does not hold the generated dataset, and its heap should not either (GC scans what lives).
    await bulkLoad(db, generateDataset(o.size, o.seed));
    if (o.db === "postgres") await analyzeGraph(db);
    const admin = systemActor("bench-pdp");
    await db.insert(appUsers).values([
      { id: "usr_bench_gw", email: "gateway@bench.example", name: "Gateway" },
      { id: "usr_bench_rev", email: "reviewer@bench.example", name: "Reviewer" },
      { id: "usr_bench_admin", email: "admin@bench.example", name: "Admin" },
    ]);
    await db.insert(appUserRoles).values([
      { userId: "usr_bench_gw", role: "pdp" },
      { userId: "usr_bench_rev", role: "reviewer" },
      { userId: "usr_bench_admin", role: "admin" },
    ]);
    const token = (await createApiToken(db, admin, { name: "bench gateway", userId: "usr_bench_gw", roles: ["pdp"] })).token;
    const gateway = (await actorForToken(db, token)) as Actor;
    const t0 = performance.now();
    const { state, ix } = await pdpSnapshot(db, { fresh: true });
    result.stateLoadMs = performance.now() - t0;
    console.log(`decision state loaded in ${formatMs(performance.now() - t0)} ms (${ix.ids.length} nodes)`);

    // Pairs: for sampled agents, one tool they reach and one they do not.
    const rng = new Rng(o.seed);
    const agents: number[] = [];
    const tools: number[] = [];
    for (let i = 0; i < ix.ids.length; i++) {
      if (ix.kinds[i] === KIND_CODE.get("agent")) agents.push(i);
      if (ix.kinds[i] === KIND_CODE.get("tool")) tools.push(i);
    }
    const pairs: Body[] = [];
    const revocable: { body: Body; subject: number; next: number; kind: string }[] = [];
    for (let k = 0; k < Math.min(400, agents.length * 4) && pairs.length < 400; k++) {
      const a = agents[rng.int(0, agents.length - 1)]!;
      const s = bfs(ix, a, "out", MAX_DEPTH);
      const reached = s.reached.filter((r) => ix.kinds[r.node] === KIND_CODE.get("tool"));
      if (reached.length) {
        const r = reached[rng.int(0, reached.length - 1)]!;
        const b = body(ix.ids[a]!, ix.ids[r.node]!);
        pairs.push(b);
        const p = pathTo(ix, s, r.node, "out");
        const key = accessKey(p.nodes[0]!, p.edges[0]!, p.nodes[1]!);
        // A pair whose every path uses its first edge: revoking that edge denies it.
        if (revocable.length < 5 && evaluate({ ...state, decisions: { ...state.decisions, revoked: new Set([key]) } }, ix, b, Date.now()).decision === false)
          revocable.push({ body: b, subject: a, next: ix.indexOf.get(p.nodes[1]!)!, kind: p.edges[0]! });
      }
      const miss = tools[rng.int(0, tools.length - 1)]!;
      if (!s.reached.some((r) => r.node === miss)) pairs.push(body(ix.ids[a]!, ix.ids[miss]!));
    }
    const allowed = pairs.filter((b) => evaluate(state, ix, b, Date.now()).decision).length;
    result.pairs = { total: pairs.length, allowed };
    console.log(`${pairs.length} pairs (${allowed} allowed)`);

    // 1. In process.
    // Warm-up: every pair once (a gateway's steady state: the same agents calling the same tools); the first call of
    // a pair is measured on its own below (1b).
    for (let i = 0; i < Math.max(200, pairs.length); i++) await accessEvaluation(db, gateway, pairs[i % pairs.length]);
    const inProcess: number[] = [];
    for (let i = 0; i < o.reps; i++) {
      const b = pairs[i % pairs.length];
      const s0 = performance.now();
      await accessEvaluation(db, gateway, b);
      inProcess.push(performance.now() - s0);
      if (i % 1000 === 999) takeDecisions(1_000_000);
    }
    result.inProcess = stats(inProcess);

    // 1b. The decision alone with nothing remembered: each pair once against a fresh revocation set (a copy, so the
    // remembered paths and reaches keyed by the old set do not apply) — what the first call of a pair costs after
    // an index change or a revoke.
    const cold: number[] = [];
    for (let round = 0; round < Math.max(1, Math.floor(o.reps / 4000)); round++) {
      const fresh = { ...state, decisions: { ...state.decisions, revoked: new Set(state.decisions.revoked) } };
      evaluate(fresh, ix, pairs[0]!, Date.now());
      for (const b of pairs) {
        const s0 = performance.now();
        evaluate(fresh, ix, b, Date.now());
        cold.push(performance.now() - s0);
      }
    }
    result.coldEvaluate = stats(cold);

    // 2. Over HTTP, one keep-alive connection.
    const ours = await serveRoute(evaluationRoute);
    const port = (ours.address() as AddressInfo).port;
    const payload = JSON.stringify(pairs[0]);
    await timedHttp(port, payload, token, 200);
    result.http = stats(await timedHttp(port, payload, token, o.reps));
    takeDecisions(1_000_000);

    // 2b. The decision port (ATTEST_PDP_PORT: node:http straight to the domain functions).
    const lean = createPdpListener(async () => db);
    await new Promise<void>((resolve) => lean.listen(0, "127.0.0.1", resolve));
    const leanPort = (lean.address() as AddressInfo).port;
    await timedHttp(leanPort, payload, token, 200);
    result.httpDecisionPort = stats(await timedHttp(leanPort, payload, token, o.reps));
    takeDecisions(1_000_000);

    // 3. Throughput, 50 connections. The decision port and the bare server alternate in ROUNDS rounds (each
    // THROUGHPUT_MS / ROUNDS long), so a change in the machine's load during the run falls on both; the ratio is of
    // the sums. The route handler runs once.
    const oursLoad = await load(port, payload, token, THROUGHPUT_MS);
    takeDecisions(1_000_000);
    ours.close();
    const bare = await serveFixed();
    const barePort = (bare.address() as AddressInfo).port;
    const rounds: { decisionPort: number; bare: number }[] = [];
    let leanLoad = { rps: 0, ok: 0, errors: 0 };
    let bareLoad = { rps: 0, ok: 0, errors: 0 };
    for (let r = 0; r < ROUNDS; r++) {
      const l = await load(leanPort, payload, token, THROUGHPUT_MS / ROUNDS);
      takeDecisions(1_000_000);
      const b = await load(barePort, payload, token, THROUGHPUT_MS / ROUNDS);
      rounds.push({ decisionPort: l.rps, bare: b.rps });
      leanLoad = { rps: leanLoad.rps + l.rps / ROUNDS, ok: leanLoad.ok + l.ok, errors: leanLoad.errors + l.errors };
      bareLoad = { rps: bareLoad.rps + b.rps / ROUNDS, ok: bareLoad.ok + b.ok, errors: bareLoad.errors + b.errors };
    }
    lean.close();
    bare.close();
    result.throughput = {
      connections: CONNECTIONS,
      seconds: THROUGHPUT_MS / 1000,
      routeHandler: oursLoad,
      decisionPort: leanLoad,
      bare: bareLoad,
      rounds,
      ratioRouteHandler: oursLoad.rps / bareLoad.rps,
      ratio: leanLoad.rps / bareLoad.rps,
    };

    // 4. Batch of 100.
    const batch = { evaluations: Array.from({ length: 100 }, (_, i) => pairs[i % pairs.length]) };
    for (let i = 0; i < 20; i++) await accessEvaluations(db, gateway, batch);
    const batches: number[] = [];
    for (let i = 0; i < Math.max(50, Math.floor(o.reps / 20)); i++) {
      const s0 = performance.now();
      await accessEvaluations(db, gateway, batch);
      batches.push(performance.now() - s0);
      takeDecisions(1_000_000);
    }
    result.batch100 = stats(batches);

    // 4b. Searches (an analyst's questions, each a request): who may call a tool, what an agent may call — first page
    // of 100, over the sampled pairs' tools and agents (each walks who-can-reach / reachable-from and confirms every
    // candidate with an evaluation).
    const searches = { subject: [] as number[], resource: [] as number[], subjectTotals: [] as number[], resourceTotals: [] as number[] };
    for (const b of pairs.slice(0, 40)) {
      let s0 = performance.now();
      const who = await searchSubjects(db, admin, { subject: { type: "agent" }, action: b.action, resource: b.resource });
      searches.subject.push(performance.now() - s0);
      searches.subjectTotals.push(who.page.total);
      s0 = performance.now();
      const what = await searchResources(db, admin, { subject: b.subject, action: b.action, resource: { type: "tool" } });
      searches.resource.push(performance.now() - s0);
      searches.resourceTotals.push(what.page.total);
    }
    result.searchSubject = { ...stats(searches.subject), maxTotal: Math.max(...searches.subjectTotals) };
    result.searchResource = { ...stats(searches.resource), maxTotal: Math.max(...searches.resourceTotals) };

    // 5. Revoke → deny on a second instance (PostgreSQL: the instance is its own process on the same database).
    if (o.db === "postgres" && o.url && revocable.length) {
      const url = new URL(o.url);
      url.pathname = `/${bench.name}`;
      const other = await startAppInstance({ DATABASE_URL: url.toString() });
      const reviewer = {
        type: "user",
        id: "usr_bench_rev",
        email: "reviewer@bench.example",
        name: "Reviewer",
        roles: ["reviewer"],
        humanNodeId: null,
      } as Actor;
      const owner = { type: "user", id: "usr_bench_admin", email: "admin@bench.example", name: "Admin", roles: ["admin"], humanNodeId: null } as Actor;
      const latencies: number[] = [];
      try {
        for (const r of revocable) {
          const before = await other.post<{ decision: boolean }>("/pdp/evaluate", r.body);
          if (!before.decision) continue;
          const c = await createCampaign(db, owner, {
            name: `bench revoke ${latencies.length}`,
            dueAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
            reviewerStrategy: { reviewer: "reviewer@bench.example" },
            scope: { edgeKinds: [r.kind], subjects: [ix.ids[r.subject]!], targets: [ix.ids[r.next]!] },
          });
          await launchNow(db, owner, c.id);
          const items = (await listMyItems(db, reviewer, { status: "all", limit: 50, campaign: c.id })).items;
          const item = items.find((i) => i.subject.id === ix.ids[r.subject] && i.target.id === ix.ids[r.next]);
          if (!item) continue;
          await decideItem(db, reviewer, item.id, { decision: "revoke", justification: "bench", version: item.version });
          const committed = performance.now();
          for (;;) {
            const d = await other.post<{ decision: boolean }>("/pdp/evaluate", r.body);
            if (!d.decision) break;
            if (performance.now() - committed > 10_000) throw new Error("the second instance still allows 10 s after the revoke");
            await new Promise((res) => setTimeout(res, 2));
          }
          latencies.push(performance.now() - committed);
        }
      } finally {
        await other.stop();
      }
      result.revokeToDeny = latencies.length ? stats(latencies) : { skipped: "no revocable pair found" };
    } else result.revokeToDeny = { skipped: o.db === "postgres" ? "no revocable pair found" : "needs PostgreSQL (a second instance shares the database)" };

    const row = (name: string, s: { p50: number; p99: number } | undefined, target: string) => [name, formatMs(s?.p50 ?? NaN), formatMs(s?.p99 ?? NaN), target];
    console.log(
      table(
        ["measure", "p50 ms", "p99 ms", "target"],
        [
          row("single evaluation, in process", result.inProcess as never, "p99 < 2"),
          row("  the decision alone, nothing remembered", result.coldEvaluate as never, "(first call of a pair)"),
          row("single evaluation, HTTP (route handler)", result.http as never, "p99 < 10"),
          row("single evaluation, HTTP (decision port)", result.httpDecisionPort as never, "p99 < 10"),
          row("batch of 100, in process", result.batch100 as never, "< 20"),
          row("search: who may call a tool (first page)", result.searchSubject as never, "well under 1000"),
          row("search: what an agent may call (first page)", result.searchResource as never, "well under 1000"),
          row(
            "revoke → deny, second instance",
            (result.revokeToDeny as { p50?: number }).p50 !== undefined ? (result.revokeToDeny as never) : undefined,
            "< 1000",
          ),
        ],
      ),
    );
    const tp = result.throughput as {
      routeHandler: { rps: number; errors: number };
      decisionPort: { rps: number; errors: number };
      bare: { rps: number };
      ratio: number;
      ratioRouteHandler: number;
    };
    console.log(
      `throughput, ${CONNECTIONS} keep-alive connections: decision port ${Math.round(tp.decisionPort.rps)}/s (errors ${tp.decisionPort.errors}), ` +
        `route handler ${Math.round(tp.routeHandler.rps)}/s (errors ${tp.routeHandler.errors}), bare node:http ${Math.round(tp.bare.rps)}/s → ` +
        `ratio ${tp.ratio.toFixed(2)} (route handler ${tp.ratioRouteHandler.toFixed(2)}; goal ≥ 0.5)`,
    );
    const dir = path.join(process.cwd(), "bench", "results");
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `pdp-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
    writeFileSync(file, JSON.stringify(result, null, 2));
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
    return tp.decisionPort.errors + tp.routeHandler.errors === 0 ? 0 : 1;
  } finally {
    await bench.drop();
  }
}
