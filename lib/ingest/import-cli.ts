import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { DatabaseInUseError, databaseUrlFromEnv, openDatabase, resolveDataDir, type Database } from "@/db/client";
import { migrate } from "@/db/migrate";
import { systemActor } from "@/lib/authz/actor";
import { readFlags } from "@/lib/format/cli-flags";
import { lines } from "./body-stream";
import { SOURCE_NAME_RE } from "./graph-document";
import { decodeCsv, decodeGraphDocument, decodeJsonl, type DecodedImport } from "./import-items";
import { importProgress, recordRefusedImport, runImport, type ImportRecord } from "./run-import";
import type { ErrorDetail } from "@/lib/errors";

export const IMPORT_USAGE =
  "usage: npm run import -- FILE [--source NAME] [--mode full|incremental] [--format jsonl|graph|csv] [--allow-partial]\n" +
  "  against DATABASE_URL (PostgreSQL), else the embedded database in ATTEST_DATA_DIR (default .data; not while the server runs on it)";

export interface ImportCliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** The database to use; by default DATABASE_URL, else the embedded one in ATTEST_DATA_DIR (tests pass their own). */
  open?: () => Promise<Database>;
  /** How often progress is printed (ms); 0 turns it off. */
  progressEveryMs?: number;
}

type CliFormat = "jsonl" | "graph" | "csv";
interface CliOptions {
  file: string;
  source?: string;
  mode?: "full" | "incremental";
  format: CliFormat;
  allowPartial: boolean;
}

/** The arguments, or the problem that makes them unusable (exit 2). */
export function parseImportArgs(argv: readonly string[]): CliOptions | { problem: string } {
  const files: string[] = [];
  let source: string | undefined;
  let mode: CliOptions["mode"];
  let format: CliFormat | undefined;
  let allowPartial = false;
  let problem: string | undefined;
  const fail = (m: string) => (problem ??= m);
  readFlags(argv, (name, value, flag) => {
    if (!name.startsWith("--")) files.push(flag);
    else if (name === "--source") {
      const v = value();
      if (!v || !SOURCE_NAME_RE.test(v)) fail("--source must be 1-100 letters, digits, dot, dash or underscore");
      else source = v;
    } else if (name === "--mode") {
      const v = value();
      if (v !== "full" && v !== "incremental") fail("--mode must be full or incremental");
      else mode = v;
    } else if (name === "--format") {
      const v = value();
      if (v !== "jsonl" && v !== "graph" && v !== "csv") fail("--format must be jsonl, graph or csv");
      else format = v;
    } else if (name === "--allow-partial") allowPartial = true;
    else fail(`unknown option ${name}`);
  });
  if (problem) return { problem };
  if (files.length !== 1) return { problem: files.length ? "give one file" : "the file to import is missing" };
  const file = files[0]!;
  format ??= /\.(jsonl|ndjson)$/i.test(file) ? "jsonl" : /\.csv$/i.test(file) ? "csv" : /\.json$/i.test(file) ? "graph" : undefined;
  if (!format) return { problem: "cannot tell the format from the file name: give --format jsonl, graph or csv" };
  if (format === "csv" && !source) return { problem: "--format csv needs --source NAME (where the data comes from)" };
  return { file, format, allowPartial, ...(source ? { source } : {}), ...(mode ? { mode } : {}) };
}

async function* fileChunks(file: string): AsyncGenerator<Uint8Array> {
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) yield chunk as Buffer;
}

