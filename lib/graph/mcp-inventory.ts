import { and, asc, eq, isNull } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "@/db/client";
import { edges, nodes, sources } from "@/db/schema";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { riskOfToolAttributes, riskRank, TOOL_RISKS, type RiskReasonCode, type ToolRisk } from "./tool-risk";

export const RISK_LEVELS = TOOL_RISKS;
export type RiskLevel = ToolRisk;

export interface McpServerSummary {
  id: string;
  name: string;
  source: string;
  transport: string | null;
  endpoint: string | null;
  version: string | null;
  /** Most worrying first (level, then reason; see lib/graph/tool-risk.ts), then by name. */
  tools: { id: string; name: string; risk: RiskLevel; reasonCode: RiskReasonCode; reason: string; annotated: boolean }[];
  riskCounts: Record<RiskLevel, number>;
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
        // Imports store the risk (lib/ingest/tool-attributes.ts); rows from before that are read from their annotations.
        const r = riskOfToolAttributes(t.attributes);
        return {
          id: t.id,
          name: t.name,
          risk: r.risk,
          reasonCode: r.reasonCode,
          reason: r.reason,
          rank: riskRank(r),
          annotated: typeof t.attributes.annotations === "object" && t.attributes.annotations !== null,
        };
      })
      .sort((a, b) => b.rank - a.rank || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map(({ rank: _rank, ...tool }) => tool);
    const riskCounts = { low: 0, medium: 0, high: 0, critical: 0 };
    for (const t of tools) riskCounts[t.risk]++;
    const a = s.attributes;
    const str = (v: unknown) => (typeof v === "string" ? v : null);
    const endpoint = str(a.url) ?? (str(a.command) ? [a.command, ...(Array.isArray(a.args) ? a.args : [])].join(" ") : null);
    return { id: s.id, name: s.name, source: s.source, transport: str(a.transport), endpoint, version: str(a.version), tools, riskCounts };
  });
}
