import { and, asc, eq, isNull } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "@/db/client";
import { edges, nodes } from "@/db/schema";
import type { Actor } from "@/lib/authz/actor";
import type { NodeKind } from "@/lib/graph/model";

export interface OwnedItem {
  id: string;
  kind: NodeKind;
  name: string;
  role: string | null;
}

/** What the signed-in person owns directly in the graph. Everyone may see their own. */
export async function listOwnedByActor(db: Db, actor: Actor): Promise<OwnedItem[]> {
  if (!actor.humanNodeId) return [];
  const owned = alias(nodes, "owned");
  const rows = await db
    .select({ id: owned.id, kind: owned.kind, name: owned.name, attrs: edges.attributes })
    .from(edges)
    .innerJoin(owned, eq(owned.id, edges.toId))
    .where(and(eq(edges.fromId, actor.humanNodeId), eq(edges.kind, "owns"), isNull(edges.validTo), isNull(owned.validTo)))
    .orderBy(asc(owned.kind), asc(owned.name));
  return rows.map((r) => ({ id: r.id, kind: r.kind, name: r.name, role: typeof r.attrs.role === "string" ? r.attrs.role : null }));
}