async function readWhole(file: string): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of createReadStream(file)) parts.push(c as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

/** Decodes the file the way POST /api/v1/imports decodes a body of that type; JSONL streams from disk, line by line. */
async function decode(o: CliOptions): Promise<DecodedImport | { errors: ErrorDetail[] }> {
  if (o.format === "jsonl") {
    const d = await decodeJsonl(lines(fileChunks(o.file)));
    if ("errors" in d) return d;
    if (o.source && o.source !== d.source)
      return { errors: [{ path: "source", message: "the file's header names another source: leave out --source or make them agree" }] };
    return o.mode ? { ...d, mode: o.mode } : d;
  }
  if (o.format === "csv") return { source: o.source!, mode: o.mode ?? "full", items: decodeCsv({ nodes: await readWhole(o.file) }) };
  let value: unknown;
  try {
    value = JSON.parse(await readWhole(o.file));
  } catch {
    return { errors: [{ path: "file", message: "is not valid JSON" }] };
  }
  const d = decodeGraphDocument(value);
  if ("errors" in d) return d;
  return o.mode ? { ...d, mode: o.mode } : d;
}

/**
 * `npm run import -- FILE`: one import through the same path as POST /api/v1/imports (runImport: validated,
 * all-or-nothing, audited as import.apply), by the system actor "cli-import", streaming a JSONL file from disk so a
 * file of any size is read in bounded memory. Exits 0 when applied, 1 when refused (the located problems are printed,
 * never the values) or when it could not run, 2 on bad usage.
 */
export async function runImportCli(argv: readonly string[], io: ImportCliIo): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.out(IMPORT_USAGE);
    return 0;
  }
  const o = parseImportArgs(argv);
  if ("problem" in o) {
    io.err(`${o.problem}\n${IMPORT_USAGE}`);
    return 2;
  }
  let bytes: number;
  try {
    const s = await stat(o.file);
    if (!s.isFile()) throw new Error("not a file");
    bytes = s.size;
  } catch {
    io.err(`cannot read ${o.file}\n${IMPORT_USAGE}`);
    return 2;
  }
  let database: Database;
  try {
    database = io.open
      ? await io.open()
      : await (async () => {
          const url = databaseUrlFromEnv();
          const d = await openDatabase(url ? { url } : { dataDir: resolveDataDir() });
          await migrate(d);
          return d;
        })();
  } catch (e) {
    io.err(e instanceof DatabaseInUseError ? e.message : `cannot open the database: ${(e as Error).message}`);
    return 1;
  }
  const started = performance.now();
  const timer =
    io.progressEveryMs === 0
      ? undefined
      : setInterval(() => {
          for (const p of importProgress.values())
            io.out(`  ${p.phase}: ${p.processed.toLocaleString("en-US")} records, ${((performance.now() - started) / 1000).toFixed(0)} s`);
        }, io.progressEveryMs ?? 10_000);
  try {
    const actor = systemActor("cli-import");
    const opts = { format: o.format, allowPartial: o.allowPartial, fileName: path.basename(o.file), bytes };
    io.out(
      `importing ${o.file} (${(bytes / 2 ** 20).toFixed(1)} MB, ${o.format}) into ${database.kind === "postgres" ? "PostgreSQL" : "the embedded database"}`,
    );
    const decoded = await decode(o);
    const record =
      "errors" in decoded
        ? await recordRefusedImport(database.db, actor, opts, decoded.errors, o.source ?? null)
        : await runImport(database.db, actor, decoded, opts);
    report(record, (performance.now() - started) / 1000, io);
    return record.status === "succeeded" ? 0 : 1;
  } finally {
    if (timer) clearInterval(timer);
    await database.close();
  }
}

function report(r: ImportRecord, seconds: number, io: ImportCliIo): void {
  if (r.status === "succeeded") {
    const c = (r.counts ?? {}) as Record<string, number>;
    const parts = Object.entries(c).map(([k, v]) => `${k} ${Number(v).toLocaleString("en-US")}`);
    io.out(`import ${r.id} applied in ${seconds.toFixed(1)} s: ${(r.recordsTotal ?? 0).toLocaleString("en-US")} records`);
    if (parts.length) io.out(`  ${parts.join(", ")}`);
    if (r.recordsRejected) io.out(`  ${r.recordsRejected.toLocaleString("en-US")} records rejected (--allow-partial):`);
    for (const e of r.errors ?? []) io.out(`    ${e.path}: ${e.message}`);
    return;
  }
  io.err(
    r.status === "failed"
      ? `import ${r.id} failed on our side and was rolled back; nothing was written`
      : `import ${r.id} was refused: ${r.errorCount} problem${r.errorCount === 1 ? "" : "s"}; nothing was written`,
  );
  for (const e of r.errors ?? []) io.err(`  ${e.path}: ${e.message}`);
  if ((r.errorCount ?? 0) > (r.errors?.length ?? 0)) io.err(`  … and ${(r.errorCount ?? 0) - (r.errors?.length ?? 0)} more`);
}
