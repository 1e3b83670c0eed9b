/**
 * The synthetic-organisation generator (issue #4): writes an Attest JSONL
 * import file, deterministically from the size and seed.
 *
 *   npm run gen -- --size S|M|L --out FILE.jsonl [--seed N] [--source NAME] [--mode full|incremental]
 *
 * S ≈ 10k nodes / 50k edges, M ≈ 100k / 1M, L ≈ 1M / 10M (L needs ~3 GB of
 * heap; the npm script raises Node's limit). The file imports as is:
 * `curl --data-binary @FILE.jsonl -H 'Content-Type: application/x-ndjson' …/api/v1/imports`.
 * See lib/bench/dataset.ts for the shape and docs/BENCHMARKS.md for the sizes.
 */
import { BENCH_SIZES, DEFAULT_SEED, datasetStats, generateDataset, type BenchSize } from "@/lib/bench/dataset";
import { readFlags } from "@/lib/bench/cli";
import { writeDatasetJsonl } from "@/lib/bench/jsonl";
import { SOURCE_NAME_RE } from "@/lib/ingest/graph-document";

const USAGE = "usage: npm run gen -- --size S|M|L --out FILE.jsonl [--seed N] [--source NAME] [--mode full|incremental]";

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

async function main() {
  const argv = process.argv.slice(2);
  let size: BenchSize | undefined;
  let out: string | undefined;
  let seed = DEFAULT_SEED;
  let source = "synthetic-org";
  let mode: "full" | "incremental" = "full";
  readFlags(argv, (name, read, flag) => {
    const value = () => read() ?? fail(`${name} needs a value`);
    switch (name) {
      case "--size": {
        const v = value().toUpperCase();
        if (!BENCH_SIZES.includes(v as BenchSize)) fail("--size must be S, M or L");
        size = v as BenchSize;
        break;
      }
      case "--out":
        out = value();
        break;
      case "--seed": {
        const v = value();
        if (!/^\d+$/.test(v)) fail("--seed must be a whole number");
        seed = Number(v);
        break;
      }
      case "--source":
        source = value();
        if (!SOURCE_NAME_RE.test(source)) fail("--source must be 1-100 letters, digits, dot, dash or underscore");
        break;
      case "--mode": {
        const v = value();
        if (v !== "full" && v !== "incremental") fail("--mode must be full or incremental");
        mode = v;
        break;
      }
      case "--help":
      case "-h":
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        fail(`unknown option ${flag}`);
    }
  });
  if (!size) fail("--size is required");
  if (!out) fail("--out is required");
  const t0 = performance.now();
  const ds = generateDataset(size, seed, source);
  const stats = datasetStats(ds);
  const t1 = performance.now();
  const written = await writeDatasetJsonl(ds, out, source, mode);
  const t2 = performance.now();
  const n = (x: number) => x.toLocaleString("en-US");
  console.error(
    `${size} (seed ${seed}): ${n(stats.nodes)} nodes, ${n(stats.edges)} edges (${n(stats.accessEdges)} access) generated in ${((t1 - t0) / 1000).toFixed(1)} s; ` +
      `${out}: ${(written.bytes / 2 ** 20).toFixed(1)} MB written in ${((t2 - t1) / 1000).toFixed(1)} s`,
  );
  console.error(
    `  nodes: ${Object.entries(stats.byNodeKind)
      .map(([k, v]) => `${k} ${n(v ?? 0)}`)
      .join(", ")}`,
  );
  console.error(
    `  edges: ${Object.entries(stats.byEdgeKind)
      .map(([k, v]) => `${k} ${n(v ?? 0)}`)
      .join(", ")}`,
  );
}

main().catch((e: Error) => {
  console.error(`gen failed: ${e.stack ?? e.message}`);
  process.exit(1);
});
