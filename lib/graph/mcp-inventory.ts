import { and, asc, eq, isNull } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "@/db/client";
import { edges, nodes, sources } from "@/db/schema";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";

export const RISK_LEVELS = ["low", "medium", "high", "critical"] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export interface McpServerSummary {
  id: string;
  name: string;
  source: string;
  transport: string | null;
  endpoint: string | null;
  version: string | null;
  tools: { id: string; name: string; risk: RiskLevel | "unknown"; annotated: boolean }[];
  riskCounts: Record<RiskLevel | "unknown", number>;
}

/** Every current MCP server with the tools it exposes and their risk, for the MCP inventory page. */
export async function listMcpServers(db: Db, actor: Actor): Promise<McpServerSummary[]> {
  requirePermission(actor, "graph.read");
  const servers = await db
    .select({ id: nodes.id, name: nodes.name, source: sources.name, attributes: nodes.attributes })
    .from(nodes)
    .innerJoin(sources, eq(sources.id, nodes.sourceId))
    .where(and(eq(nodes.kind, "mcp_server"), isNull(nodes.validTo)))
    .orderBy(asc(nodes.name));
  const tool = alias(nodes, "tool");
  const toolRows = await db
    .select({ serverId: edges.fromId, id: tool.id, name: tool.name, attributes: tool.attributes })
    .from(edges)
    .innerJoin(tool, eq(tool.id, edges.toId))
    .where(and(eq(edges.kind, "exposes"), isNull(edges.validTo), isNull(tool.validTo)))
    .orderBy(asc(tool.name));
  return servers.map((s) => {
    const tools = toolRows
      .filter((t) => t.serverId === s.id)
      .map((t) => {
        const r = t.attributes.risk;
        const risk = (RISK_LEVELS as readonly unknown[]).includes(r) ? (r as RiskLevel) : ("unknown" as const);
        return { id: t.id, name: t.name, risk, annotated: typeof t.attributes.annotations === "object" && t.attributes.annotations !== null };
      });
    const riskCounts = { low: 0, medium: 0, high: 0, critical: 0, unknown: 0 };
    for (const t of tools) riskCounts[t.risk]++;
    const a = s.attributes;
    const str = (v: unknown) => (typeof v === "string" ? v : null);
    const endpoint = str(a.url) ?? (str(a.command) ? [a.command, ...(Array.isArray(a.args) ? a.args : [])].join(" ") : null);
    return { id: s.id, name: s.name, source: s.source, transport: str(a.transport), endpoint, version: str(a.version), tools, riskCounts };
  });
}
