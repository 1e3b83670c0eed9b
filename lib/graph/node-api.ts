import { z } from "zod";
import type { Db } from "@/db/client";
import type { Actor } from "@/lib/authz/actor";
import { requirePermission } from "@/lib/authz/permissions";
import { AppError } from "@/lib/errors";
import { EDGE_KINDS, NODE_KINDS } from "./model";
import { parseNodeRef, resolveNodeId } from "./node-ref";
import { riskOfToolAttributes, type ToolRiskResult } from "./tool-risk";
import { getNode, listNeighborhood, listNeighbors, listNodes, MAX_NEIGHBORHOOD_DEPTH, type NeighborhoodItem, type NodeView, type Page } from "./nodes";

/** An ISO 8601 instant in a query string, turned into a Date. */
const instant = z
  .string()
  .max(40)
  .refine((s) => /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(s) && !Number.isNaN(Date.parse(s)), "must be an ISO 8601 date or date-time")
  .transform((s) => new Date(s));

const limit = (max: number, dflt: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number from 1 to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(1, `must be from 1 to ${max}`).max(max, `must be from 1 to ${max}`))
    .default(dflt);

export const listNodesQuerySchema = z
  .object({
    kind: z.enum(NODE_KINDS, { error: `must be one of ${NODE_KINDS.join(", ")}` }).optional(),
    q: z.string().trim().max(200, "at most 200 characters").optional(),
    source: z.string().max(200).optional(),
    status: z.enum(["active", "inactive", "leave", "terminated"]).optional(),
    asOf: instant.optional(),
    limit: limit(200, 50),
    cursor: z.string().max(1000).optional(),
  })
  .strict();

export const neighborsQuerySchema = z
  .object({
    direction: z.enum(["out", "in", "both"]).default("both"),
    edgeKind: z.enum(EDGE_KINDS, { error: `must be one of ${EDGE_KINDS.join(", ")}` }).optional(),
    asOf: instant.optional(),
    depth: z
      .string()
      .regex(new RegExp(`^[1-${MAX_NEIGHBORHOOD_DEPTH}]$`), `must be a whole number from 1 to ${MAX_NEIGHBORHOOD_DEPTH}`)
      .transform(Number)
      .default(1),
    limit: limit(500, 100),
    cursor: z.string().max(1000).optional(),
    format: z.enum(["json", "csv"], { error: "format must be json or csv" }).optional(),
  })
  .strict();

export async function listNodesFor(db: Db, actor: Actor, query: z.infer<typeof listNodesQuerySchema>): Promise<Page<NodeView>> {
  requirePermission(actor, "graph.read");
  return listNodes(db, { ...query, q: query.q || undefined });
}

/** One node; a tool also gets `toolRisk`, its risk with the reason (code and words), read as every consumer reads it. */
export async function getNodeFor(db: Db, actor: Actor, rawId: string): Promise<NodeView & { toolRisk?: ToolRiskResult }> {
  requirePermission(actor, "graph.read");
  const id = await resolveNodeId(db, parseNodeRef(rawId));
  const node = await getNode(db, id);
  if (!node) throw new AppError("not_found", "node not found");
  return node.kind === "tool" ? { ...node, toolRisk: riskOfToolAttributes(node.attributes) } : node;
}

/**
 * The relationships around a node. At depth 1, a page of the edges one step away (offset cursor, exact total); at
 * depth 2 or 3, the neighbourhood breadth-first up to `limit` edges in one answer (no cursor: `truncated` says more
 * exist), each item with its depth and the node it hangs from (`via`).
 */
export async function listNeighborsFor(
  db: Db,
  actor: Actor,
  rawId: string,
  query: z.infer<typeof neighborsQuerySchema>,
): Promise<Page<NeighborhoodItem> & { node: NodeView; truncated: boolean }> {
  const node = await getNodeFor(db, actor, rawId);
  if (query.depth === 1) {
    const page = await listNeighbors(db, node.id, query);
    return { node, ...page, items: page.items.map((i) => ({ ...i, depth: 1, via: node.id })), truncated: page.nextCursor !== null };
  }
  if (query.cursor) throw new AppError("validation", "cursor: pages exist only at depth 1", [{ path: "cursor", message: "only at depth 1" }]);
  const r = await listNeighborhood(db, node.id, query);
  return { node, items: r.items, total: r.items.length, nextCursor: null, truncated: r.truncated };
}
