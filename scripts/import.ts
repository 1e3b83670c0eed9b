/**
 * Imports a file through the real import path, streaming it from disk (issue #19):
 *
 *   npm run import -- FILE.jsonl [--source NAME] [--mode full|incremental] [--format jsonl|graph|csv] [--allow-partial]
 *
 * Against DATABASE_URL (PostgreSQL), else the embedded database in ATTEST_DATA_DIR. See lib/ingest/import-cli.ts.
 * A CLI import is an operator's batch job, not a request: unless ATTEST_STATEMENT_TIMEOUT_MS is set, its statements
 * have no time limit (an L import merges millions of rows per statement).
 */
process.env.ATTEST_STATEMENT_TIMEOUT_MS ??= "0";
const { runImportCli } = await import("../lib/ingest/import-cli");
const code = await runImportCli(process.argv.slice(2), { out: (l) => console.log(l), err: (l) => console.error(l) });
process.exit(code);
export {};
