import { createServer } from "node:http";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { createAuthzenClient } from "./authzen-client";
import { enforceMcp } from "./enforce-mcp";
import { createGatewayAdapter } from "./gateway-adapter";
import { staticSubject } from "./subject";

/**
 * The enforcement proxy as a command: the agent speaks MCP to it over stdio, it speaks MCP to the upstream server it
 * starts (stdio), and asks the PDP before every tool call (see enforce-mcp.ts).
 *
 *   npm run pep -- --pdp http://localhost:3000 --token-env ATTEST_PDP_TOKEN --subject agt_… --server-name NAME -- <upstream command …>
 *
 * stdout is the MCP channel: everything else goes to stderr. The token is read from the named environment variable
 * (never from a flag, which `ps` shows) and is removed from the upstream's environment.
 */
export const USAGE = `Usage: npm run pep -- --pdp URL --subject ID --server-name NAME [options] -- COMMAND [ARGS…]

  --pdp URL                 the AuthZEN PDP's base URL (Attest: the app's URL)
  --token-env NAME          environment variable holding the PDP bearer token (Attest: an API token with the pdp role)
  --subject ID              the caller's id (Attest: agt_…, sa_…, hum_…, or source:kind:externalId)
  --subject-type TYPE       AuthZEN subject type (default: identity, as COAZ-MCP)
  --agent ID                the agent/client id sent as context.agent
  --server-name NAME        the upstream MCP server's name as the PDP knows it
  --timeout-ms N            PDP call timeout (default 2000)
  --hide-approval-required  do not list tools whose call needs approval
  --no-discover             use the default endpoint paths; do not read /.well-known/authzen-configuration
  --log                     one JSON line per decision on stderr
  -- COMMAND [ARGS…]        the upstream MCP server to start (stdio)

   or: npm run pep -- adapter --listen HOST:PORT --pdp URL --server-name NAME [--token-env NAME] [--gateway-key-env NAME]
                              [--claims-header NAME] [--timeout-ms N]
  an HTTP authorization service for gateways (Envoy ext_authz http_service, agentgateway, Kong): 200 = allow, 403 = deny`;

export interface ProxyArgs {
  pdp: string;
  tokenEnv?: string;
  subject: string;
  subjectType?: string;
  agent?: string;
  serverName: string;
  timeoutMs?: number;
  hideApprovalRequired: boolean;
  log: boolean;
  discover: boolean;
  command: string;
  args: string[];
}

/** The arguments, or an error message naming the flag at fault. */
export function parseProxyArgs(argv: readonly string[]): ProxyArgs | { error: string } {
  const sep = argv.indexOf("--");
  const flags = sep >= 0 ? argv.slice(0, sep) : argv;
  const upstream = sep >= 0 ? argv.slice(sep + 1) : [];
  const out: Partial<ProxyArgs> = { hideApprovalRequired: false, log: false, discover: true };
  for (let i = 0; i < flags.length; i++) {
    const flag = flags[i]!;
    const eq = flag.indexOf("=");
    const name = eq >= 0 ? flag.slice(0, eq) : flag;
    const value = () => {
      const v = eq >= 0 ? flag.slice(eq + 1) : flags[++i];
      if (v === undefined || v === "") throw new Error(`${name} needs a value`);
      return v;
    };
    try {
      switch (name) {
        case "--pdp":
          out.pdp = value();
          break;
        case "--token-env":
          out.tokenEnv = value();
          break;
        case "--subject":
          out.subject = value();
          break;
        case "--subject-type":
          out.subjectType = value();
          break;
        case "--agent":
          out.agent = value();
          break;
        case "--server-name":
          out.serverName = value();
          break;
        case "--timeout-ms": {
          const v = value();
          if (!/^\d+$/.test(v) || Number(v) < 1) return { error: "--timeout-ms needs a whole number ≥ 1" };
          out.timeoutMs = Number(v);
          break;
        }
        case "--hide-approval-required":
          out.hideApprovalRequired = true;
          break;
        case "--log":
          out.log = true;
          break;
        case "--no-discover":
          out.discover = false;
          break;
        default:
          return { error: `unknown flag ${name}` };
      }
    } catch (e) {
      return { error: (e as Error).message };
    }
  }
  if (!out.pdp) return { error: "--pdp is required" };
  try {
    const u = new URL(out.pdp);
    if (u.protocol !== "https:" && u.protocol !== "http:") return { error: "--pdp must be an http(s) URL" };
  } catch {
    return { error: "--pdp must be a URL" };
  }
  if (!out.subject) return { error: "--subject is required" };
  if (!out.serverName) return { error: "--server-name is required" };
  if (upstream.length === 0) return { error: "the upstream command is missing (after --)" };
  return { ...(out as ProxyArgs), command: upstream[0]!, args: upstream.slice(1) };
}

export interface AdapterArgs {
  host: string;
  port: number;
  pdp: string;
  serverName: string;
  tokenEnv?: string;
  gatewayKeyEnv?: string;
  claimsHeader?: string;
  timeoutMs?: number;
}

