/**
 * The connectors benchmark of issue 17 (`npm run bench -- --suite connectors`): on a generated organisation
 * (its people carry e-mail addresses), loaded into a fresh database, with a GitHub-typed source holding an account
 * for every second person and an Okta-typed source for every third (same addresses),
 *  1. identity linking — planning the links (every current person read, keys grouped, clusters made) beside the
 *     floor of that work, a bare read of every person's id and address, run in turns on the same database; then the
 *     first refresh (writes the links through the import engine) and a second one (nothing changed: writes nothing);
 *  2. offline conversion — for each connector with a registered driver, its offline format converted and imported
 *     from a bundle built here in the vendor's documented shape, beside importing the same graph as a plain graph
 *     document (the conversion's overhead as a ratio).
 *
 *   npm run bench -- --suite connectors [--size S,M] [--db pglite|postgres] [--url postgres://…] [--reps N] [--seed N] [--keep-db]
 *
 * Writes bench/results/connectors-<timestamp>.json. See docs/BENCHMARKS.md.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rows } from "@/db/rows";
import { systemActor } from "@/lib/authz/actor";
import { createBenchDatabase } from "@/lib/bench/bench-db";
import { readFlags, wholeNumber } from "@/lib/bench/cli";
import { BENCH_SIZES, DEFAULT_SEED, datasetStats, generateDataset, type BenchSize } from "@/lib/bench/dataset";
import { analyzeGraph, bulkLoad } from "@/lib/bench/load";
import { percentile, table } from "@/lib/bench/stats";
import { planLinks, refreshIdentityLinks } from "@/lib/connectors/linking";
import type { GraphDocument } from "@/lib/ingest/graph-document";
import { decodeConverted } from "@/lib/ingest/import-items";
import { runImport, type ImportFormat } from "@/lib/ingest/run-import";
import { syntheticBundles } from "./connector-bundles";

const USAGE = `usage: npm run bench -- --suite connectors [--size S,M] [--db pglite|postgres] [--url postgres://…] [--reps N] [--seed N] [--keep-db]`;

interface Options {
  sizes: BenchSize[];
  db: "pglite" | "postgres";
  url: string | undefined;
  reps: number;
  seed: number;
  keepDb: boolean;
}

function parseArgs(argv: string[]): Options {
  const usage = (message: string): never => {
    console.error(`${message}\n${USAGE}`);
    process.exit(2);
  };
  const envUrl = process.env.BENCH_DATABASE_URL?.trim() || process.env.TEST_DATABASE_URL?.trim() || undefined;
  const o: Options = { sizes: ["S"], db: envUrl ? "postgres" : "pglite", url: envUrl, reps: 7, seed: DEFAULT_SEED, keepDb: false };
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
    } else if (name === "--url") o.url = value();
    else if (name === "--reps") o.reps = wholeNumber(name, value(), usage, 3);
    else if (name === "--seed") o.seed = wholeNumber(name, value(), usage, 0);
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
const loadAvg = () => os.loadavg().map((x) => Math.round(x * 100) / 100);
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

async function timed<T>(f: () => Promise<T>): Promise<[number, T]> {
  const s = performance.now();
  const r = await f();
  return [performance.now() - s, r];
}

/** Calls run in turns, so the measured call and its baseline share the machine's load; p50 of each. */
async function inTurns(calls: { name: string; run: () => Promise<unknown> }[], reps: number): Promise<Record<string, number>> {
  for (const c of calls) await c.run();
  const ms = new Map<string, number[]>(calls.map((c) => [c.name, []]));
  for (let r = 0; r < reps; r++) for (const c of calls) ms.get(c.name)!.push((await timed(c.run))[0]);
  return Object.fromEntries(
    [...ms].map(([k, v]) => [
      k,
      percentile(
        [...v].sort((a, b) => a - b),
        50,
      ),
    ]),
  );
}

/** Accounts in a second and third system for some of the generated people (same addresses), as their connectors write them. */
function accountSources(people: { email: string; name: string }[]): { doc: GraphDocument; format: ImportFormat }[] {
  const gh = people.filter((_, i) => i % 2 === 0);
  const okta = people.filter((_, i) => i % 3 === 0);
  return [
    {
      format: "github-rest",
      doc: {
        source: "bench-github",
        mode: "full",
        nodes: gh.map((p, i) => ({ kind: "human", externalId: `gh-${i}`, name: `gh-${i}`, attributes: { login: `gh-${i}`, email: p.email } })),
        edges: [],
      },
    },
    {
      format: "okta-api",
      doc: {
        source: "bench-okta",
        mode: "full",
        nodes: okta.map((p, i) => ({ kind: "human", externalId: `okta-${i}`, name: p.name, attributes: { login: p.email, email: p.email } })),
        edges: [],
      },
    },
  ];
}

interface SizeResult {
  size: BenchSize;
  people: number;
  accounts: number;
  linking: { planMs: number; floorMs: number; ratio: number; firstRefreshMs: number; unchangedRefreshMs: number; links: number; persons: number };
  offline: { format: string; records: number; convertAndImportMs: number; plainImportMs: number; ratio: number }[];
}

