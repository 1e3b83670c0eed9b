import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { nodeNameKey } from "@/db/natural-sort";
import { rows } from "@/db/rows";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { AppError } from "@/lib/errors";
import type { NodeKind } from "@/lib/graph/model";
import { parseNodeRef, resolveNodeId } from "@/lib/graph/node-ref";
import { riskOfToolAttributes, riskRank, type ToolRiskResult } from "@/lib/graph/tool-risk";
import { effectiveOwnersOf, type EffectiveOwner } from "@/lib/ownership/owner-state";
import { endpointOf } from "./mcp-servers";

/** Lists on the page stop here; the totals say how many there are. */
/** The page stays within a few screens; the explorer and the API have the rest. */
export const DETAIL_LIMITS = { tools: 500, agents: 60, credentials: 100, findings: 100 } as const;

export interface McpServerDetail {
  server: {
    id: string;
    name: string;
    source: string;
    status: string | null;
    current: boolean;
    firstSeenAt: string;
    lastSeenAt: string;
    transport: string | null;
    endpoint: string | null;
    version: string | null;
  };
  /** What discovery and the import recorded about it, as label and text. */
  facts: { label: string; value: string }[];
  tools: { id: string; name: string; description: string | null; risk: ToolRiskResult; definitionChanged: boolean; changeFindingId: string | null }[];
  toolTotal: number;
  agents: { id: string; kind: NodeKind; name: string; status: string | null; source: string }[];
  agentTotal: number;
  /** Credentials the server uses (uses_credential) and those that grant access to it (credential_for): fingerprint and storage only. */
  credentials: {
    id: string;
    name: string;
    relation: "uses" | "grants access to it";
    type: string | null;
    storage: string | null;
    fingerprint: string | null;
    expiresAt: string | null;
    lastRotatedAt: string | null;
  }[];
  credentialTotal: number;
  owners: EffectiveOwner[];
  findings: { id: string; rule: string; severity: string; title: string; subjectId: string; subjectName: string; subjectKind: string }[];
  findingTotal: number;
}

const FACT_KEYS: [string, string][] = [
  ["transport", "Transport"],
  ["version", "Version"],
  ["serverInfoName", "Reports itself as"],
  ["package", "Package"],
  ["packageVersion", "Package version"],
  ["launcher", "Launcher"],
  ["host", "Host"],
  ["tls", "TLS"],
  ["authentication", "Authentication"],
  ["pinned", "Version pinned"],
  ["allowedRoots", "Allowed roots"],
  ["envVars", "Environment variables"],
  ["discoveredTools", "Tools at last discovery"],
  ["discovery", "Discovery"],
  ["upstreamStatus", "Upstream status"],
];

const text = (v: unknown): string =>
  typeof v === "string"
    ? v
    : typeof v === "number" || typeof v === "boolean"
      ? String(v)
      : Array.isArray(v) && v.every((x) => typeof x === "string")
        ? v.join(", ")
        : JSON.stringify(v);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

