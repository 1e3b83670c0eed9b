/**
 * Loads a generated dataset into a new, named PostgreSQL database (issue #19: the L database the other L steps
 * reuse with `npm run bench -- --suite scale --reuse-db NAME`). Creates NAME beside the admin URL, migrates, writes
 * the dataset with bulkLoad (bypassing the import engine), VACUUM ANALYZE. Prints each phase's time and the peak RSS.
 *
 *   tsx scripts/bench/load-db.ts --size S|M|L --name attest_x [--url postgres://…] [--seed N]
 */
import { Client } from "pg";
import { openDatabase } from "@/db/client";
import { migrate } from "@/db/migrate";
import { readFlags, wholeNumber } from "@/lib/bench/cli";
import { BENCH_SIZES, DEFAULT_SEED, datasetStats, generateDataset, type BenchSize } from "@/lib/bench/dataset";
import { analyzeGraph, bulkLoad } from "@/lib/bench/load";

const USAGE = "usage: tsx scripts/bench/load-db.ts --size S|M|L --name NAME [--url postgres://…] [--seed N]";

async function main(): Promise<number> {
  const usage = (m: string): never => {
    console.error(`${m}\n${USAGE}`);
    process.exit(2);
  };
  let size: BenchSize | undefined;
  let name: string | undefined;
  let url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  let seed = DEFAULT_SEED;
  readFlags(process.argv.slice(2), (n, value, flag) => {
    if (n === "--size") {
      const v = (value() ?? "").toUpperCase();
      if (!BENCH_SIZES.includes(v as BenchSize)) usage("--size must be S, M or L");
      size = v as BenchSize;
    } else if (n === "--name") {
      const v = value() ?? "";
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(v)) usage("--name must be a lower-case SQL identifier");
      name = v;
    } else if (n === "--url") url = value() ?? usage("--url needs a value");
    else if (n === "--seed") seed = wholeNumber(flag, value(), usage, 0);
    else usage(`unknown flag ${flag}`);
  });
  if (!size || !name) return usage("--size and --name are required");
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
  const mb = (b: number) => `${Math.round(b / 2 ** 20)} MB`;
  const t = () => performance.now();
  const admin = new Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  const database = await openDatabase({ url: target.toString() });
  try {
    await migrate(database);
    const t0 = t();
    const ds = generateDataset(size, seed, "bench");
    const st = datasetStats(ds);
    const t1 = t();
    console.log(`generated ${size}: ${st.nodes} nodes, ${st.edges} edges in ${((t1 - t0) / 1000).toFixed(1)} s (rss ${mb(process.memoryUsage().rss)})`);
    let last = 0;
    const r = await bulkLoad(database.db, ds, {
      onProgress(done, total) {
        if (done - last >= 500_000 || done === total) {
          last = done;
          console.log(`  ${done}/${total} rows, ${((t() - t1) / 1000).toFixed(0)} s, rss ${mb(process.memoryUsage().rss)}`);
        }
      },
    });
    const t2 = t();
    console.log(`bulkLoad: ${r.nodes} nodes in ${(r.nodeMs / 1000).toFixed(1)} s, ${r.edges} edges in ${(r.edgeMs / 1000).toFixed(1)} s`);
    await analyzeGraph(database.db);
    const t3 = t();
    console.log(`vacuum analyze: ${((t3 - t2) / 1000).toFixed(1)} s; total ${((t3 - t0) / 1000).toFixed(1)} s; peak rss ${mb(peak)}`);
  } finally {
    clearInterval(sampler);
    await database.close();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
