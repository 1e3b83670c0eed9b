import { createHash } from "node:crypto";
import { canonicalJson } from "@/lib/audit/canonical-json";
import { toolRisk } from "@/lib/graph/tool-risk";
import type { GraphDocument, GraphEdgeRecord, GraphNodeRecord } from "../graph-document";
import type { Discovery, DiscoveredTool } from "./discover";

/**
 * The fingerprint of a tool's definition: what an approver saw. When a server
 * changes a tool's description, schema or annotations after its access was
 * certified, this changes and the change is caught.
 */
export function toolDefinitionHash(t: DiscoveredTool): string {
  const body = canonicalJson({ name: t.name, title: t.title ?? null, description: t.description ?? null, inputSchema: t.inputSchema ?? null, outputSchema: t.outputSchema ?? null, annotations: t.annotations ?? null });
  return `sha256:${createHash("sha256").update(body).digest("hex")}`;
}

/** Discovery results are kept per server, so a full import ends only the tools this server stopped listing. */
export function discoverySourceName(serverName: string): string {
  const slug = serverName.toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 80) || "server";
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

/** Turns a tools/list answer into a graph document: the tools, with risk and definition hash, exposed by the server. */
export function discoveryToGraph(d: Discovery, opts: DiscoveryGraphOptions): GraphDocument {
  const source = discoverySourceName(opts.serverName);
  const nodes: GraphNodeRecord[] = [];
  const serverRef = opts.server ? { kind: "mcp_server" as const, externalId: opts.server.externalId, source: opts.server.source } : { kind: "mcp_server" as const, externalId: opts.serverName };
  if (!opts.server) {
    nodes.push({
      kind: "mcp_server",
      externalId: opts.serverName,
      name: opts.serverName,
      attributes: { ...(opts.endpoint ?? {}), serverInfo: d.serverInfo, version: d.serverInfo.version, discoveredTools: d.tools.length },
    });
  }
  const edges: GraphEdgeRecord[] = [];
  const seen = new Set<string>();
  for (const t of d.tools) {
    if (!t.name || seen.has(t.name)) continue;
    seen.add(t.name);
    const externalId = `${opts.serverName}/${t.name}`;
    const risk = toolRisk(t.annotations);
    const attributes: Record<string, unknown> = {
      server: opts.serverName,
      description: t.description ?? null,
      inputSchema: t.inputSchema ?? null,
      risk: risk.risk,
      riskReason: risk.reason,
      definitionHash: toolDefinitionHash(t),
      serverVersion: d.serverInfo.version,
    };
    if (t.title) attributes.title = t.title;
    if (t.annotations) attributes.annotations = t.annotations;
    nodes.push({ kind: "tool", externalId, name: t.name, attributes });
    edges.push({ kind: "exposes", from: serverRef, to: { kind: "tool", externalId } });
  }
  return { source, mode: "full", nodes, edges };
}
