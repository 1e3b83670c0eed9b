import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rows } from "@/db/rows";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { describeNodes } from "@/lib/graph/access-api";
import { getAccessIndex } from "@/lib/graph/access-cache";
import type { NodeKind } from "@/lib/graph/model";
import { DEFAULT_DEPTH, reachableFrom, whoCanReach } from "@/lib/graph/traverse";
import { lastUsesOf } from "@/lib/usage/last-used";

/** One (subject, tool) pair on a node page: the other end, and when the subject last called the tool. */
export interface ToolUsageRow {
  id: string;
  name: string;
  kind: NodeKind;
  /** Null: never seen calling it. */
  lastUsedAt: string | null;
  calls: number;
  via: string | null;
  /** Whether any use of the tool was ever seen (by anyone): without it, "never seen" means "no usage data". */
  toolHasUsageData: boolean;
}

export interface NodeToolUsage {
  /** "subject": the tools this principal can reach; "tool": the principals that can reach this tool. */
  side: "subject" | "tool";
  rows: ToolUsageRow[];
  /** Pairs reachable now beyond those listed. */
  more: number;
}

const SUBJECT_KINDS: readonly NodeKind[] = ["agent", "service_account", "human"];
const texts = (values: Iterable<string>) => sql`${sql.param([...values])}::text[]`;

/**
 * "Last used" per (subject, tool) for a node page: for an agent, service account or person, each tool it can reach
 * now with when it last called it (from tool_usage: the decision log and gateways' spans), used ones first, then
 * the never-seen ones; for a tool, the principals that can reach it, likewise. Bounded: reach comes from the
 * in-memory index, usage from tool_usage's (subject) and (tool) indexes, at most `limit` rows. Null for other kinds
 * and for nodes not in the current graph.
 */
export async function nodeToolUsage(db: Db, actor: Actor, node: { id: string; kind: NodeKind }, limit = 25): Promise<NodeToolUsage | null> {
  requirePermission(actor, "graph.read");
  const side = SUBJECT_KINDS.includes(node.kind) ? "subject" : node.kind === "tool" ? "tool" : null;
  if (!side) return null;
  const ix = await getAccessIndex(db);
  const i = ix.indexOf.get(node.id);
  if (i === undefined) return null;
  const reached = side === "subject" ? reachableFrom(ix, i, DEFAULT_DEPTH, "tool").reached : whoCanReach(ix, i, DEFAULT_DEPTH).reached;
  const others = reached.map((r) => ix.ids[r.node]!);
  const reachable = new Set(others);
  const uses = (await lastUsesOf(db, node.id, side, 500)).filter((u) => reachable.has(side === "subject" ? u.toolId : u.subjectId));
  const usedIds = new Set(uses.map((u) => (side === "subject" ? u.toolId : u.subjectId)));
  const never = others.filter((id) => !usedIds.has(id)).sort();
  const shown = [...uses.map((u) => (side === "subject" ? u.toolId : u.subjectId)), ...never].slice(0, limit);
  const toolIds = side === "subject" ? shown : [node.id];
  const covered = new Set(
    (await rows<{ tool_id: string }>(db, sql`select distinct tool_id from tool_usage where tool_id = any(${texts(toolIds)})`)).map((r) => r.tool_id),
  );
  const info = await describeNodes(db, shown);
  const useOf = new Map(uses.map((u) => [side === "subject" ? u.toolId : u.subjectId, u]));
  const out: ToolUsageRow[] = shown.flatMap((id) => {
    const d = info.get(id);
    if (!d) return [];
    const u = useOf.get(id);
    return [
      {
        id,
        name: d.name,
        kind: d.kind,
        lastUsedAt: u?.lastUsedAt ?? null,
        calls: u?.calls ?? 0,
        via: u?.via ?? null,
        toolHasUsageData: covered.has(side === "subject" ? id : node.id),
      },
    ];
  });
  return { side, rows: out, more: Math.max(0, others.length - shown.length) };
}