/** One MCP server with its tools, the principals that connect to it, its credentials, owners and open findings (the /mcp/[id] page). */
export async function getMcpServerDetail(db: Db, actor: Actor, rawId: string): Promise<McpServerDetail> {
  requirePermission(actor, "graph.read");
  const id = await resolveNodeId(db, parseNodeRef(rawId));
  const [n] = await rows<{
    id: string;
    kind: string;
    name: string;
    source: string;
    status: string | null;
    attributes: Record<string, unknown>;
    first_seen_at: string | Date;
    last_seen_at: string | Date;
    valid_to: string | Date | null;
  }>(
    db,
    sql`select n.id, n.kind, n.name, s.name as source, n.status, n.attributes, n.first_seen_at, n.last_seen_at, n.valid_to
      from nodes n join sources s on s.id = n.source_id where n.id = ${id}`,
  );
  if (!n || n.kind !== "mcp_server") throw new AppError("not_found", "MCP server not found");
  const a = n.attributes;
  const facts: McpServerDetail["facts"] = [];
  const endpoint = endpointOf(a);
  if (endpoint) facts.push({ label: typeof a.url === "string" ? "URL" : "Command", value: endpoint });
  for (const [key, label] of FACT_KEYS) {
    const v = key === "serverInfoName" ? (a.serverInfoName ?? (a.serverInfo as { name?: unknown } | undefined)?.name) : a[key];
    if (v !== undefined && v !== null && v !== "") facts.push({ label, value: text(v) });
  }

  const [toolRows, agentRows, credRows, findingRows] = await Promise.all([
    rows<{ id: string; name: string; attributes: Record<string, unknown>; hashes: number; change_finding: string | null; total: number }>(
      db,
      sql`select t.id, t.name, t.attributes, count(*) over ()::int as total,
          (select count(distinct d.definition_hash)::int from finding_tool_definitions d where d.tool_id = t.id) as hashes,
          (select f.id from findings f where f.subject_id = t.id and f.rule = 'tool_definition_changed' and f.status <> 'resolved' limit 1) as change_finding
        from edges x join nodes t on t.id = x.to_id and t.valid_to is null
        where x.from_id = ${id} and x.kind = 'exposes' and x.valid_to is null
        order by ${nodeNameKey("t")}, t.id limit ${DETAIL_LIMITS.tools}`,
    ),
    rows<{ id: string; kind: NodeKind; name: string; status: string | null; source: string; total: number }>(
      db,
      sql`select p.id, p.kind, p.name, p.status, s.name as source, count(*) over ()::int as total
        from (select distinct c.from_id from edges c where c.to_id = ${id} and c.kind = 'connects_to' and c.valid_to is null) c
        join nodes p on p.id = c.from_id join sources s on s.id = p.source_id
        order by ${nodeNameKey("p")}, p.id limit ${DETAIL_LIMITS.agents}`,
    ),
    rows<{ id: string; name: string; relation: "uses" | "grants access to it"; attributes: Record<string, unknown>; total: number }>(
      db,
      sql`select c.id, c.name, r.relation, c.attributes, count(*) over ()::int as total from (
          select e.to_id as cid, 'uses' as relation from edges e where e.from_id = ${id} and e.kind = 'uses_credential' and e.valid_to is null
          union
          select e.from_id, 'grants access to it' from edges e where e.to_id = ${id} and e.kind = 'credential_for' and e.valid_to is null
        ) r join nodes c on c.id = r.cid and c.kind = 'credential'
        order by r.relation desc, ${nodeNameKey("c")}, c.id limit ${DETAIL_LIMITS.credentials}`,
    ),
    rows<{ id: string; rule: string; severity: string; title: string; subject_id: string; subject_name: string; subject_kind: string; total: number }>(
      db,
      sql`select f.id, f.rule, f.severity, f.title, f.subject_id, f.subject_name, f.subject_kind, count(*) over ()::int as total
        from (select ${id}::text as sid union select x.to_id from edges x where x.from_id = ${id} and x.kind = 'exposes' and x.valid_to is null) subj
        join findings f on f.subject_id = subj.sid and f.status = 'open'
        order by (case f.severity when 'critical' then 4 when 'high' then 3 when 'medium' then 2 else 1 end) desc, f.first_seen_at desc, f.id
        limit ${DETAIL_LIMITS.findings}`,
    ),
  ]);
  const owners = (await effectiveOwnersOf(db, [id])).get(id) ?? [];

  const tools = toolRows
    .map((t) => ({
      id: t.id,
      name: t.name,
      description: str(t.attributes.description)?.slice(0, 400) ?? null,
      risk: riskOfToolAttributes(t.attributes),
      definitionChanged: t.hashes > 1 || t.change_finding !== null,
      changeFindingId: t.change_finding,
    }))
    // Most worrying first, as the inventory always showed them; name order within a level (SQL gave natural order).
    .map((t, i) => ({ t, i }))
    .sort((x, y) => riskRank(y.t.risk) - riskRank(x.t.risk) || x.i - y.i)
    .map(({ t }) => t);

  return {
    server: {
      id: n.id,
      name: n.name,
      source: n.source,
      status: n.status,
      current: n.valid_to === null,
      firstSeenAt: new Date(n.first_seen_at).toISOString(),
      lastSeenAt: new Date(n.last_seen_at).toISOString(),
      transport: str(a.transport),
      endpoint,
      version: str(a.version),
    },
    facts,
    tools,
    toolTotal: toolRows[0]?.total ?? 0,
    agents: agentRows.map(({ total: _t, ...r }) => r),
    agentTotal: agentRows[0]?.total ?? 0,
    credentials: credRows.map((c) => ({
      id: c.id,
      name: c.name,
      relation: c.relation,
      type: str(c.attributes.type),
      storage: str(c.attributes.storage),
      fingerprint: str(c.attributes.fingerprint),
      expiresAt: str(c.attributes.expiresAt),
      lastRotatedAt: str(c.attributes.lastRotatedAt),
    })),
    credentialTotal: credRows[0]?.total ?? 0,
    owners,
    findings: findingRows.map((f) => ({
      id: f.id,
      rule: f.rule,
      severity: f.severity,
      title: f.title,
      subjectId: f.subject_id,
      subjectName: f.subject_name,
      subjectKind: f.subject_kind,
    })),
    findingTotal: findingRows[0]?.total ?? 0,
  };
}
