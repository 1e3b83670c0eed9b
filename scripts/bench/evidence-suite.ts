/**
 * The evidence export benchmark of issue 18 (`npm run bench -- --suite evidence`):
 * a campaign of N items (default 1,000,000) inserted straight by SQL (no
 * launch: lib/evidence/synthetic-items.ts), exported as it would be for
 * GET /api/v1/campaigns/{id}/evidence — format=csv (the items) and format=zip
 * (the whole package: items.csv, the other CSV files, summary JSON and PDF,
 * manifest last) — each written to a file, timed, with the process's peak RSS
 * sampled every 20 ms. Beside them the floor: the same rows, same columns, same
 * order, read through the same cursor and driver and thrown away (a plain
 * SELECT to /dev/null), and PostgreSQL's own COPY of that query through psql
 * to /dev/null. Every figure is also a ratio to the cursor floor. The zip is
 * then verified (streamed) and its items.csv row count checked.
 *
 *   npm run bench -- --suite evidence [--items N] [--chunk N] [--url postgres://…] [--keep-db]
 *
 * PostgreSQL only (BENCH_DATABASE_URL or TEST_DATABASE_URL, or --url). Writes
 * bench/results/evidence-<timestamp>.json. See docs/BENCHMARKS.md.
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { once } from "node:events";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { systemActor } from "@/lib/authz/actor";
import { createBenchDatabase } from "@/lib/bench/bench-db";
import { readFlags, wholeNumber } from "@/lib/bench/cli";
import { writeCampaignEvidence } from "@/lib/evidence/campaign-evidence";
import { cursorChunks, ITEM_COLUMNS, ITEM_ORDER } from "@/lib/evidence/campaign-stream";
import { insertSyntheticItems } from "@/lib/evidence/synthetic-items";
import { verifyPackageStream } from "@/lib/evidence/verify-package";
import { fileSource, readZipDirectory, entryData, type ByteSink } from "@/lib/evidence/zip-stream";

const USAGE = "usage: npm run bench -- --suite evidence [--items N] [--chunk N] [--url postgres://…] [--keep-db]";
const log = (m: string) => console.log(m);
const mb = (b: number) => Math.round(b / 1024 / 1024);
const fmt = (n: number) => Math.round(n).toLocaleString("en");

/** Samples RSS and heap every 20 ms while `f` runs. */
async function measured<T>(f: () => Promise<T>): Promise<{ ms: number; cpuMs: number; peakRss: number; peakHeap: number; startRss: number; out: T }> {
  const cpu = process.cpuUsage();
  const startRss = process.memoryUsage().rss;
  let peakRss = startRss;
  let peakHeap = process.memoryUsage().heapUsed;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 20);
  const s = performance.now();
  try {
    const out = await f();
    const used = process.cpuUsage(cpu);
    return { ms: performance.now() - s, cpuMs: (used.user + used.system) / 1000, peakRss, peakHeap, startRss, out };
  } finally {
    clearInterval(timer);
  }
}

function fileSink(file: string): { sink: ByteSink; close: () => Promise<void> } {
  const ws = createWriteStream(file);
  return {
    sink: { write: (b) => (ws.write(b) ? undefined : once(ws, "drain").then(() => undefined)) },
    close: () => new Promise<void>((r) => ws.end(r)),
  };
}

