import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { createOutboundFetch, OutboundError, type OutboundOptions } from "@/lib/net/outbound";

/**
 * Streamable HTTP discovery over the app's one outbound client. The SDK puts
 * the remote's answer into its error messages (the body of a failed POST, a
 * JSON parse error's excerpt), so nothing it says is passed on: what failed is
 * told by the failure class the outbound client recorded, or else by the kind
 * of SDK error.
 */
export interface HttpDiscoveryTransport {
  transport: StreamableHTTPClientTransport;
  /** The failure to report for an error the SDK threw. */
  failure(e: unknown): OutboundError;
}

const CONTEXT = "could not list the server's tools";

export function httpDiscoveryTransport(raw: string, headers: Record<string, string>, outbound: Omit<OutboundOptions, "onFailure">): HttpDiscoveryTransport {
  let first: OutboundError | undefined;
  const record = (e: OutboundError) => {
    first ??= e;
  };
  const base = createOutboundFetch({ ...outbound, onFailure: record });
  const fetch: FetchLike = async (url, init) => {
    const r = await base(url, init);
    const method = (init?.method ?? "GET").toUpperCase();
    // 405 to the optional GET stream or to DELETE is the specification's "not offered", not a failure.
    if (r.ok || (r.status === 405 && method !== "POST")) return r;
    await r.body?.cancel();
    // The optional background GET stream failing does not fail discovery; the POSTs carry it.
    if (method === "POST") record(new OutboundError("http_status", { httpStatus: r.status }));
    // The SDK quotes a failed answer's body in its error: it gets neither body nor headers.
    return new Response(null, { status: r.status });
  };

  // fetch refuses URLs with user info: send it as Basic authentication instead.
  const url = new URL(raw);
  const all = { ...headers };
  if (url.username && !Object.keys(all).some((k) => k.toLowerCase() === "authorization")) {
    all.authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")}`;
  }
  url.username = "";
  url.password = "";
  const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers: all }, fetch });

  return {
    transport,
    failure(e) {
      const f = first ?? (e instanceof OutboundError ? e : undefined);
      if (f) return f.withContext(CONTEXT);
      if (e instanceof StreamableHTTPError && typeof e.code === "number" && e.code >= 400)
        return new OutboundError("http_status", { httpStatus: e.code, context: CONTEXT });
      if (e instanceof McpError) return new OutboundError("mcp_error", { context: CONTEXT });
      return new OutboundError("not_mcp", { context: CONTEXT });
    },
  };
}

export const discoveryTimeout = () => new OutboundError("timeout", { context: CONTEXT });