async function runSize(o: Options, size: BenchSize): Promise<SizeResult> {
  const bench = await createBenchDatabase(o.db, o.url);
  const db: Db = bench.database.db;
  try {
    const ds = generateDataset(size, o.seed, "bench");
    const stats = datasetStats(ds);
    log(`\n━━ ${size}: ${stats.nodes.toLocaleString("en-US")} nodes, ${stats.edges.toLocaleString("en-US")} edges`);
    await bulkLoad(db, ds);
    await analyzeGraph(db);
    const people = await rows<{ email: string; name: string }>(
      db,
      sql`select attributes->>'email' as email, name from nodes where kind = 'human' and valid_to is null and attributes ? 'email' order by id`,
    );
    const actor = systemActor("bench");
    let accounts = 0;
    for (const { doc, format } of accountSources(people)) {
      const r = await runImport(db, actor, decodeConverted(doc), { format });
      if (r.status !== "succeeded") throw new Error(`loading ${doc.source} failed: ${JSON.stringify(r.errors.slice(0, 3))}`);
      accounts += doc.nodes.length;
    }
    await analyzeGraph(db);
    log(`people ${people.length.toLocaleString("en-US")}, accounts in two more systems ${accounts.toLocaleString("en-US")}`);

    const turns = await inTurns(
      [
        { name: "planLinks", run: () => planLinks(db) },
        {
          name: "floor: read every person's id and address",
          run: () =>
            rows(
              db,
              sql`select n.id, n.attributes->>'email', n.attributes->>'upn', n.attributes->>'login', s.type from nodes n join sources s on s.id = n.source_id where n.kind = 'human' and n.valid_to is null`,
            ),
        },
      ],
      o.reps,
    );
    const [firstRefreshMs, first] = await timed(() => refreshIdentityLinks(db));
    const [unchangedRefreshMs, second] = await timed(() => refreshIdentityLinks(db));
    if (first.import?.status !== "succeeded") throw new Error("the first refresh did not write its links");
    if (second.import !== null) throw new Error("an unchanged refresh wrote an import");
    const linking = {
      planMs: turns.planLinks!,
      floorMs: turns["floor: read every person's id and address"]!,
      ratio: turns.planLinks! / turns["floor: read every person's id and address"]!,
      firstRefreshMs,
      unchangedRefreshMs,
      links: first.plan.edges.length,
      persons: first.plan.persons,
    };

    const offline: SizeResult["offline"] = [];
    for (const b of await syntheticBundles(people.slice(0, Math.min(people.length, 20_000)))) {
      // The plain import of what the converter makes is the baseline; both write into fresh sources.
      const [convertAndImportMs, converted] = await timed(async () => {
        const r = b.convert(`${b.format}-offline`);
        if (!r.ok) throw new Error(`${b.format}: ${JSON.stringify(r.errors.slice(0, 3))}`);
        const rec = await runImport(db, actor, decodeConverted(r.document), { format: b.format as ImportFormat });
        if (rec.status !== "succeeded") throw new Error(`${b.format} import: ${JSON.stringify(rec.errors.slice(0, 3))}`);
        return r.document;
      });
      const plain: GraphDocument = { ...converted, source: `${b.format}-plain` };
      const [plainImportMs] = await timed(() => runImport(db, actor, decodeConverted(plain), { format: "graph" }));
      offline.push({
        format: b.format,
        records: converted.nodes.length + converted.edges.length,
        convertAndImportMs,
        plainImportMs,
        ratio: convertAndImportMs / plainImportMs,
      });
    }
    return { size, people: people.length, accounts, linking, offline };
  } finally {
    await bench.drop({ keep: o.keepDb });
  }
}

export async function runConnectorsSuite(argv: string[]): Promise<number> {
  const o = parseArgs(argv);
  const started = new Date();
  const results: SizeResult[] = [];
  const before = loadAvg();
  for (const size of o.sizes) results.push(await runSize(o, size));
  const after = loadAvg();
  log(`\nIdentity linking (${o.db}; p50 of ${o.reps} in turns; load ${before.join("/")} → ${after.join("/")})`);
  log(
    table(
      ["size", "people", "accounts", "plan", "floor", "plan ÷ floor", "first refresh (writes)", "unchanged refresh", "links"],
      results.map((r) => [
        r.size,
        String(r.people),
        String(r.accounts),
        fmt(r.linking.planMs),
        fmt(r.linking.floorMs),
        `${r.linking.ratio.toFixed(2)}×`,
        fmt(r.linking.firstRefreshMs),
        fmt(r.linking.unchangedRefreshMs),
        String(r.linking.links),
      ]),
    ),
  );
  const off = results.flatMap((r) => r.offline.map((x) => ({ ...x, size: r.size })));
  if (off.length) {
    log(`\nOffline formats: convert + import beside a plain import of the same graph`);
    log(
      table(
        ["size", "format", "records", "convert + import", "plain import", "ratio"],
        off.map((x) => [x.size, x.format, String(x.records), fmt(x.convertAndImportMs), fmt(x.plainImportMs), `${x.ratio.toFixed(2)}×`]),
      ),
    );
  }
  const dir = path.join(process.cwd(), "bench", "results");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `connectors-${started.toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      { suite: "connectors", startedAt: started.toISOString(), options: { ...o, url: o.url ? "(set)" : undefined }, load: { before, after }, results },
      null,
      2,
    ),
  );
  log(`\nwrote ${path.relative(process.cwd(), file)}`);
  return 0;
}
