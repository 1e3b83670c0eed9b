/**
 * The campaigns-at-size benchmark of issue 18 (`npm run bench -- --suite campaigns`): a campaign of N level-1
 * items (default 1,000,000) on an L-shaped graph generated in SQL — H people each holding E entitlements
 * (has_entitlement; H × E = N), every entitlement owned by one of R reviewers (target_owner routing, about N / R
 * items each), plus a smaller campaign already open (10,000 memberships, one reviewer) so an inbox has work while
 * the big one launches. Measures, on the same database in the same run:
 *  1. the launch (runLaunch, the job campaigns.launch) — wall time, peak RSS of this process (sampled every 100 ms),
 *     chunks — beside the floor: one INSERT … SELECT writing the same N rows with no per-item work at all;
 *  2. the inbox first page (listMyItems, 50 items) and the campaign's progress (getCampaign) every second *during*
 *     the launch (the job runs in this process, as it does in the app server), and after it: inbox, campaign items
 *     first page (listCampaignItems, 100 of N), a later page by cursor, the progress — each beside the bare keyset
 *     query it runs and the offset + count(*) page the list used before (the baseline).
 *
 *   npm run bench -- --suite campaigns [--items N] [--reviewers R] [--chunk N] [--reps N] [--db pglite|postgres] [--url postgres://…] [--keep-db]
 *
 * Writes bench/results/campaigns-<timestamp>.json. Targets: launch < 10 min, peak RSS < 2 GB, first pages < 300 ms.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rows } from "@/db/rows";
import { createBenchDatabase } from "@/lib/bench/bench-db";
import { readFlags, wholeNumber } from "@/lib/bench/cli";
import { formatMs, percentile, table } from "@/lib/bench/stats";
import { createCampaign, launchCampaign, runLaunch } from "@/lib/campaigns/launch-campaign";
import { getCampaign, itemsQuerySchema, listCampaignItems, listMyItems } from "@/lib/campaigns/queries";
import { clearAccessCache } from "@/lib/graph/access-cache";
import { actorByEmail } from "@/lib/testing/app-context";

const USAGE = `usage: npm run bench -- --suite campaigns [--items N] [--reviewers R] [--chunk N] [--reps N] [--db pglite|postgres] [--url postgres://…] [--keep-db]`;
export const TARGETS = { launchMs: 10 * 60_000, rssBytes: 2 * 1024 ** 3, pageMs: 300 } as const;
const ENTITLEMENTS = 1_000;
const SMALL = 10_000;

interface Options {
  items: number;
  reviewers: number;
  chunk: number | undefined;
  reps: number;
  db: "pglite" | "postgres";
  url: string | undefined;
  keepDb: boolean;
}

function parseArgs(argv: string[]): Options {
  const usage = (message: string): never => {
    console.error(`${message}\n${USAGE}`);
    process.exit(2);
  };
  const envUrl = process.env.BENCH_DATABASE_URL?.trim() || process.env.TEST_DATABASE_URL?.trim() || undefined;
  const o: Options = { items: 1_000_000, reviewers: 200, chunk: undefined, reps: 15, db: envUrl ? "postgres" : "pglite", url: envUrl, keepDb: false };
  readFlags(argv, (name, value, flag) => {
    if (name === "--items") o.items = wholeNumber(flag, value(), usage, ENTITLEMENTS);
    else if (name === "--reviewers") o.reviewers = wholeNumber(flag, value(), usage);
    else if (name === "--chunk") o.chunk = wholeNumber(flag, value(), usage);
    else if (name === "--reps") o.reps = wholeNumber(flag, value(), usage);
    else if (name === "--db") {
      const v = value();
      if (v !== "pglite" && v !== "postgres") usage("--db must be pglite or postgres");
      o.db = v as Options["db"];
    } else if (name === "--url") o.url = value();
    else if (name === "--keep-db") o.keepDb = true;
    else usage(`unknown flag ${flag}`);
  });
  if (o.items % ENTITLEMENTS !== 0) usage(`--items must be a multiple of ${ENTITLEMENTS}`);
  return o;
}

/** The L-shaped organisation, written by SQL: people × entitlements, owners as reviewers, one group for the small campaign. */
async function generate(db: Db, o: Options): Promise<{ people: number; edges: number }> {
  const perPerson = 20;
  const people = o.items / perPerson;
  await db.execute(sql`insert into sources (id, name, type) values ('src_bench', 'bench', 'file')`);
  await db.execute(sql`insert into nodes (id, kind, source_id, external_id, name, status)
    select 'h' || i, 'human', 'src_bench', 'h' || i, 'Person ' || lpad(i::text, 7, '0'), 'active' from generate_series(0::int, ${people - 1}::int) i`);
  await db.execute(sql`insert into nodes (id, kind, source_id, external_id, name)
    select 'e' || j, 'entitlement', 'src_bench', 'e' || j, 'Entitlement ' || lpad(j::text, 4, '0') from generate_series(0::int, ${ENTITLEMENTS - 1}::int) j`);
  await db.execute(sql`insert into nodes (id, kind, source_id, external_id, name)
    select 'r' || j, 'resource', 'src_bench', 'r' || j, 'Resource ' || lpad(j::text, 3, '0') from generate_series(0::int, 199::int) j`);
  await db.execute(sql`insert into nodes (id, kind, source_id, external_id, name) values ('g0', 'group', 'src_bench', 'g0', 'All engineers')`);
  // Each entitlement grants a resource; each is owned by one reviewer (people 0 … R-1), the group by reviewer 0.
  await db.execute(sql`insert into edges (id, kind, source_id, external_id, from_id, to_id)
    select 'eg' || j, 'grants', 'src_bench', 'eg' || j, 'e' || j, 'r' || (j % 200) from generate_series(0::int, ${ENTITLEMENTS - 1}::int) j`);
  await db.execute(sql`insert into edges (id, kind, source_id, external_id, from_id, to_id)
    select 'eo' || j, 'owns', 'src_bench', 'eo' || j, 'h' || (j % ${o.reviewers}), 'e' || j from generate_series(0::int, ${ENTITLEMENTS - 1}::int) j`);
  await db.execute(sql`insert into edges (id, kind, source_id, external_id, from_id, to_id) values ('go', 'owns', 'src_bench', 'go', 'h0', 'g0')`);
  // The L: person i holds 20 distinct entitlements (i·7 + k·37 mod 1000, k < 20); written 5,000 people at a time (the app's statement timeout holds).
  for (let lo = 0; lo < people; lo += 5_000) {
    const hi = Math.min(people, lo + 5_000) - 1;
    await db.execute(sql`insert into edges (id, kind, source_id, external_id, from_id, to_id)
      select 'he' || i || '_' || k, 'has_entitlement', 'src_bench', 'he' || i || '_' || k, 'h' || i, 'e' || ((i * 7 + k * 37) % ${ENTITLEMENTS}::int)
      from generate_series(${lo}::int, ${hi}::int) i, generate_series(0::int, ${perPerson - 1}::int) k`);
  }
  await db.execute(sql`insert into edges (id, kind, source_id, external_id, from_id, to_id)
    select 'hm' || i, 'member_of', 'src_bench', 'hm' || i, 'h' || i, 'g0' from generate_series(${o.reviewers}::int, ${Math.min(people, o.reviewers + SMALL) - 1}::int) i`);
  // Reviewers: app users linked to the owners' person nodes; the campaign owner and a fallback reviewer.
  await db.execute(sql`insert into app_users (id, email, name, human_node_id)
    select 'usr_r' || i, 'reviewer' || i || '@bench.example', 'Reviewer ' || i, 'h' || i from generate_series(0::int, ${o.reviewers - 1}::int) i`);
  await db.execute(sql`insert into app_user_roles (user_id, role) select 'usr_r' || i, 'reviewer' from generate_series(0::int, ${o.reviewers - 1}::int) i`);
  await db.execute(
    sql`insert into app_users (id, email, name) values ('usr_owner', 'owner@bench.example', 'Campaign Owner'), ('usr_fallback', 'fallback@bench.example', 'Fallback Reviewer')`,
  );
  await db.execute(sql`insert into app_user_roles (user_id, role) values ('usr_owner', 'analyst'), ('usr_fallback', 'reviewer')`);
  await db.execute(sql`analyze`);
  const [e] = await rows<{ n: number }>(db, sql`select count(*)::int as n from edges`);
  return { people, edges: e!.n };
}

