/**
 * Rechecks an Attest evidence package: the SHA-256 and size of every file its
 * manifest.json lists, and that the package holds nothing else. Exits 0 when
 * all match, 1 when not, 2 when it could not check.
 *
 *   npm run evidence:verify -- evidence-cmp_01….zip [--json]
 */
import { runEvidenceVerify } from "../lib/evidence/verify-cli";

void runEvidenceVerify(process.argv.slice(2), { out: (l) => console.log(l), err: (l) => console.error(l) }).then((code) => process.exit(code));