export async function runEvidenceSuite(argv: string[]): Promise<number> {
  const o = { items: 1_000_000, chunk: 1000, url: process.env.BENCH_DATABASE_URL?.trim() || process.env.TEST_DATABASE_URL?.trim() || undefined, keep: false };
  const usage = (m: string): never => {
    console.error(`${m}\n${USAGE}`);
    process.exit(2);
  };
  readFlags(argv, (name, value) => {
    if (name === "--items") o.items = wholeNumber("--items", value(), usage);
    else if (name === "--chunk") o.chunk = wholeNumber("--chunk", value(), usage);
    else if (name === "--url") o.url = value();
    else if (name === "--keep-db") o.keep = true;
    else usage(`unknown flag ${name}`);
  });
  if (!o.url) usage("the evidence benchmark runs on PostgreSQL: set BENCH_DATABASE_URL or TEST_DATABASE_URL, or pass --url");
  const load = os.loadavg().map((x) => Math.round(x * 100) / 100);
  log(`evidence export benchmark: ${fmt(o.items)} items, chunk ${o.chunk}; load average ${load.join(" / ")} on ${os.cpus().length} cores`);
  const bench = await createBenchDatabase("postgres", o.url);
  const dir = mkdtempSync(path.join(os.tmpdir(), "attest-bench-evidence-"));
  try {
    const db = bench.database.db;
    await db.execute(sql`insert into app_users (id, email, name) values ('usr_bench_rev', 'reviewer@bench.test', 'Bench Reviewer'),
      ('usr_bench_del', 'delegate@bench.test', 'Bench Delegate')`);
    const campaignId = "cmp_bench_evidence";
    await db.execute(sql`insert into campaigns (id, name, control, status, scope, reviewer_strategy, owner_id, due_at, launched_at, launched_by)
      values (${campaignId}, 'Quarterly access review (bench)', 'SOC 2 CC6.3', 'active', '{"edgeKinds":["member_of"]}'::jsonb, '"target_owner"'::jsonb,
              'usr_bench_rev', '2026-03-01T00:00:00Z', '2026-01-15T00:00:00Z', 'bench')`);
    const ins = await measured(() => insertSyntheticItems(db, campaignId, o.items, { reviewerId: "usr_bench_rev", delegateId: "usr_bench_del", tag: "b" }));
    await db.execute(sql`analyze review_items`);
    await db.execute(sql`analyze review_decisions`);
    log(`  inserted ${fmt(o.items)} items (a fifth decided, 1% delegated) by SQL in ${(ins.ms / 1000).toFixed(1)} s`);

    const actor = systemActor("bench");
    // Floor 1: the same query through the same cursor and driver, rows thrown away.
    const floor = await measured(() =>
      db.transaction(
        async (tx) => {
          await tx.execute(sql`set local cursor_tuple_fraction = 1`);
          await tx.execute(sql`set local work_mem = '64MB'`);
          let n = 0;
          for await (const chunk of cursorChunks<Record<string, unknown>>(
            tx,
            "floor",
            sql`select ${ITEM_COLUMNS} from review_items i where i.campaign_id = ${campaignId} order by ${ITEM_ORDER}`,
            { chunkSize: o.chunk },
          ))
            n += chunk.length;
          return n;
        },
        { isolationLevel: "repeatable read", accessMode: "read only" },
      ),
    );
    if (floor.out !== o.items) throw new Error(`floor read ${floor.out} rows, expected ${o.items}`);
    // Floor 2: PostgreSQL's COPY of the same query, through psql, to /dev/null.
    const dbUrl = new URL(o.url!);
    dbUrl.pathname = `/${bench.name}`;
    const copyStart = performance.now();
    const copy = spawnSync(
      "psql",
      [
        dbUrl.toString(),
        "-q",
        "-c",
        `\\copy (select i.* from review_items i where i.campaign_id = '${campaignId}' order by i.subject_name, i.edge_kind, i.target_name, i.level, i.id) to '/dev/null' with (format csv)`,
      ],
      { encoding: "utf8" },
    );
    const copyMs = performance.now() - copyStart;
    const copyOk = copy.status === 0;
    if (!copyOk) log(`  (psql COPY floor unavailable: ${copy.stderr.trim().slice(0, 200)})`);

    const csvFile = path.join(dir, "items.csv");
    const csv = await measured(async () => {
      const f = fileSink(csvFile);
      await writeCampaignEvidence(db, actor, campaignId, "csv", f.sink, new Date(), { chunkSize: o.chunk });
      await f.close();
    });
    const zipFile = path.join(dir, "evidence.zip");
    const zip = await measured(async () => {
      const f = fileSink(zipFile);
      await writeCampaignEvidence(db, actor, campaignId, "zip", f.sink, new Date(), { chunkSize: o.chunk });
      await f.close();
    });
    const verify = await measured(async () => {
      const src = await fileSource(zipFile);
      try {
        const v = await verifyPackageStream(src);
        const items = (await readZipDirectory(src)).find((e) => e.name === "items.csv")!;
        let lines = 0;
        for await (const c of entryData(src, items)) for (let k = 0; k < c.byteLength; k++) if (c[k] === 10) lines++;
        return { ok: v.ok, problems: v.problems, itemsLines: lines, itemsBytes: items.usize };
      } finally {
        await src.close();
      }
    });
    // items.csv rows end in CRLF; a cell may hold a newline, but the synthetic ones do not: header + one line per item.
    if (!verify.out.ok || verify.out.itemsLines !== o.items + 1) throw new Error(`the zip did not verify: ${JSON.stringify(verify.out).slice(0, 500)}`);

    const rate = (ms: number) => o.items / (ms / 1000);
    const rows_ = [
      ["cursor SELECT, rows discarded (floor)", floor.ms, floor.cpuMs, floor.peakRss, floor.peakHeap],
      ...(copyOk ? [["psql \\copy of the query to /dev/null", copyMs, NaN, NaN, NaN] as const] : []),
      ["format=csv (items.csv) to a file", csv.ms, csv.cpuMs, csv.peakRss, csv.peakHeap],
      ["format=zip (whole package) to a file", zip.ms, zip.cpuMs, zip.peakRss, zip.peakHeap],
      ["evidence:verify of that zip (streamed)", verify.ms, verify.cpuMs, verify.peakRss, verify.peakHeap],
    ] as const;
    const opt = (v: number, f: (x: number) => string) => (Number.isNaN(v) ? "—" : f(v));
    log("");
    log(`| step | time | items/s | × floor time | Node CPU | peak RSS | peak heap |`);
    log(`|---|---:|---:|---:|---:|---:|---:|`);
    for (const [name, ms, cpuMs, rss, heap] of rows_)
      log(
        `| ${name} | ${(ms / 1000).toFixed(1)} s | ${fmt(rate(ms))} | ${(ms / floor.ms).toFixed(2)} | ${opt(cpuMs, (x) => `${(x / 1000).toFixed(1)} s`)} | ${opt(rss, (x) => `${mb(x)} MB`)} | ${opt(heap, (x) => `${mb(x)} MB`)} |`,
      );
    const zipBytes = statSync(zipFile).size;
    log("");
    log(`  items.csv ${mb(verify.out.itemsBytes)} MB uncompressed; the package ${mb(zipBytes)} MB; RSS before the exports ${mb(csv.startRss)} MB`);
    log(`  target ≥ 50,000 items/s: csv ${rate(csv.ms) >= 50_000 ? "met" : "NOT met"}, zip ${rate(zip.ms) >= 50_000 ? "met" : "NOT met"}`);
    const out = {
      suite: "evidence",
      at: new Date().toISOString(),
      items: o.items,
      chunk: o.chunk,
      loadAverage: load,
      cores: os.cpus().length,
      insertMs: ins.ms,
      floor: { ms: floor.ms, cpuMs: floor.cpuMs, itemsPerSecond: rate(floor.ms), peakRssMb: mb(floor.peakRss) },
      psqlCopy: copyOk ? { ms: copyMs, itemsPerSecond: rate(copyMs) } : null,
      csv: {
        ms: csv.ms,
        cpuMs: csv.cpuMs,
        itemsPerSecond: rate(csv.ms),
        peakRssMb: mb(csv.peakRss),
        peakHeapMb: mb(csv.peakHeap),
        ratioToFloor: csv.ms / floor.ms,
      },
      zip: {
        ms: zip.ms,
        itemsPerSecond: rate(zip.ms),
        peakRssMb: mb(zip.peakRss),
        peakHeapMb: mb(zip.peakHeap),
        ratioToFloor: zip.ms / floor.ms,
        bytes: zipBytes,
      },
      verify: { ms: verify.ms, peakRssMb: mb(verify.peakRss), itemsCsvBytes: verify.out.itemsBytes },
    };
    mkdirSync("bench/results", { recursive: true });
    const file = path.join("bench/results", `evidence-${out.at.replace(/[:.]/g, "-")}.json`);
    writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
    log(`  wrote ${file}`);
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await bench.drop({ keep: o.keep });
  }
}
