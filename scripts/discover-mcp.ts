/**
 * Lists the tools of an MCP server launched over stdio and imports them into a
 * running Attest (through its API, so the embedded database is only ever opened
 * by the server process).
 *
 *   npm run discover -- --server github-mcp [--node mcp-configs:mcp_server:github-mcp] \
 *     [--url http://localhost:3000] [--token $ATTEST_TOKEN] [--dry-run] -- npx -y @modelcontextprotocol/server-github
 *
 * The token defaults to ATTEST_TOKEN, then ATTEST_BOOTSTRAP_TOKEN.
 */
import { discoverServer } from "../lib/ingest/mcp-discovery/discover";
import { discoveryToGraph } from "../lib/ingest/mcp-discovery/to-graph";

function usage(message: string): never {
  console.error(
    `${message}\nusage: npm run discover -- --server NAME [--node source:mcp_server:externalId] [--url URL] [--token TOKEN] [--dry-run] -- COMMAND [ARGS...]`,
  );
  process.exit(2);
}

async function main() {
  const argv = process.argv.slice(2);
  const sep = argv.indexOf("--");
  if (sep < 0 || sep === argv.length - 1) usage("missing the server command after --");
  const opts = new Map<string, string>();
  const flags = argv.slice(0, sep);
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i]!;
    if (f === "--dry-run") opts.set("dry-run", "1");
    else if (["--server", "--node", "--url", "--token"].includes(f) && flags[i + 1]) opts.set(f.slice(2), flags[++i]!);
    else usage(`unknown or incomplete option ${f}`);
  }
  const serverName = opts.get("server");
  if (!serverName) usage("--server is required");
  const [command, ...args] = argv.slice(sep + 1);
  const discovery = await discoverServer({ transport: "stdio", command: command!, args });
  let server: { source: string; externalId: string } | undefined;
  const node = opts.get("node");
  if (node) {
    const m = /^([^:]+):mcp_server:(.+)$/.exec(node);
    if (!m) usage("--node must be source:mcp_server:externalId");
    server = { source: m[1]!, externalId: m[2]! };
  }
  const doc = discoveryToGraph(discovery, { serverName, server, endpoint: { transport: "stdio", command, args } });
  console.error(`${discovery.serverInfo.name} ${discovery.serverInfo.version}: ${discovery.tools.length} tools`);
  if (opts.has("dry-run")) {
    console.log(JSON.stringify(doc, null, 2));
    return;
  }
  const base = opts.get("url") ?? process.env.ATTEST_URL ?? "http://localhost:3000";
  const token = opts.get("token") ?? process.env.ATTEST_TOKEN ?? process.env.ATTEST_BOOTSTRAP_TOKEN;
  if (!token) usage("no token: pass --token or set ATTEST_TOKEN");
  const r = await fetch(new URL("/api/v1/imports", base), {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(doc),
  });
  const body = await r.json();
  console.log(JSON.stringify(body, null, 2));
  if (!r.ok) process.exit(1);
}

main().catch((e: Error) => {
  console.error(`discovery failed: ${e.message}`);
  process.exit(1);
});
