import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { AppError } from "@/lib/errors";
import { OutboundError, type OutboundOptions } from "@/lib/net/outbound";
import { discoveryTimeout, httpDiscoveryTransport, type HttpDiscoveryTransport } from "./http-transport";

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

export interface DiscoverOptions {
  timeoutMs?: number;
  /**
   * HTTP targets only: the outbound policy (who may be reached) and limits.
   * Without it nothing is reachable: discovery over HTTP always goes through
   * the outbound client.
   */
  outbound?: Omit<OutboundOptions, "onFailure" | "timeoutMs">;
}

/**
 * Connects to a live MCP server, lists every tool (following pagination), and
 * disconnects. Bounded in time and size: a server that hangs or floods is cut off.
 */
export async function discoverServer(target: DiscoveryTarget, options: DiscoverOptions = {}): Promise<Discovery> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const client = new Client({ name: "attest-discovery", version: "1.0.0" });
  let http: HttpDiscoveryTransport | undefined;
  let transport: Transport;
  if (target.transport === "stdio") {
    transport = new StdioClientTransport({
      command: target.command,
      args: target.args ?? [],
      env: { ...getDefaultEnvironment(), ...(target.env ?? {}) },
      cwd: target.cwd,
      stderr: "pipe",
    });
  } else {
    http = httpDiscoveryTransport(target.url, target.headers ?? {}, { policy: { allowHosts: [], allowPrivateRanges: [] }, ...options.outbound, timeoutMs });
    transport = http.transport;
  }
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(http ? discoveryTimeout() : new AppError("timeout", `the MCP server did not answer within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
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
        return {
          serverInfo: { name: info?.name ?? "unknown", version: info?.version ?? "unknown", title: (info as { title?: string } | undefined)?.title },
          tools,
        };
      })(),
      deadline,
    ]);
  } catch (e) {
    // Over HTTP the SDK's messages may quote the remote's answer: only the failure class is told.
    if (http) throw e instanceof AppError && !(e instanceof OutboundError) ? e : http.failure(e);
    if (e instanceof AppError) throw e;
    // stdio is the operator's own command, run from the CLI: its message helps them and reaches no one else.
    throw new AppError("bad_request", `could not list the server's tools: ${(e as Error).message}`, [{ path: "command", message: (e as Error).message }]);
  } finally {
    clearTimeout(timer);
    await client.close().catch(() => undefined);
  }
}
