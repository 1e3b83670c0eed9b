import { existsSync } from "node:fs";
import path from "node:path";
import { DatabaseInUseError, openDatabase, type Database } from "@/db/client";
import { verifyAuditChain } from "@/lib/audit/emit-audit";
import { verifyDecisionLog, type DecisionLogVerification } from "./verify-decisions";

/**
 * `npm run decisions:verify`: checks the audit chain (as audit:verify does) and then every decision log batch
 * against its audit event. Exits 0 (intact), 1 (a problem found) or 2 (could not verify). Reads PostgreSQL
 * (DATABASE_URL) or the embedded PGlite folder (ATTEST_DATA_DIR, default .data) while no server holds it.
 */
export const USAGE = "usage: npm run decisions:verify -- [--json]";

export interface CliIo {
  env: Record<string, string | undefined>;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Tests hand in an open database. */
  open?: () => Promise<Database>;
}

async function open(io: CliIo): Promise<{ database: Database; where: string }> {
  if (io.open) return { database: await io.open(), where: "the given database" };
  const url = io.env.DATABASE_URL?.trim();
  if (url) return { database: await openDatabase({ url }), where: `PostgreSQL (${new URL(url).host})` };
  const dataDir = path.resolve(io.env.ATTEST_DATA_DIR ?? ".data");
  if (!existsSync(path.join(dataDir, "pglite"))) throw new Error(`there is no embedded database in ${dataDir}; set ATTEST_DATA_DIR or DATABASE_URL`);
  try {
    return { database: await openDatabase({ dataDir }), where: `the embedded database in ${dataDir}` };
  } catch (e) {
    if (e instanceof DatabaseInUseError) throw new Error(`${e.message}\nStop the server first (PGlite allows one process).`);
    throw e;
  }
}

export function formatDecisionVerification(v: DecisionLogVerification): string[] {
  const lines = [`Decision log: ${v.ok ? "OK, every batch matches its audit event" : "PROBLEMS FOUND"}`];
  lines.push(`  batches: ${v.batches}, rows: ${v.rows}, records dropped at a full intake (as recorded): ${v.dropped}`);
  for (const p of v.problems) lines.push(`  ${p.auditEventId ? `batch ${p.auditEventId} (audit seq ${p.seq})` : "log"}: ${p.reason}`);
  return lines;
}

export async function runDecisionsVerify(argv: string[], io: CliIo): Promise<number> {
  const json = argv.includes("--json");
  const unknown = argv.filter((a) => a !== "--json");
  if (unknown.length) {
    io.err(`unknown option ${unknown[0]}\n${USAGE}`);
    return 2;
  }
  let opened: { database: Database; where: string };
  try {
    opened = await open(io);
  } catch (e) {
    io.err(`decisions:verify could not verify: ${(e as Error).message}`);
    return 2;
  }
  try {
    const chain = await verifyAuditChain(opened.database.db);
    const log = await verifyDecisionLog(opened.database.db);
    if (json) io.out(JSON.stringify({ chain, decisionLog: log }, null, 2));
    else {
      io.out(`Audit chain in ${opened.where}: ${chain.ok ? "OK" : `BROKEN at seq ${chain.brokenAt?.seq}: ${chain.brokenAt?.reason}`}`);
      for (const l of formatDecisionVerification(log)) io.out(l);
    }
    return chain.ok && log.ok ? 0 : 1;
  } catch (e) {
    io.err(`decisions:verify could not verify: ${(e as Error).message}`);
    return 2;
  } finally {
    if (!io.open) await opened.database.close();
  }
}
