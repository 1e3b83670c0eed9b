import type { Db } from "@/db/client";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { describeNodes } from "./access-api";
import { getAccessIndex } from "./access-cache";
import { NODE_KINDS, PRINCIPAL_KINDS, type NodeKind } from "./model";
import { DEFAULT_DEPTH, reachableFrom, whoCanReach } from "./traverse";

/** Principals, and groups (whose members inherit what they reach), are asked what they reach; everything else who reaches it. */
const REACHES_OUT: readonly NodeKind[] = [...PRINCIPAL_KINDS, "group"];

export interface AccessSummary {
  /** "who": who can reach this node; "reach": what this node can reach. */
  mode: "who" | "reach";
  total: number;
  maxDepth: number;
  byKind: { kind: NodeKind; count: number }[];
  /** The nearest few, nearest first. */
  first: { id: string; name: string; kind: NodeKind; depth: number }[];
}

/**
 * A node page's access summary from the in-memory access index (the same
 * engine and depth as the explorer): counts by kind and the nearest few, for
 * links into the explorer. Null when the node is not in the current graph.
 */
export async function accessSummaryFor(db: Db, actor: Actor, node: { id: string; kind: NodeKind }, firstN = 5): Promise<AccessSummary | null> {
  requirePermission(actor, "graph.read");
  const ix = await getAccessIndex(db);
  const i = ix.indexOf.get(node.id);
  if (i === undefined) return null;
  const mode = REACHES_OUT.includes(node.kind) ? "reach" : "who";
  const { reached } = mode === "reach" ? reachableFrom(ix, i, DEFAULT_DEPTH) : whoCanReach(ix, i, DEFAULT_DEPTH);
  const counts = new Map<number, number>();
  for (const r of reached) counts.set(ix.kinds[r.node]!, (counts.get(ix.kinds[r.node]!) ?? 0) + 1);
  const byKind = [...counts.entries()].map(([code, count]) => ({ kind: kindOf(code), count })).sort((a, b) => b.count - a.count || (a.kind < b.kind ? -1 : 1));
  // The same order as the explorer's list: nearest first, then by id.
  const nearest = [...reached].sort((a, b) => a.depth - b.depth || (ix.ids[a.node]! < ix.ids[b.node]! ? -1 : 1)).slice(0, firstN);
  const info = await describeNodes(
    db,
    nearest.map((r) => ix.ids[r.node]!),
  );
  const first = nearest.flatMap((r) => {
    const d = info.get(ix.ids[r.node]!);
    return d ? [{ id: ix.ids[r.node]!, name: d.name, kind: d.kind, depth: r.depth }] : [];
  });
  return { mode, total: reached.length, maxDepth: DEFAULT_DEPTH, byKind, first };
}

const kindOf = (code: number): NodeKind => NODE_KINDS[code]!;
