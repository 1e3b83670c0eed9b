import { sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { likePattern } from "@/db/like";
import { nodeNameKey } from "@/db/natural-sort";
import { rows } from "@/db/rows";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { parseInput } from "@/lib/errors";
import { TOOL_RISKS, type ToolRisk } from "@/lib/graph/tool-risk";
import { riskRankSql, toolRiskLevelSql } from "@/lib/graph/tool-risk-sql";
import { effectiveOwnersOf } from "@/lib/ownership/owner-state";
import { offsetOf, orderSql, pageCursors, pageSize, sortDir, type SortDirection, type TablePage } from "./table-query";
import { ownerSummary, type OwnerSummary } from "./owner-summary";

export const MCP_SERVER_SORTS = ["name", "tools", "agents", "risk", "findings", "owner", "lastSeen"] as const;
export type McpServerSort = (typeof MCP_SERVER_SORTS)[number];
/** Names and owners read A→Z first; counts, risk and recency most first. */
export const MCP_SERVER_DEFAULT_DIR: Record<McpServerSort, SortDirection> = {
  name: "asc",
  owner: "asc",
  tools: "desc",
  agents: "desc",
  risk: "desc",
  findings: "desc",
  lastSeen: "desc",
};

export const mcpServersQuerySchema = z
  .object({
    q: z.string().trim().max(200, "at most 200 characters").optional(),
    /** The server's risk: its riskiest tool's; `none` for a server with no tools. */
    risk: z.enum([...TOOL_RISKS, "none"], { error: `must be one of ${[...TOOL_RISKS, "none"].join(", ")}` }).optional(),
    sort: z.enum(MCP_SERVER_SORTS, { error: `must be one of ${MCP_SERVER_SORTS.join(", ")}` }).default("name"),
    dir: sortDir.optional(),
    limit: pageSize(200, 50),
    cursor: z.string().max(200).optional(),
  })
  .strict();
export type McpServersQuery = z.input<typeof mcpServersQuerySchema>;

export interface McpServerRow {
  id: string;
  name: string;
  source: string;
  transport: string | null;
  /** Where it runs: its URL, or the command line that starts it. */
  endpoint: string | null;
  tools: number;
  /** Principals (agents, accounts, people) with a current connects_to edge to it. */
  agents: number;
  /** Its riskiest tool's level; null without tools. */
  risk: ToolRisk | null;
  /** Open findings about the server or one of its tools. */
  findings: number;
  owner: OwnerSummary;
  lastSeenAt: string;
}

export interface McpServerPage extends TablePage<McpServerRow> {
  /** Servers per risk level before the risk filter (search applied), for the filter chips. */
  byRisk: Record<ToolRisk | "none", number>;
}

interface Row {
  id: string;
  name: string;
  source: string;
  attributes: Record<string, unknown>;
  last_seen_at: string | Date;
  tools: number;
  agents: number;
  risk_rank: number;
  findings: number;
}

const RISK_BY_RANK = [null, "low", "medium", "high", "critical"] as const;

/** A server's endpoint from its attributes (url, else command and args). */
export function endpointOf(a: Record<string, unknown>): string | null {
  if (typeof a.url === "string") return a.url;
  if (typeof a.command === "string") return [a.command, ...(Array.isArray(a.args) ? a.args.filter((x) => typeof x === "string") : [])].join(" ");
  return null;
}

/**
 * Current MCP servers with per-server counts, one sorted and filtered page
 * (GET /api/v1/mcp/servers, the /mcp page). The counts come from index lookups
 * per server (exposes and connects_to edges by endpoint, findings by subject),
 * so the cost grows with the number of servers (about a thousand at M), not
 * with the graph.
 */
export async function listMcpServerTable(db: Db, actor: Actor, raw: McpServersQuery = {}): Promise<McpServerPage> {
  requirePermission(actor, "graph.read");
  const q = parseInput(mcpServersQuerySchema, raw, "query");
  const dir = q.dir ?? MCP_SERVER_DEFAULT_DIR[q.sort];
  const offset = offsetOf(q.cursor);
  const search = q.q ? likePattern(q.q) : null;
  const riskRank = q.risk ? (q.risk === "none" ? 0 : TOOL_RISKS.indexOf(q.risk) + 1) : null;

  const order: Record<McpServerSort, SQL> = {
    name: sql`(name_key collate "C")`,
    tools: sql`tools`,
    agents: sql`agents`,
    risk: sql`risk_rank`,
    findings: sql`findings`,
    owner: sql`owner_key`,
    lastSeen: sql`last_seen_at`,
  };
  const tool = sql`tn.attributes`;
  const found = await rows<Row & { total: number; by_risk: Record<string, number> }>(
    db,
    sql`with s as (
        select n.id, n.name, n.name_key, src.name as source, n.attributes, n.last_seen_at,
          coalesce(t.tools, 0) as tools, coalesce(t.risk_rank, 0) as risk_rank,
          (select count(distinct c.from_id)::int from edges c where c.to_id = n.id and c.kind = 'connects_to' and c.valid_to is null) as agents,
          -- Two index lookups (findings by subject), not one OR: with an OR PostgreSQL scans every finding per server.
          (select count(*)::int from findings f where f.subject_id = n.id and f.status = 'open')
            + (select count(*)::int from edges x join findings f on f.subject_id = x.to_id and f.status = 'open'
               where x.from_id = n.id and x.kind = 'exposes' and x.valid_to is null) as findings,
          (select min(${nodeNameKey("o")}) from edges e join nodes o on o.id = e.from_id
            where e.to_id = n.id and e.kind = 'owns' and e.valid_to is null) as owner_key
        from nodes n
        join sources src on src.id = n.source_id
        left join lateral (
          select count(*)::int as tools, max(${riskRankSql(toolRiskLevelSql(tool))})::int as risk_rank
          from edges x join nodes tn on tn.id = x.to_id and tn.valid_to is null
          where x.from_id = n.id and x.kind = 'exposes' and x.valid_to is null
        ) t on true
        where n.kind = 'mcp_server' and n.valid_to is null
          ${search ? sql`and (lower(n.name) like ${search} or lower(coalesce(n.attributes->>'url', n.attributes->>'command', '')) like ${search})` : sql``}
      ),
      counted as (select risk_rank, count(*)::int as n from s group by risk_rank),
      filtered as (select * from s ${riskRank !== null ? sql`where risk_rank = ${riskRank}` : sql``})
      select f.*, (select count(*)::int from filtered) as total, (select coalesce(jsonb_object_agg(risk_rank, n), '{}'::jsonb) from counted) as by_risk
      from filtered f
      order by ${orderSql(order[q.sort], dir)}, (f.name_key collate "C") asc, f.id asc
      limit ${q.limit + 1} offset ${offset}`,
  );
  const more = found.length > q.limit;
  const page = found.slice(0, q.limit);
  const owners = await effectiveOwnersOf(
    db,
    page.map((r) => r.id),
  );
  let total = found[0]?.total;
  let byRiskRaw = found[0]?.by_risk;
  if (total === undefined) {
    // Past the last row (or nothing matched): the counts still answer.
    const [c] = await rows<{ total: number; by_risk: Record<string, number> }>(
      db,
      sql`with s as (
          select coalesce((select max(${riskRankSql(toolRiskLevelSql(tool))}) from edges x join nodes tn on tn.id = x.to_id and tn.valid_to is null
            where x.from_id = n.id and x.kind = 'exposes' and x.valid_to is null), 0) as risk_rank
          from nodes n where n.kind = 'mcp_server' and n.valid_to is null
          ${search ? sql`and (lower(n.name) like ${search} or lower(coalesce(n.attributes->>'url', n.attributes->>'command', '')) like ${search})` : sql``}
        ), counted as (select risk_rank, count(*)::int as n from s group by risk_rank)
        select (select count(*)::int from s ${riskRank !== null ? sql`where risk_rank = ${riskRank}` : sql``}) as total,
          (select coalesce(jsonb_object_agg(risk_rank, n), '{}'::jsonb) from counted) as by_risk`,
    );
    total = c?.total ?? 0;
    byRiskRaw = c?.by_risk ?? {};
  }
  const byRisk: McpServerPage["byRisk"] = { none: 0, low: 0, medium: 0, high: 0, critical: 0 };
  for (const [rank, n] of Object.entries(byRiskRaw ?? {})) byRisk[RISK_BY_RANK[Number(rank)] ?? "none"] += n;
  return {
    items: page.map((r) => ({
      id: r.id,
      name: r.name,
      source: r.source,
      transport: typeof r.attributes.transport === "string" ? r.attributes.transport : null,
      endpoint: endpointOf(r.attributes),
      tools: r.tools,
      agents: r.agents,
      risk: RISK_BY_RANK[r.risk_rank] ?? null,
      findings: r.findings,
      owner: ownerSummary(owners.get(r.id) ?? []),
      lastSeenAt: new Date(r.last_seen_at).toISOString(),
    })),
    total,
    offset,
    ...pageCursors(offset, q.limit, more),
    sort: q.sort,
    dir,
    byRisk,
  };
}
