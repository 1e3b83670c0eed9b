import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { nodes, sources } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { NODE_ID_PREFIX, isNodeKind, type NodeKind } from "./model";

const ID_RE = new RegExp(`^(${Object.values(NODE_ID_PREFIX).join("|")})_[0-9a-z]{26}$`);

export type NodeRef = { id: string } | { source: string; kind: NodeKind; externalId: string };

/**
 * Parses a node reference: an Attest id (`hum_01…`) or `source:kind:externalId`
 * (the external id may itself contain colons). Anything else is a 400 naming `param`.
 */
export function parseNodeRef(raw: string, param = "id"): NodeRef {
  const value = raw.trim();
  if (ID_RE.test(value)) return { id: value };
  const first = value.indexOf(":");
  const second = first < 0 ? -1 : value.indexOf(":", first + 1);
  if (first > 0 && second > first + 1 && second < value.length - 1) {
    const kind = value.slice(first + 1, second);
    if (isNodeKind(kind)) return { source: value.slice(0, first), kind, externalId: value.slice(second + 1) };
    throw new AppError("validation", `${param}: "${kind}" is not a node kind`, [{ path: param, message: "unknown node kind" }]);
  }
  throw new AppError("validation", `${param} must be a node id (like hum_01j…) or source:kind:externalId`, [
    { path: param, message: "malformed node reference" },
  ]);
}

/** The node id a reference names, or 404. */
export async function resolveNodeId(db: Db, ref: NodeRef): Promise<string> {
  if ("id" in ref) {
    const [row] = await db.select({ id: nodes.id }).from(nodes).where(eq(nodes.id, ref.id)).limit(1);
    if (row) return row.id;
  } else {
    const [row] = await db
      .select({ id: nodes.id })
      .from(nodes)
      .innerJoin(sources, eq(sources.id, nodes.sourceId))
      .where(and(eq(sources.name, ref.source), eq(nodes.kind, ref.kind), eq(nodes.externalId, ref.externalId)))
      .limit(1);
    if (row) return row.id;
  }
  throw new AppError("not_found", "node not found");
}
