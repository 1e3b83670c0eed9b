import { and, count, eq, inArray, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { edges, nodes } from "@/db/schema";
import type { Actor } from "@/lib/authz/actor";
import { can, requirePermission } from "@/lib/authz/permissions";
import type { NodeKind } from "@/lib/graph/model";
import { riskOfToolAttributes, riskRank, type ToolRisk } from "@/lib/graph/tool-risk";
import { actorUserId, type ItemView } from "./views";

/** Bounds: the nodes described per page of items, the tools read per page, the tools named per server. */
const MAX_NODES = 400;
const MAX_TOOL_ROWS = 2000;
const TOOLS_PER_SERVER = 6;
const MAX_TEXT = 400;

export interface ReachTool {
  id: string;
  name: string;
  risk: ToolRisk;
  description: string | null;
}

/** What a node on an item's path does, as a reviewer needs it: never raw attributes, only these fields. */
export interface ReachNode {
  id: string;
  kind: NodeKind;
  name: string;
  description: string | null;
  /** Tools: their risk, why, and the hints the server declares. */
  risk?: { level: ToolRisk; reason: string };
  hints?: string[];
  /** MCP servers: how they run, how many tools they expose now and the riskiest of them. */
  transport?: string | null;
  tools?: { total: number; riskiest: ReachTool[] };
}

const text = (v: unknown) => (typeof v === "string" && v.trim() ? (v.length > MAX_TEXT ? `${v.slice(0, MAX_TEXT)}…` : v) : null);

function hintsOf(a: Record<string, unknown>): string[] {
  const ann = a.annotations && typeof a.annotations === "object" && !Array.isArray(a.annotations) ? (a.annotations as Record<string, unknown>) : {};
  const out: string[] = [];
  if (ann.readOnlyHint === true) out.push("read-only");
  if (ann.destructiveHint === true) out.push("destructive");
  if (ann.readOnlyHint === false && ann.destructiveHint !== true) out.push("writes");
  if (ann.openWorldHint === true) out.push("reaches the outside world");
  return out;
}

/**
 * For the reviewer's own items (or any item, for readers of campaigns): what each node on their
 * paths beyond the subject does today — a tool's description, risk and hints, a server's transport
 * and riskiest tools — so a reviewer who cannot browse the graph still sees what they approve.
 * Bounded: at most MAX_NODES nodes and MAX_TOOL_ROWS tools for one page of items.
 */
export async function describeItemReach(db: Db, actor: Actor, items: Pick<ItemView, "reviewer" | "context" | "subject">[]): Promise<Record<string, ReachNode>> {
  if (!can(actor, "campaign.read")) requirePermission(actor, "review.decide");
  const me = actorUserId(actor);
  const visible = can(actor, "campaign.read") ? items : items.filter((i) => i.reviewer?.id === me);
  const ids = [...new Set(visible.flatMap((i) => i.context.path.nodes.filter((n) => n.id !== i.subject.id).map((n) => n.id)))].slice(0, MAX_NODES);
  if (ids.length === 0) return {};
  const rows = await db.select({ id: nodes.id, kind: nodes.kind, name: nodes.name, attributes: nodes.attributes }).from(nodes).where(inArray(nodes.id, ids));
  const out: Record<string, ReachNode> = {};
  for (const r of rows) {
    const a = r.attributes ?? {};
    const n: ReachNode = { id: r.id, kind: r.kind, name: r.name, description: text(a.description) };
    if (r.kind === "tool") {
      const risk = riskOfToolAttributes(a);
      n.risk = { level: risk.risk, reason: risk.reason };
      n.hints = hintsOf(a);
    }
    if (r.kind === "mcp_server") n.transport = text(a.transport);
    out[r.id] = n;
  }
  const servers = rows.filter((r) => r.kind === "mcp_server").map((r) => r.id);
  if (servers.length) {
    const tools = await db
      .select({ server: edges.fromId, id: nodes.id, name: nodes.name, attributes: nodes.attributes })
      .from(edges)
      .innerJoin(nodes, eq(nodes.id, edges.toId))
      .where(and(inArray(edges.fromId, servers), eq(edges.kind, "exposes"), isNull(edges.validTo), isNull(nodes.validTo)))
      .limit(MAX_TOOL_ROWS);
    const totals = await db
      .select({ server: edges.fromId, n: count() })
      .from(edges)
      .where(and(inArray(edges.fromId, servers), eq(edges.kind, "exposes"), isNull(edges.validTo)))
      .groupBy(edges.fromId);
    const totalOf = new Map(totals.map((t) => [t.server, t.n]));
    const byServer = new Map<string, ReachTool[]>();
    for (const t of tools) {
      const list = byServer.get(t.server) ?? [];
      list.push({ id: t.id, name: t.name, risk: riskOfToolAttributes(t.attributes ?? {}).risk, description: text(t.attributes?.description) });
      byServer.set(t.server, list);
    }
    for (const s of servers) {
      const list = byServer.get(s) ?? [];
      list.sort((x, y) => riskRank({ risk: y.risk }) - riskRank({ risk: x.risk }) || x.name.localeCompare(y.name));
      out[s]!.tools = { total: totalOf.get(s) ?? list.length, riskiest: list.slice(0, TOOLS_PER_SERVER) };
    }
  }
  return out;
}
