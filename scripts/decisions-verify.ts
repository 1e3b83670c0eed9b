/**
 * Checks the audit chain and every batch of the PDP decision log against its audit event (docs/DECISION-LOG.md);
 * exits 0 when intact, 1 when a row was changed, deleted or added, 2 when it could not verify.
 *
 *   npm run decisions:verify                              # the embedded database in .data (server stopped)
 *   DATABASE_URL=postgres://… npm run decisions:verify    # PostgreSQL directly
 */
import { runDecisionsVerify } from "../lib/usage/verify-decisions-cli";

runDecisionsVerify(process.argv.slice(2), { env: process.env, out: (l) => console.log(l), err: (l) => console.error(l) }).then(
  (code) => process.exit(code),
  (e: Error) => {
    console.error(`decisions:verify failed: ${e.message}`);
    process.exit(2);
  },
);