const ms = (t0: number) => performance.now() - t0;
async function time<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await f();
  return { ms: ms(t0), value };
}
async function reps(n: number, f: () => Promise<unknown>): Promise<{ p50: number; p95: number; max: number }> {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) xs.push((await time(f)).ms);
  return { p50: percentile(xs, 50), p95: percentile(xs, 95), max: Math.max(...xs) };
}

export async function runCampaignsSuite(argv: string[]): Promise<number> {
  const o = parseArgs(argv);
  const bench = await createBenchDatabase(o.db, o.url);
  const { database } = bench;
  const db = database.db;
  try {
    clearAccessCache();
    console.log(`campaigns suite: ${o.items.toLocaleString("en")} items, ${o.reviewers} reviewers, on ${o.db} (${bench.name})`);
    const gen = await time(() => generate(db, o));
    console.log(`generated ${gen.value.people.toLocaleString("en")} people, ${gen.value.edges.toLocaleString("en")} edges in ${formatMs(gen.ms)}`);
    const owner = await actorByEmail(database, "owner@bench.example");
    const r0 = await actorByEmail(database, "reviewer0@bench.example");
    const r1 = await actorByEmail(database, "reviewer1@bench.example");
    const dueAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const def = (name: string, edgeKinds: string[]) => ({
      name,
      scope: { edgeKinds, subjectKinds: ["human"] },
      reviewerStrategy: "target_owner",
      fallbackReviewer: "fallback@bench.example",
      dueAt,
    });

    // The small campaign, already open: reviewer 0's inbox has work while the big one launches.
    const small = await createCampaign(db, owner, def("memberships", ["member_of"]));
    await launchCampaign(db, owner, small.id);
    const smallRun = await time(() => runLaunch(db, small.id));

    // The big launch, with the inbox and the campaign page probed every second while it runs (same process, as in the app).
    const big = await createCampaign(db, owner, def("entitlements", ["has_entitlement"]));
    await launchCampaign(db, owner, big.id);
    let peak = process.memoryUsage().rss;
    const rssBefore = peak;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
    const during: { inbox: number[]; progress: number[]; done: number[] } = { inbox: [], progress: [], done: [] };
    let running = true;
    let chunks = 0;
    const probe = (async () => {
      while (running) {
        await new Promise((r) => setTimeout(r, 1000));
        if (!running) break;
        during.inbox.push((await time(() => listMyItems(db, r0, itemsQuerySchema.parse({ status: "pending", limit: "50" })))).ms);
        const p = await time(() => getCampaign(db, owner, big.id));
        during.progress.push(p.ms);
        during.done.push(p.value.launch.done);
      }
    })();
    const launch = await time(() => runLaunch(db, big.id, { chunkSize: o.chunk, afterChunk: () => void chunks++ }));
    running = false;
    await probe;
    clearInterval(sampler);
    if (launch.value?.status !== "active") throw new Error(`the launch did not finish: ${JSON.stringify(launch.value)}`);
    const [written] = await rows<{ n: number }>(db, sql`select count(*)::int as n from review_items where campaign_id = ${big.id}`);
    console.log(`launched ${written!.n.toLocaleString("en")} items in ${formatMs(launch.ms)} (${chunks} chunks), peak RSS ${(peak / 1024 ** 2).toFixed(0)} MB`);

    // The floor: the same rows written by one INSERT … SELECT with no per-item work (into a copy of the table, then dropped).
    await db.execute(sql`create table review_items_floor (like review_items including defaults including indexes)`);
    const floor = await time(() =>
      db.transaction(async (tx) => {
        await tx.execute(sql`set local statement_timeout = 0`);
        await tx.execute(sql`insert into review_items_floor (id, campaign_id, level, subject_id, subject_kind, subject_name, subject_source, subject_external_id,
        edge_id, edge_kind, edge_source, target_id, target_kind, target_name, target_source, target_external_id, access_first_seen_at, context,
        recommendation, recommendation_reason, reviewer_id, reviewer_reason, assigned_reviewer_id)
        select 'f' || e.id, 'floor', 1, s.id, s.kind, s.name, 'bench', s.external_id, e.id, e.kind, 'bench', t.id, t.kind, t.name, 'bench', t.external_id,
          e.first_seen_at, '{}'::jsonb, 'review', 'floor', 'usr_r0', 'floor', 'usr_r0'
        from edges e join nodes s on s.id = e.from_id join nodes t on t.id = e.to_id where e.kind = 'has_entitlement'`);
      }),
    );
    await db.execute(sql`drop table review_items_floor`);

    // After the launch: first pages beside the bare keyset query and the offset + count page of before.
    const q = (over: Record<string, string>) => itemsQuerySchema.parse({ status: "pending", limit: "50", ...over });
    const inbox = await reps(o.reps, () => listMyItems(db, r1, q({})));
    const inboxBare = await reps(o.reps, () =>
      db.execute(sql`select * from review_items where reviewer_id = 'usr_r1' and campaign_id = ${big.id} and decision is null
        order by subject_name, edge_kind, target_name, level, id limit 51`),
    );
    const first = await listCampaignItems(db, owner, big.id, itemsQuerySchema.parse({ status: "all", limit: "100" }));
    const items = await reps(o.reps, () => listCampaignItems(db, owner, big.id, itemsQuerySchema.parse({ status: "all", limit: "100" })));
    const later = await reps(o.reps, () =>
      listCampaignItems(db, owner, big.id, itemsQuerySchema.parse({ status: "all", limit: "100", cursor: first.nextCursor! })),
    );
    const itemsBare = await reps(o.reps, () =>
      db.execute(sql`select * from review_items where campaign_id = ${big.id} order by subject_name, edge_kind, target_name, level, id limit 101`),
    );
    const offsetPage = await reps(Math.min(o.reps, 5), async () => {
      await db.execute(sql`select 1`);
      await db.execute(sql`select count(*) from review_items where campaign_id = ${big.id}`);
      await db.execute(sql`select ri.*, c.name from review_items ri join campaigns c on c.id = ri.campaign_id where ri.campaign_id = ${big.id}
        order by c.due_at, ri.subject_name, ri.edge_kind, ri.target_name, ri.level, ri.id limit 100 offset 500000`);
    });
    const progress = await reps(Math.min(o.reps, 5), () => getCampaign(db, owner, big.id));

    const stat = (xs: number[]) => (xs.length ? { p50: percentile(xs, 50), p95: percentile(xs, 95), max: Math.max(...xs), n: xs.length } : null);
    const result = {
      suite: "campaigns",
      at: new Date().toISOString(),
      db: o.db,
      host: { cpus: os.cpus().length, memory: os.totalmem(), node: process.version },
      dataset: { items: o.items, reviewers: o.reviewers, people: gen.value.people, edges: gen.value.edges, generateMs: gen.ms },
      smallLaunchMs: smallRun.ms,
      launch: { ms: launch.ms, items: written!.n, chunks, rssBeforeBytes: rssBefore, peakRssBytes: peak, floorMs: floor.ms, ratio: launch.ms / floor.ms },
      during: { inbox: stat(during.inbox), progress: stat(during.progress), doneSamples: during.done.length },
      after: { inbox, inboxBare, items, later, itemsBare, offsetPage, progress },
      targets: TARGETS,
    };
    const f = (x: { p50: number; p95: number; max: number } | null) => (x ? `${formatMs(x.p50)} / ${formatMs(x.p95)} / ${formatMs(x.max)}` : "–");
    console.log(
      table(
        ["measure", "p50 / p95 / max", "baseline (p50)", "ratio"],
        [
          ["inbox first page during launch (50)", f(result.during.inbox), "", ""],
          ["campaign progress during launch", f(result.during.progress), "", ""],
          ["inbox first page after (50)", f(inbox), `bare keyset ${formatMs(inboxBare.p50)}`, (inbox.p50 / inboxBare.p50).toFixed(2)],
          ["campaign items first page (100)", f(items), `bare keyset ${formatMs(itemsBare.p50)}`, (items.p50 / itemsBare.p50).toFixed(2)],
          ["campaign items next page (cursor)", f(later), `offset+count ${formatMs(offsetPage.p50)}`, (later.p50 / offsetPage.p50).toFixed(3)],
          ["campaign progress after", f(progress), "", ""],
        ],
      ),
    );
    console.log(
      `launch ${formatMs(launch.ms)} vs floor INSERT…SELECT ${formatMs(floor.ms)}: ${result.launch.ratio.toFixed(1)}×; peak RSS ${(peak / 1024 ** 2).toFixed(0)} MB (before ${(rssBefore / 1024 ** 2).toFixed(0)} MB)`,
    );
    const dir = path.join(process.cwd(), "bench", "results");
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `campaigns-${result.at.replace(/[:.]/g, "-")}.json`);
    writeFileSync(file, JSON.stringify(result, null, 2));
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
    const ok =
      launch.ms < TARGETS.launchMs &&
      peak < TARGETS.rssBytes &&
      inbox.p95 < TARGETS.pageMs &&
      items.p95 < TARGETS.pageMs &&
      (result.during.inbox?.p95 ?? 0) < TARGETS.pageMs;
    return ok ? 0 : 1;
  } finally {
    await bench.drop({ keep: o.keepDb });
  }
}