/** `adapter` mode's arguments (after the word `adapter`), or an error naming the flag at fault. */
export function parseAdapterArgs(argv: readonly string[]): AdapterArgs | { error: string } {
  const out: Partial<AdapterArgs> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const eq = flag.indexOf("=");
    const name = eq >= 0 ? flag.slice(0, eq) : flag;
    const v = eq >= 0 ? flag.slice(eq + 1) : argv[++i];
    if (v === undefined || v === "") return { error: `${name} needs a value` };
    if (name === "--listen") {
      const m = /^(.+):(\d{1,5})$/.exec(v);
      if (!m || Number(m[2]) > 65535) return { error: "--listen needs HOST:PORT" };
      out.host = m[1]!;
      out.port = Number(m[2]);
    } else if (name === "--pdp") out.pdp = v;
    else if (name === "--server-name") out.serverName = v;
    else if (name === "--token-env") out.tokenEnv = v;
    else if (name === "--gateway-key-env") out.gatewayKeyEnv = v;
    else if (name === "--claims-header") out.claimsHeader = v;
    else if (name === "--timeout-ms") {
      if (!/^\d+$/.test(v) || Number(v) < 1) return { error: "--timeout-ms needs a whole number ≥ 1" };
      out.timeoutMs = Number(v);
    } else return { error: `unknown flag ${name}` };
  }
  if (out.host === undefined) return { error: "--listen is required" };
  if (!out.pdp) return { error: "--pdp is required" };
  if (!/^https?:\/\//.test(out.pdp)) return { error: "--pdp must be an http(s) URL" };
  if (!out.serverName) return { error: "--server-name is required" };
  return out as AdapterArgs;
}

async function runAdapter(argv: readonly string[], env: NodeJS.ProcessEnv, err: (line: string) => void): Promise<number> {
  const parsed = parseAdapterArgs(argv);
  if ("error" in parsed) {
    err(`pep adapter: ${parsed.error}\n${USAGE}`);
    return 2;
  }
  for (const name of [parsed.tokenEnv, parsed.gatewayKeyEnv]) {
    if (name && !env[name]) {
      err(`pep adapter: the environment variable ${name} is empty or unset`);
      return 2;
    }
  }
  const authzen = createAuthzenClient({
    pdpUrl: parsed.pdp,
    token: parsed.tokenEnv ? env[parsed.tokenEnv] : undefined,
    timeoutMs: parsed.timeoutMs,
    onFailure: (f) => err(`pep adapter: PDP failure ${f.code}: ${f.detail} (request ${f.requestId})`),
  });
  const server = createServer(
    createGatewayAdapter({
      authzen,
      serverName: parsed.serverName,
      gatewayKey: parsed.gatewayKeyEnv ? env[parsed.gatewayKeyEnv] : undefined,
      claimsHeader: parsed.claimsHeader,
    }),
  );
  await new Promise<void>((resolve) => server.listen(parsed.port, parsed.host, resolve));
  err(`pep adapter: listening on ${parsed.host}:${parsed.port}, asking ${parsed.pdp}`);
  await new Promise<void>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return 0;
}

/** Runs until the agent or the upstream goes away (or, in adapter mode, until stopped); resolves with the exit code. */
export async function runPepProxy(argv: readonly string[], env: NodeJS.ProcessEnv, err: (line: string) => void): Promise<number> {
  if (argv[0] === "adapter") return runAdapter(argv.slice(1), env, err);
  const parsed = parseProxyArgs(argv);
  if ("error" in parsed) {
    err(`pep: ${parsed.error}\n${USAGE}`);
    return 2;
  }
  const token = parsed.tokenEnv ? env[parsed.tokenEnv] : undefined;
  if (parsed.tokenEnv && !token) {
    err(`pep: the environment variable ${parsed.tokenEnv} is empty or unset`);
    return 2;
  }
  const upstreamEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && k !== parsed.tokenEnv) upstreamEnv[k] = v;

  const upstreamTransport = new StdioClientTransport({ command: parsed.command, args: parsed.args, env: upstreamEnv, stderr: "inherit" });
  const upstream = new Client({ name: "attest-pep", version: "1.0.0" });
  try {
    await upstream.connect(upstreamTransport);
  } catch (e) {
    err(`pep: the upstream server did not start: ${(e as Error).message}`);
    return 1;
  }
  const authzen = createAuthzenClient({
    pdpUrl: parsed.pdp,
    token,
    timeoutMs: parsed.timeoutMs,
    discover: parsed.discover,
    onFailure: (f) => err(`pep: PDP failure ${f.code}: ${f.detail} (request ${f.requestId})`),
  });
  const server = enforceMcp({
    upstream,
    authzen,
    serverName: parsed.serverName,
    subject: staticSubject({ id: parsed.subject, type: parsed.subjectType, agent: parsed.agent }),
    listApprovalRequired: !parsed.hideApprovalRequired,
    onDecision: parsed.log ? (e) => err(JSON.stringify({ pep: "decision", ...e })) : undefined,
  });
  const done = new Promise<number>((resolve) => {
    server.onclose = () => resolve(0);
    upstream.onclose = () => resolve(1);
  });
  await server.connect(new StdioServerTransport());
  // The SDK's stdio transport does not notice the agent hanging up; end of stdin is that.
  process.stdin.once("end", () => void server.close());
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void server.close());
  const code = await done;
  await Promise.allSettled([server.close(), upstream.close()]);
  return code;
}
