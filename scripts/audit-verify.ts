/**
 * Recomputes Attest's hash-chained audit log and reports ok, entries, head and
 * the first broken entry; exits 0 when intact, 1 when broken, 2 when it could
 * not verify.
 *
 *   npm run audit:verify                                  # the embedded database in .data (server stopped)
 *   DATABASE_URL=postgres://… npm run audit:verify        # PostgreSQL directly
 *   ATTEST_URL=http://localhost:3000 ATTEST_TOKEN=… npm run audit:verify   # ask the running server
 *   npm run audit:verify -- --anchor <head from an evidence manifest> [--json]
 */
import { runAuditVerify } from "../lib/audit/verify-cli";

runAuditVerify(process.argv.slice(2), { env: process.env, out: (l) => console.log(l), err: (l) => console.error(l) }).then(
  (code) => process.exit(code),
  (e: Error) => {
    console.error(`audit:verify failed: ${e.message}`);
    process.exit(2);
  },
);
