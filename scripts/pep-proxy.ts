/**
 * Attest's reference enforcement point as a stdio proxy (issue #20): asks an AuthZEN PDP before every MCP tool call
 * and filters tools/list. See docs/ENFORCEMENT.md and lib/pep/proxy-cli.ts.
 *
 *   npm run pep -- --pdp http://localhost:3000 --token-env ATTEST_PDP_TOKEN --subject agt_… --server-name NAME -- <upstream command …>
 */
import { runPepProxy } from "../lib/pep/proxy-cli";

const code = await runPepProxy(process.argv.slice(2), process.env, (line) => process.stderr.write(`${line}\n`));
process.exit(code);
