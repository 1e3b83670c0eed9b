import { existsSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { DatabaseInUseError, openDatabase, type Database } from "@/db/client";
import { verifyAuditChain, type ChainVerification } from "./emit-audit";

/**
 * `npm run audit:verify`: recomputes the audit chain and exits 0 (intact), 1
 * (broken, or the anchor is gone) or 2 (could not verify).
 *
 * Where it reads the chain from, in this order:
 *   1. a running Attest, through GET /api/v1/audit/verify, when --url or ATTEST_URL is given
 *      (token: --token, ATTEST_TOKEN or ATTEST_BOOTSTRAP_TOKEN; it needs audit.read);
 *   2. PostgreSQL directly, when DATABASE_URL is set;
 *   3. the embedded PGlite folder (ATTEST_DATA_DIR, default .data) directly, when no
 *      server holds it. PGlite can be opened by one process only: when the server
 *      has it, this says so and how to ask the server instead.
 */
export const USAGE = "usage: npm run audit:verify -- [--url URL] [--token TOKEN] [--anchor HASH] [--from-hash HASH] [--json]";

export interface CliIo {
  env: Record<string, string | undefined>;
  out: (line: string) => void;
  err: (line: string) => void;
  fetch?: typeof fetch;
}

interface Options {
  url?: string;
  token?: string;
  anchor?: string;
  /** The head of an archived (detached) part of the log: the first event present must point back to it. */
  fromHash?: string;
  json: boolean;
}

class UsageError extends Error {}

function parseArgs(argv: string[], env: CliIo["env"]): Options {
  const o: Options = { json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (!v || v.startsWith("--")) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === "--json") o.json = true;
    else if (a === "--url") o.url = value();
    else if (a === "--token") o.token = value();
    else if (a === "--anchor") o.anchor = value();
    else if (a === "--from-hash") o.fromHash = value();
    else throw new UsageError(`unknown option ${a}`);
  }
  o.url ??= env.ATTEST_URL?.trim() || undefined;
  o.token ??= env.ATTEST_TOKEN?.trim() || env.ATTEST_BOOTSTRAP_TOKEN?.trim() || undefined;
  if (o.anchor && !/^[0-9a-f]{64}$/.test(o.anchor)) throw new UsageError("--anchor must be a SHA-256 hash in lower-case hex");
  if (o.fromHash && !/^[0-9a-f]{64}$/.test(o.fromHash)) throw new UsageError("--from-hash must be a SHA-256 hash in lower-case hex");
  if (o.fromHash && o.url) throw new UsageError("--from-hash reads the database directly: use it without --url");
  return o;
}

async function viaApi(o: Options, io: CliIo): Promise<{ where: string; result: ChainVerification }> {
  if (!o.token) throw new UsageError("a token is needed to ask the server: pass --token or set ATTEST_TOKEN (it needs the audit.read permission)");
  const url = new URL("/api/v1/audit/verify", o.url);
  if (o.anchor) url.searchParams.set("anchor", o.anchor);
  const r = await (io.fetch ?? fetch)(url, { headers: { authorization: `Bearer ${o.token}` } });
  const body = (await r.json().catch(() => null)) as (ChainVerification & { error?: { message?: string } }) | null;
  if (!r.ok || !body || typeof body.ok !== "boolean") throw new Error(`the server answered ${r.status}: ${body?.error?.message ?? "not a verification"}`);
  return { where: `the Attest server at ${url.origin}`, result: body };
}

async function viaDatabase(o: Options, io: CliIo): Promise<{ where: string; result: ChainVerification }> {
  const url = io.env.DATABASE_URL?.trim();
  let database: Database;
  let where: string;
  if (url) {
    database = await openDatabase({ url });
    where = `PostgreSQL (${new URL(url).host}${new URL(url).pathname})`;
  } else {
    const dataDir = path.resolve(io.env.ATTEST_DATA_DIR ?? ".data");
    if (!existsSync(path.join(dataDir, "pglite")))
      throw new Error(`there is no embedded database in ${dataDir}; set ATTEST_DATA_DIR, DATABASE_URL, or ATTEST_URL and ATTEST_TOKEN`);
    try {
      database = await openDatabase({ dataDir });
    } catch (err) {
      if (err instanceof DatabaseInUseError)
        throw new Error(
          `${err.message}\nFor example: ATTEST_URL=http://localhost:${io.env.PORT ?? 3000} ATTEST_TOKEN=<a token with audit.read> npm run audit:verify`,
        );
      throw err;
    }
    where = `the embedded database in ${dataDir}`;
  }
  try {
    const exists = (await database.db.execute(sql`select to_regclass('public.audit_events') is not null as present`)) as unknown as {
      rows: { present: boolean }[];
    };
    if (!exists.rows[0]?.present) throw new Error(`${where} has no audit log (is it an Attest database that has been started once?)`);
    return { where, result: await verifyAuditChain(database.db, { anchor: o.anchor, startHash: o.fromHash }) };
  } finally {
    await database.close();
  }
}

export function formatVerification(where: string, v: ChainVerification): string[] {
  const lines = [`Audit log in ${where}: ${v.ok ? "OK, the chain is intact" : "BROKEN"}`];
  if (v.brokenAt) {
    lines.push(`  entries verified before the break: ${v.entries}`);
    lines.push(`  last good head: ${v.head}`);
    lines.push(`  first broken entry: seq ${v.brokenAt.seq}, id ${v.brokenAt.id}: ${v.brokenAt.reason}`);
  } else {
    lines.push(`  entries: ${v.entries}`);
    lines.push(`  head:    ${v.head}`);
  }
  if (v.anchor)
    lines.push(
      v.anchor.found
        ? `  anchor ${v.anchor.hash} is in the chain (seq ${v.anchor.seq ?? "genesis"})`
        : `  anchor ${v.anchor.hash} is NOT in the chain: events were removed or rewritten after it was recorded`,
    );
  return lines;
}

/** Runs the CLI; answers the exit code. */
export async function runAuditVerify(argv: string[], io: CliIo): Promise<number> {
  let o: Options;
  try {
    o = parseArgs(argv, io.env);
  } catch (err) {
    io.err(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  try {
    const { where, result } = o.url ? await viaApi(o, io) : await viaDatabase(o, io);
    if (o.json) io.out(JSON.stringify(result, null, 2));
    else for (const line of formatVerification(where, result)) io.out(line);
    return result.ok ? 0 : 1;
  } catch (err) {
    io.err(`audit:verify could not verify: ${(err as Error).message}`);
    return 2;
  }
}
