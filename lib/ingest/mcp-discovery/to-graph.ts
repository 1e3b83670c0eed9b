import { toolRisk } from "@/lib/graph/tool-risk";
import type { GraphDocument, GraphEdgeRecord, GraphNodeRecord } from "../graph-document";
import { riskAttributes, toolDefinitionHash } from "../tool-attributes";
import type { Discovery } from "./discover";

export { toolDefinitionHash };

/** Discovery results are kept per server, so a full import ends only the tools this server stopped listing. */
export function discoverySourceName(serverName: string): string {
  const slug =
    serverName
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 80) || "server";
  return `tools.${slug}`;
}

export interface DiscoveryGraphOptions {
  /** The MCP server's name as Attest knows it (its externalId). */
  serverName: string;
  /** The node the tools belong to, when the server is already in the graph (e.g. from an MCP config import). */
  server?: { source: string; externalId: string };
  /** How the server was reached, recorded on a newly created server node. */
  endpoint?: Record<string, unknown>;
}

/**
 * Turns a tools/list answer into a graph document: the tools, with risk and
 * definition hash, exposed by the server. Live discovery and imported tools/list
 * files (lib/ingest/mcp-tools) both come through here. Every field the hash
 * covers is stored, so the import engine's recomputation (tool-attributes.ts)
 * finds the same hash. `serverInfo` is absent when a file did not carry it.
 */
export function discoveryToGraph(d: Omit<Discovery, "serverInfo"> & { serverInfo?: Discovery["serverInfo"] }, opts: DiscoveryGraphOptions): GraphDocument {
  const version = d.serverInfo?.version ?? null;
  const source = discoverySourceName(opts.serverName);
  const nodes: GraphNodeRecord[] = [];
  const serverRef = opts.server
    ? { kind: "mcp_server" as const, externalId: opts.server.externalId, source: opts.server.source }
    : { kind: "mcp_server" as const, externalId: opts.serverName };
  if (!opts.server) {
    nodes.push({
      kind: "mcp_server",
      externalId: opts.serverName,
      name: opts.serverName,
      attributes: { ...(opts.endpoint ?? {}), serverInfo: d.serverInfo ?? null, version, discoveredTools: d.tools.length },
    });
  }
  const edges: GraphEdgeRecord[] = [];
  const seen = new Set<string>();
  for (const t of d.tools) {
    if (!t.name || seen.has(t.name)) continue;
    seen.add(t.name);
    const externalId = `${opts.serverName}/${t.name}`;
    const attributes: Record<string, unknown> = {
      server: opts.serverName,
      description: t.description ?? null,
      inputSchema: t.inputSchema ?? null,
      ...riskAttributes(toolRisk(t.annotations)),
      definitionHash: toolDefinitionHash(t),
      serverVersion: version,
    };
    if (t.title !== undefined) attributes.title = t.title;
    if (t.outputSchema !== undefined) attributes.outputSchema = t.outputSchema;
    if (t.annotations) attributes.annotations = t.annotations;
    nodes.push({ kind: "tool", externalId, name: t.name, attributes });
    edges.push({ kind: "exposes", from: serverRef, to: { kind: "tool", externalId } });
  }
  return { source, mode: "full", nodes, edges };
}
