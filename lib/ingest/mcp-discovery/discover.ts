import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { AppError } from "@/lib/errors";

export type DiscoveryTarget =
  | { transport: "stdio"; command: string; args?: string[]; env?: Record<string, string>; cwd?: string }
  | { transport: "http"; url: string; headers?: Record<string, string> };

export interface DiscoveredTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema?: unknown;
  outputSchema?: unknown;
  annotations?: Record<string, unknown>;
}

export interface Discovery {
  serverInfo: { name: string; version: string; title?: string };
  protocolVersion?: string;
  tools: DiscoveredTool[];
}

export const MAX_TOOLS = 5000;
export const MAX_PAGES = 100;

/** fetch refuses URLs with user info: send it as Basic authentication instead. */
function httpTransport(raw: string, headers: Record<string, string>): Transport {
  const url = new URL(raw);
  const all = { ...headers };
  if (url.username && !Object.keys(all).some((k) => k.toLowerCase() === "authorization")) {
    all.authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")}`;
  }
  url.username = "";
  url.password = "";
  return new StreamableHTTPClientTransport(url, { requestInit: { headers: all } });
}

/**
 * Connects to a live MCP server, lists every tool (following pagination), and
 * disconnects. Bounded in time and size: a server that hangs or floods is cut off.
 */
export async function discoverServer(target: DiscoveryTarget, timeoutMs = 15_000): Promise<Discovery> {
  const client = new Client({ name: "attest-discovery", version: "1.0.0" });
  const transport: Transport =
    target.transport === "stdio"
      ? new StdioClientTransport({ command: target.command, args: target.args ?? [], env: { ...getDefaultEnvironment(), ...(target.env ?? {}) }, cwd: target.cwd, stderr: "pipe" })
      : httpTransport(target.url, target.headers ?? {});
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError("timeout", `the MCP server did not answer within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    return await Promise.race([
      (async () => {
        await client.connect(transport);
        const tools: DiscoveredTool[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < MAX_PAGES; page++) {
          const r = await client.listTools(cursor ? { cursor } : undefined);
          tools.push(...(r.tools as DiscoveredTool[]));
          if (tools.length > MAX_TOOLS) throw new AppError("bad_request", `the server lists more than ${MAX_TOOLS} tools`);
          cursor = r.nextCursor;
          if (!cursor) break;
        }
        const info = client.getServerVersion();
        return { serverInfo: { name: info?.name ?? "unknown", version: info?.version ?? "unknown", title: (info as { title?: string } | undefined)?.title }, tools };
      })(),
      deadline,
    ]);
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError("bad_request", `could not list the server's tools: ${(e as Error).message}`, [{ path: target.transport === "http" ? "url" : "command", message: (e as Error).message }]);
  } finally {
    clearTimeout(timer);
    await client.close().catch(() => undefined);
  }
}
