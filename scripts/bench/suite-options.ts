import { readFlags, wholeNumber } from "@/lib/bench/cli";
import { BENCH_SIZES, DEFAULT_SEED, type BenchSize } from "@/lib/bench/dataset";

export interface SuiteOptions {
  size: BenchSize;
  db: "pglite" | "postgres";
  url: string | undefined;
  reps: number;
  seed: number;
}

/**
 * The flags the issue-14 suites share (`--size --db --url --reps --seed`); PostgreSQL when BENCH_DATABASE_URL or
 * TEST_DATABASE_URL is set. A bad flag prints the suite's usage and exits 2.
 */
export function suiteOptions(argv: string[], usageText: string, defaults: { reps: number }): SuiteOptions {
  const usage = (message: string): never => {
    console.error(`${message}\n${usageText}`);
    process.exit(2);
  };
  const envUrl = process.env.BENCH_DATABASE_URL?.trim() || process.env.TEST_DATABASE_URL?.trim() || undefined;
  const o: SuiteOptions = { size: "S", db: envUrl ? "postgres" : "pglite", url: envUrl, reps: defaults.reps, seed: DEFAULT_SEED };
  readFlags(argv, (name, value) => {
    if (name === "--size") {
      const v = value()?.toUpperCase();
      if (!BENCH_SIZES.includes(v as BenchSize)) usage("--size must be S, M or L");
      o.size = v as BenchSize;
    } else if (name === "--db") {
      const v = value();
      if (v !== "pglite" && v !== "postgres") usage("--db must be pglite or postgres");
      o.db = v as "pglite" | "postgres";
    } else if (name === "--url") o.url = value();
    else if (name === "--reps") o.reps = wholeNumber("--reps", value(), usage);
    else if (name === "--seed") o.seed = wholeNumber("--seed", value(), usage, 0);
    else usage(`unknown flag ${name}`);
  });
  return o;
}
